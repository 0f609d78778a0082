import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smdb_web.settings")

app = Celery("smdb_web")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
