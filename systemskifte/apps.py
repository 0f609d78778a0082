from django.apps import AppConfig


class SystemskifteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "systemskifte"
    verbose_name = "Systemskifte og afstemning med SMDB"
