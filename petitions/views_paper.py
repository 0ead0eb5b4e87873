"""Paper of the petitions' work (issue 21), as PDF downloads: the 交办单 of a dispatched
petition and the 督办通知单 of a supervised one (staff, and the department for its own
petitions), the batch print of a day's or a week's, and a session's opinion forms
(征求意见表) with their numbers.

The same rule as the pages: another department's petition is a 404 for an official.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chamber import documents
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from chamber.workdays import start_of_day
from petitions import entry, paper, selectors
from petitions.forms_paper import OpinionSheetsForm, PrintSpanForm
from petitions.models import OpinionSheet, Petition
from petitions.services import PetitionError
from petitions.services.opinion_sheets import print_opinion_sheets

official_required = role_required(Role.OFFICIAL)


def _dispatched(petitions):
    """Petitions with a department they were dispatched to: those have a 交办单."""
    return petitions.filter(
        department__isnull=False, dispatched_at__isnull=False
    ).select_related("enterprise", "category", "department")


def _supervised(petitions):
    """Dispatched petitions the daily study put under supervision (督办)."""
    return _dispatched(petitions).filter(supervised_on__isnull=False)


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
    label = (
        f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}–{last:%Y-%m-%d}"
    )
    return first, last, label


@staff_required
def assignment_sheets(request: HttpRequest) -> HttpResponse:
    """The 交办单 of every petition dispatched in a day or a week, one per page."""
    span = _span(request)
    if span is None:
        return redirect("petitions:triage")
    first, last, label = span
    petitions = list(
        _dispatched(Petition.objects)
        .filter(
            dispatched_at__gte=start_of_day(first),
            dispatched_at__lt=start_of_day(last + timedelta(days=1)),
        )
        .order_by("department__name", "number")
    )
    if not petitions:
        messages.info(
            request, _("No petition was dispatched in %(span)s.") % {"span": label}
        )
        return redirect("petitions:triage")
    return _pdf(paper.ASSIGNMENT, petitions, f"{_('Assignment sheets')} {label}")


@staff_required
def supervision_notices(request: HttpRequest) -> HttpResponse:
    """The 督办通知单 of every petition put under supervision in a day or a week."""
    span = _span(request)
    if span is None:
        return redirect("petitions:triage")
    first, last, label = span
    petitions = list(
        _supervised(Petition.objects)
        .filter(supervised_on__gte=first, supervised_on__lte=last)
        .order_by("department__name", "number")
    )
    if not petitions:
        messages.info(
            request,
            _("No petition was put under supervision in %(span)s.") % {"span": label},
        )
        return redirect("petitions:triage")
    return _pdf(paper.SUPERVISION, petitions, f"{_('Supervision notices')} {label}")


# --- a session's opinion forms (征求意见表) ---------------------------------------------


@staff_required
def opinion_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """Print N numbered opinion forms of a session: N numbers, one PDF, one form a page."""
    activity = get_object_or_404(entry.sessions().select_related("type"), pk=pk)
    form = OpinionSheetsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = request.build_absolute_uri(reverse("petitions:session", args=[pk]))
        try:
            with transaction.atomic():  # no numbers taken if the PDF fails
                sheets = print_opinion_sheets(
                    activity=activity,
                    count=form.cleaned_data["count"],
                    actor=request.user,
                )
                content = documents.render_pdf(
                    paper.OPINION_FORM,
                    paper.opinion_form_context(activity, sheets, url=url),
                )
        except PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            name = f"{_('Opinion forms')} {sheets[0].number}–{sheets[-1].number}.pdf"
            return documents.download(
                content, filename=name, content_type=documents.PDF
            )
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
