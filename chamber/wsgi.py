"""WSGI entry point for gunicorn: gunicorn chamber.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")

application = get_wsgi_application()
