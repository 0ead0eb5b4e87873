"""The monthly summary and the quarterly clear-to-zero report as PDF and Word (issue 21):
the same stored report the page shows (petitions.views.report), for the same readers
(staff and the district leaders), named in Chinese (月总结_2026-03.pdf). The Word file
is made in the request (0.05 s), the PDF by a task (petitions/downloads.py)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from chamber import documents, downloads
from petitions import documents as period_documents
from petitions import downloads as petition_files
from petitions.views import LEADER_KINDS, _get_run_for_user, leadership_required


def _period_run(request: HttpRequest, pk: int):
    run = _get_run_for_user(request, pk)
    if run.kind not in LEADER_KINDS:
        raise Http404
    return run


@leadership_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF, made by a task (1.2 to 1.6 s of WeasyPrint): to the download's page."""
    run = _period_run(request, pk)
    download = downloads.request_download(
        owner=request.user,
        kind=petition_files.REPORT_PDF,
        parameters={"run": run.pk},
    )
    return redirect(download)


@leadership_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The Word file, made in the request (docxtpl, 0.05 s)."""
    run = _period_run(request, pk)
    content = documents.render_docx(
        period_documents.KEY, period_documents.period_report_context(run)
    )
    return documents.download(
        content,
        filename=period_documents.filename(run, "docx"),
        content_type=documents.DOCX,
    )
