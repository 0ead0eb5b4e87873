"""The portal's URLs plus views that fail, to see the error pages users would get (tests only)."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

SECRET_DETAIL = "secret-detail-from-the-exception"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET_DETAIL)


urlpatterns = [
    path("test-only/boom/", boom, name="test_boom"),
    path("test-only/bad-request/", bad_request, name="test_bad_request"),
    path("", include("chamber.urls")),
]
