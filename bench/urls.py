"""The portal's URLs plus /bench/bare/: the baseline "bare Django template view".

The baseline goes through the whole middleware stack (sessions, locale, CSRF, auth,
CSP, axes …) and the template engine with the project's context processors, but
touches no model: what any page costs before it does its own work.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from chamber.urls import urlpatterns as portal_urlpatterns

# Compiled once, at import, like a cached template loader would.
BARE_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
    "<title>{{ title }}</title></head><body><h1>{{ title }}</h1>"
    "<p>{{ greeting }}, {{ name }}.</p></body></html>"
)


def bare(request: HttpRequest) -> HttpResponse:
    context = {"title": "bench", "greeting": "Hello", "name": "world"}
    return HttpResponse(BARE_TEMPLATE.render(context, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    *portal_urlpatterns,
]
