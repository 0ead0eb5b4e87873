"""The monthly summary and the quarterly clear-to-zero report as PDF and Word (issue 21):
the same stored report the page shows (petitions.views.report), for the same readers
(staff and the district leaders), named in Chinese (月总结_2026-03.pdf)."""

from django.http import Http404, HttpRequest, HttpResponse

from chamber import documents
from petitions import documents as period_documents
from petitions.views import LEADER_KINDS, _get_run_for_user, leadership_required


def _period_run(request: HttpRequest, pk: int):
    run = _get_run_for_user(request, pk)
    if run.kind not in LEADER_KINDS:
        raise Http404
    return run


def _report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report of a monthly or quarterly run as `fmt` ("pdf" or "docx")."""
    run = _period_run(request, pk)
    render, content_type = {
        "pdf": (documents.render_pdf, documents.PDF),
        "docx": (documents.render_docx, documents.DOCX),
    }[fmt]
    content = render(period_documents.KEY, period_documents.period_report_context(run))
    return documents.download(
        content,
        filename=period_documents.filename(run, fmt),
        content_type=content_type,
    )


@leadership_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_file(request, pk, "pdf")


@leadership_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_file(request, pk, "docx")
