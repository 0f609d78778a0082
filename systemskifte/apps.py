from django.apps import AppConfig


class SystemskifteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "systemskifte"
    verbose_name = "Systemskifte og afstemning med SMDB"

    def ready(self) -> None:
        # The tasks, so services can queue them by name in every process.
        from systemskifte import tasks  # noqa: F401
