"""WSGI entry of the benchmark: the normal settings, plus the bare baseline view.

gunicorn bench.wsgi:application  (bench/run.sh starts it)
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")

from django.conf import settings  # noqa: E402

# The portal's URLs plus /bench/bare/, served through the same middleware stack.
settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
