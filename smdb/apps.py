from django.apps import AppConfig


class SmdbConfig(AppConfig):
    name = "smdb"
    verbose_name = "SMDB"
