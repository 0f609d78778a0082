from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Brugere og myndigheder"

    def ready(self) -> None:
        from accounts import checks, sessions  # noqa: F401  (registers checks, signals)
