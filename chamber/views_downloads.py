"""The pages of the files made by a task (chamber/downloads.py): one download's page,
which says "being made" and reloads itself until its link is there, the file itself,
and the user's recent downloads. Only the user who asked sees any of them: anyone
else's download is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chamber import downloads
from chamber.models import Download
from chamber.uploads import content_disposition

# The page reloads itself this often while the file is being made (seconds).
REFRESH_SECONDS = 2
RECENT = 20


def _own(request: HttpRequest, pk) -> Download:
    return get_object_or_404(Download, pk=pk, owner=request.user)


@require_GET
@login_required
def download(request: HttpRequest, pk) -> HttpResponse:
    """A download's page: "being made" (reloading itself), then the file's link."""
    item = _own(request, pk)
    if not item.is_finished and downloads.requeue_if_lost(item):
        item.refresh_from_db()
    context = {
        "download": item,
        "label": downloads.label_of(item),
        "refresh": None if item.is_finished else REFRESH_SECONDS,
    }
    return render(request, "chamber/download.html", context)


@require_POST
@login_required
def make_again(request: HttpRequest, pk) -> HttpResponse:
    """Make a failed download again (its template mended, say)."""
    item = _own(request, pk)
    if downloads.retry(item):
        messages.info(request, _("The file is being made again."))
    return redirect(item)


@login_required
def download_file(request: HttpRequest, pk) -> HttpResponse:
    """The made file, to save (never shown in the browser); 404 until it is made."""
    item = _own(request, pk)
    if item.status != Download.Status.DONE or not item.file.name:
        raise Http404
    try:  # a few hundred KB (200 opinion forms: 650 KB): read whole
        with item.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:  # deleted as old
        raise Http404 from None
    response = HttpResponse(content, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition(item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def recent_downloads(request: HttpRequest) -> HttpResponse:
    """The user's recent downloads, newest first, kept `downloads.KEEP_DAYS` days."""
    items = list(
        Download.objects.filter(owner=request.user).order_by("-created_at")[:RECENT]
    )
    rows = [(item, downloads.label_of(item)) for item in items]
    context = {"rows": rows, "keep_days": downloads.KEEP_DAYS}
    return render(request, "chamber/downloads.html", context)
