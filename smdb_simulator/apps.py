from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """A local stand-in for Danmarks Statistik's SMDB web services.

    Its own tables are its own store, separate from the app's cases. It is
    reachable only when ``settings.SMDB_SIMULATOR_ENABLED`` is true.
    """

    name = "smdb_simulator"
    label = "smdb_simulator"
    verbose_name = "SMDB-simulator"
    default_auto_field = "django.db.models.BigAutoField"
