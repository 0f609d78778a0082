from django.apps import AppConfig


class SmdbConfig(AppConfig):
    name = "smdb"
    verbose_name = "SMDB"

    def ready(self) -> None:
        # Register the sync's Celery tasks in every process (web too), so
        # ``smdb.outbox.enqueue`` finds them by name (eager mode runs them in place).
        from smdb import tasks  # noqa: F401
