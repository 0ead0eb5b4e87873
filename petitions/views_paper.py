"""Paper of the petitions' work (issue 21), as PDF downloads: the 交办单 of a dispatched
petition and the 督办通知单 of a supervised one (staff, and the department for its own
petitions), the batch print of a day's or a week's, and a session's opinion forms
(征求意见表) with their numbers. One petition's sheet is made in the request (0.5 s); a
day's or a week's and the opinion forms are made by a task (petitions/downloads.py),
and the request goes to the download's page.

The same rule as the pages: another department's petition is a 404 for an official.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chamber import documents, downloads
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from petitions import downloads as petition_files
from petitions import entry, paper, selectors
from petitions.forms_paper import OpinionSheetsForm, PrintSpanForm
from petitions.models import OpinionSheet, Petition
from petitions.services import PetitionError
from petitions.services.opinion_sheets import print_opinion_sheets

official_required = role_required(Role.OFFICIAL)


_dispatched = petition_files.dispatched
_supervised = petition_files.supervised


def _official_petitions(request: HttpRequest):
    official = roles_of(request.user).official
    if official is None or official.department_id is None:
        raise Http404
    return selectors.department_petitions(department_id=official.department_id)


def _pdf(key: str, petitions, name: str) -> HttpResponse:
    content = documents.render_pdf(key, paper.sheets_context(petitions))
    return documents.download(
        content, filename=f"{name}.pdf", content_type=documents.PDF
    )


def _assignment(petition: Petition) -> HttpResponse:
    return _pdf(
        paper.ASSIGNMENT, [petition], f"{_('Assignment sheet')} {petition.number}"
    )


def _supervision(petition: Petition) -> HttpResponse:
    return _pdf(
        paper.SUPERVISION, [petition], f"{_('Supervision notice')} {petition.number}"
    )


@staff_required
def assignment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _assignment(get_object_or_404(_dispatched(Petition.objects), pk=pk))


@staff_required
def supervision_notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _supervision(get_object_or_404(_supervised(Petition.objects), pk=pk))


@official_required
def department_assignment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    petitions = _dispatched(_official_petitions(request))
    return _assignment(get_object_or_404(petitions, pk=pk))


@official_required
def department_supervision_notice(request: HttpRequest, pk: int) -> HttpResponse:
    petitions = _supervised(_official_petitions(request))
    return _supervision(get_object_or_404(petitions, pk=pk))


# --- a day's or a week's, as one PDF -----------------------------------------------------


def _span(request: HttpRequest):
    """(first, last, label) of the span asked for; None (and a message) if malformed."""
    form = PrintSpanForm(request.GET)
    if not form.is_valid():
        messages.error(
            request, _("Choose a date and whether to print its day or week.")
        )
        return None
    first, last = form.first_and_last()
    return first, last, petition_files.span_label(first, last)


def _span_print(request: HttpRequest, kind: str, select, nothing: str):
    """A day's or a week's sheets, one per page, made by a task (half a second a
    sheet): the request only checks there is one and goes to the download's page."""
    span = _span(request)
    if span is None:
        return redirect("petitions:triage")
    first, last, label = span
    if not select(first, last).exists():
        messages.info(request, nothing % {"span": label})
        return redirect("petitions:triage")
    download = downloads.request_download(
        owner=request.user,
        kind=kind,
        parameters={"first": first.isoformat(), "last": last.isoformat()},
    )
    return redirect(download)


@staff_required
def assignment_sheets(request: HttpRequest) -> HttpResponse:
    """The 交办单 of every petition dispatched in a day or a week, one per page."""
    return _span_print(
        request,
        petition_files.ASSIGNMENT_SHEETS,
        petition_files.dispatched_in,
        _("No petition was dispatched in %(span)s."),
    )


@staff_required
def supervision_notices(request: HttpRequest) -> HttpResponse:
    """The 督办通知单 of every petition put under supervision in a day or a week."""
    return _span_print(
        request,
        petition_files.SUPERVISION_NOTICES,
        petition_files.supervised_in,
        _("No petition was put under supervision in %(span)s."),
    )


# --- a session's opinion forms (征求意见表) ---------------------------------------------


@staff_required
def opinion_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """Print N numbered opinion forms of a session: N numbers, one PDF, one form a page."""
    activity = get_object_or_404(entry.sessions().select_related("type"), pk=pk)
    form = OpinionSheetsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = request.build_absolute_uri(reverse("petitions:session", args=[pk]))
        try:
            with transaction.atomic():  # the numbers and the file asked for, or neither
                sheets = print_opinion_sheets(
                    activity=activity,
                    count=form.cleaned_data["count"],
                    actor=request.user,
                )
                # Up to 200 pages at 0.14 s each: made by a task, from these numbers.
                download = downloads.request_download(
                    owner=request.user,
                    kind=petition_files.OPINION_FORMS,
                    parameters={
                        "activity": activity.pk,
                        "first": sheets[0].serial,
                        "last": sheets[-1].serial,
                        "url": url,
                    },
                )
        except PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(download)
    context = {
        "activity": activity,
        "form": form,
        **OpinionSheet.objects.filter(activity=activity).aggregate(
            printed=Count("pk"), entered=Count("petition")
        ),
        "poster": reverse("petitions:session_poster", args=[pk]),
    }
    status = 400 if form.errors else 200
    return render(request, "petitions/opinion_sheets.html", context, status=status)
