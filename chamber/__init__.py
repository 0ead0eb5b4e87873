# The Celery app is loaded when Django starts, so @shared_task binds to it.
from chamber.celery import app as celery_app

__all__ = ("celery_app",)
