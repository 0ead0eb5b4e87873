"""The petitions' files made by a task (chamber/downloads.py), measured over a second at
50,000 petitions (docs/performance.md, issue 22 item 4): the staff list's Excel export
(2.3 s for its 5,000 rows), the 交办单 and 督办通知单 of a day or a week (0.5 s a sheet:
five already take 1.9 s), a session's numbered opinion forms (up to 200 pages, 28 s),
and a monthly or quarterly report's PDF (1.2 to 1.6 s).

Each view checks who may ask and what (the same rules as before) and takes what must
be taken at once (a session's form numbers, under its row lock, so a page reloaded
asks for new ones only by a new post); the builders here only make the file, in the
language of the page it was asked from. A one-petition sheet (0.5 s), the report's
Word file (0.05 s) and its Excel file (0.02 s) stay in the request.
"""

from datetime import date, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity
from chamber import documents
from chamber import downloads as files
from chamber.models import Download
from chamber.workdays import start_of_day
from petitions import documents as period_documents
from petitions import forms, paper, selectors, sheets
from petitions.models import OpinionSheet, Petition, ReviewRun
from petitions.today import todo_petitions

PETITIONS_XLSX = "petitions-xlsx"
ASSIGNMENT_SHEETS = "assignment-sheets"
SUPERVISION_NOTICES = "supervision-notices"
OPINION_FORMS = "opinion-forms"
REPORT_PDF = "period-report-pdf"

# The staff list's Excel export stops at this many rows (the list's order).
EXPORT_ROWS = 5000


def _asked_on(download: Download) -> date:
    return timezone.localdate(download.created_at)


# --- the staff list and its Excel export -------------------------------------------------


def staff_list_petitions(data, *, on: date | None = None):
    """(form, petitions, todo) of the staff list's filters in `data` (a QueryDict): the
    list's page and its export read the same petitions in the same order."""
    form = forms.StaffFilterForm(data or None)
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = selectors.staff_petitions(
        status=filters.get("status") or "",
        channel=filters.get("channel") or "",
        category_id=getattr(filters.get("category"), "pk", None),
        department_id=getattr(filters.get("department"), "pk", None),
        supervised=bool(filters.get("supervised")),
        query=(filters.get("q") or "").strip(),
    )
    todo = filters.get("todo") or ""
    if todo:
        petitions = todo_petitions(petitions, todo, on=on or timezone.localdate())
    return form, petitions, todo


def staff_list_parameters(data: QueryDict) -> dict:
    """The list's filters as a download's parameters (the page's number left out)."""
    return {
        "filters": {
            key: values for key, values in data.lists() if key not in ("format", "page")
        }
    }


def _petitions_xlsx(download: Download) -> files.File:
    data = QueryDict(mutable=True)
    for key, values in download.parameters.get("filters", {}).items():
        data.setlist(key, [str(v) for v in values])
    on = _asked_on(download)
    _form, petitions, _todo = staff_list_petitions(data, on=on)
    return files.File(
        sheets.petitions_workbook(petitions[:EXPORT_ROWS]),
        f"petitions-{on:%Y%m%d}.xlsx",
        sheets.XLSX,
    )


# --- a day's or a week's 交办单 and 督办通知单 ---------------------------------------------


def dispatched(petitions):
    """Petitions with a department they were dispatched to: those have a 交办单."""
    return petitions.filter(
        department__isnull=False, dispatched_at__isnull=False
    ).select_related("enterprise", "category", "department")


def supervised(petitions):
    """Dispatched petitions the daily study put under supervision (督办)."""
    return dispatched(petitions).filter(supervised_on__isnull=False)


def dispatched_in(first: date, last: date):
    return dispatched(Petition.objects).filter(
        dispatched_at__gte=start_of_day(first),
        dispatched_at__lt=start_of_day(last + timedelta(days=1)),
    )


def supervised_in(first: date, last: date):
    return supervised(Petition.objects).filter(
        supervised_on__gte=first, supervised_on__lte=last
    )


def span_label(first: date, last: date) -> str:
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}–{last:%Y-%m-%d}"


def _span_pdf(download: Download, key: str, select, title: str) -> files.File:
    first = date.fromisoformat(download.parameters["first"])
    last = date.fromisoformat(download.parameters["last"])
    petitions = list(select(first, last).order_by("department__name", "number"))
    label = span_label(first, last)
    if not petitions:
        raise files.BuildError(_("No petition in %(span)s.") % {"span": label})
    content = documents.render_pdf(key, paper.sheets_context(petitions))
    return files.File(content, f"{title} {label}.pdf", documents.PDF)


def _assignment_sheets(download: Download) -> files.File:
    return _span_pdf(download, paper.ASSIGNMENT, dispatched_in, _("Assignment sheets"))


def _supervision_notices(download: Download) -> files.File:
    return _span_pdf(
        download, paper.SUPERVISION, supervised_in, _("Supervision notices")
    )


# --- a session's opinion forms (征求意见表) ---------------------------------------------


def _opinion_forms(download: Download) -> files.File:
    """The forms whose numbers the request took (parameters: the session, the first
    and last serial, the online form's address for the QR code)."""
    parameters = download.parameters
    activity = Activity.objects.get(pk=parameters["activity"])
    printed = list(
        OpinionSheet.objects.filter(
            activity=activity,
            serial__gte=parameters["first"],
            serial__lte=parameters["last"],
        ).order_by("serial")
    )
    content = documents.render_pdf(
        paper.OPINION_FORM,
        paper.opinion_form_context(activity, printed, url=parameters["url"]),
    )
    name = f"{_('Opinion forms')} {printed[0].number}–{printed[-1].number}.pdf"
    return files.File(content, name, documents.PDF)


# --- a monthly or quarterly report as PDF -----------------------------------------------


def _report_pdf(download: Download) -> files.File:
    run = ReviewRun.objects.get(pk=download.parameters["run"])
    content = documents.render_pdf(
        period_documents.KEY, period_documents.period_report_context(run)
    )
    return files.File(content, period_documents.filename(run, "pdf"), documents.PDF)


for _kind in (
    files.Kind(PETITIONS_XLSX, gettext_lazy("Petitions (Excel)"), _petitions_xlsx),
    files.Kind(
        ASSIGNMENT_SHEETS, gettext_lazy("Assignment sheets"), _assignment_sheets
    ),
    files.Kind(
        SUPERVISION_NOTICES, gettext_lazy("Supervision notices"), _supervision_notices
    ),
    files.Kind(OPINION_FORMS, gettext_lazy("Opinion forms"), _opinion_forms),
    files.Kind(REPORT_PDF, gettext_lazy("Report (PDF)"), _report_pdf),
):
    files.register(_kind)
