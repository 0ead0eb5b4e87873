"""Files made by a task (chamber/downloads.py), fetched as a user does: ask, follow the
redirect to the download's page, take its link."""

from urllib.parse import urlsplit

from django.test import TestCase
from django.urls import resolve, reverse

from chamber.models import Download


def download_of(response) -> Download:
    """The download a response redirected to (its page)."""
    assert response.status_code == 302, response.status_code
    match = resolve(urlsplit(response["Location"]).path)
    assert match.url_name == "download", response["Location"]
    return Download.objects.get(pk=match.kwargs["pk"])


def fetch(client, url: str, data=None, *, method: str = "get", **extra):
    """Ask for a file at `url` (its task runs when the request commits) and return the
    file's response, reached through the download's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = getattr(client, method)(url, data or {}, **extra)
    download = download_of(asked)
    page = client.get(asked["Location"], **extra)
    assert page.status_code == 200, page.status_code
    link = reverse("download_file", args=[download.pk])
    assert link in page.content.decode(), download.error or download.status
    return client.get(link, **extra)
