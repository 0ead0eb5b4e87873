"""The Celery app of the portal (the official Django recipe)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")

app = Celery("chamber")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
