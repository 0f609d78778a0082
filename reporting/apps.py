from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Rapporter"

    def ready(self):
        from reporting import forloebsstatus

        forloebsstatus.forbind()
