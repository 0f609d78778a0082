from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = "Funktionscertifikater og SMDB-miljøer"

    def ready(self):
        from certificates import checks  # noqa: F401  (registers the system checks)
