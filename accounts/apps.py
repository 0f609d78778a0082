from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Brugere og myndigheder"

    def ready(self) -> None:
        # checks and signals; the tasks, so services can queue them by name in every process
        from accounts import checks, sessions, tasks  # noqa: F401
