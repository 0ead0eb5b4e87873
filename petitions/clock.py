"""What a petition's pages show of its clock, and the forms that act on it.

待企业补充 (the requests to the enterprise: the open one with its deadline, the answered
ones with the working days they stopped the clock), 延期 (the extensions and their
decisions) and 回访 (the return visits staff recorded). The member's, the department's
and the staff's pages each take their panel (`member_panel`, `department_panel`,
`staff_panel`); the actions are petitions/views_clock.py. A refused form comes back
(`bound`, by its name in the panel) with what was typed and its errors.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from chamber import workdays
from petitions import forms_clock
from petitions.models import Extension, InfoRequest, Petition
from petitions.services import info_request_deadline

S = Petition.Status


def _requests(petition: Petition, today: date) -> list[InfoRequest]:
    """The petition's requests to the enterprise, newest first; the open one carries
    its `deadline` and the working days it has `waited` so far. One query."""
    requests = list(
        petition.info_requests.select_related("asked_by", "department", "closed_by")
    )
    for info in requests:
        if info.is_open:
            info.deadline = info_request_deadline(info)
            info.past_deadline = today > info.deadline
            asked_on = timezone.localdate(info.asked_at)
            info.waited = len(
                workdays.working_days(asked_on + timedelta(days=1), today)
            )
    return requests


def _open(requests: list[InfoRequest]) -> InfoRequest | None:
    return next((info for info in requests if info.is_open), None)


def _shown(requests: list[InfoRequest]) -> dict:
    """The open request and those that ended, as every page shows them."""
    return {
        "open_request": _open(requests),
        "past_requests": [info for info in requests if not info.is_open],
    }


def _form(bound: dict, name: str, make):
    """The refused form of that name if there is one, else a new one."""
    return bound.get(name) or make()


def member_panel(petition: Petition, *, today: date, **bound) -> dict:
    """The enterprise's part: the open request, prominent, with the form to answer it;
    the requests answered before."""
    requests = _requests(petition, today)
    open_request = _open(requests)
    return {
        **_shown(requests),
        "info_answer_form": _form(
            bound,
            "info_answer_form",
            lambda: forms_clock.InfoAnswerForm(auto_id="info_answer_%s"),
        )
        if open_request
        else None,
    }


def may_ask_enterprise(petition: Petition) -> bool:
    """Signed for, not replied yet, no request open (as `services.ask_enterprise`)."""
    return petition.status == S.IN_PROGRESS and petition.department_replied_at is None


def department_panel(petition: Petition, *, today: date, **bound) -> dict:
    """The department's part: ask the enterprise for something, the open request and
    its deadline; its extension (asked once, on or before the due date) and the
    chamber's decision."""
    requests = _requests(petition, today)
    extension = (
        Extension.objects.filter(
            petition=petition, department_id=petition.department_id
        )
        .select_related("decided_by")
        .first()
    )
    may_extend = (
        extension is None
        and petition.is_waiting_at_department
        and today <= petition.due_on
    )
    return {
        **_shown(requests),
        "info_form": _info_form(petition, bound),
        "extension": extension,
        "extension_form": _form(
            bound,
            "extension_form",
            lambda: forms_clock.ExtensionForm(auto_id="extension_%s"),
        )
        if may_extend
        else None,
    }


def _info_form(petition: Petition, bound: dict):
    """The form asking the enterprise for something, where the petition allows it (the
    department's page and the staff's alike)."""
    if not may_ask_enterprise(petition):
        return None
    return _form(
        bound, "info_form", lambda: forms_clock.InfoRequestForm(auto_id="ask_%s")
    )


def staff_panel(
    petition: Petition, *, today: date, now: datetime | None = None, **bound
) -> dict:
    """The staff's part: the return visit of a replied answer and the visits recorded;
    ask the enterprise, and close its request once the deadline has passed; the
    extensions, and the decision on the one asked."""
    requests = _requests(petition, today)
    open_request = _open(requests)
    extensions = list(
        petition.extensions.select_related("department", "asked_by", "decided_by")
    )
    asked = next((e for e in extensions if e.status == Extension.Status.ASKED), None)
    replied = petition.status == S.REPLIED
    return {
        **_shown(requests),
        "info_form": _info_form(petition, bound),
        "close_form": _form(
            bound,
            "close_form",
            lambda: forms_clock.CloseInfoRequestForm(auto_id="close_%s"),
        )
        if open_request and open_request.past_deadline
        else None,
        # The one asked is shown with its decision form; the decided ones as a list.
        "decided_extensions": [e for e in extensions if e is not asked],
        "asked_extension": asked,
        "decision_form": _form(
            bound,
            "decision_form",
            lambda: forms_clock.ExtensionDecisionForm(auto_id="decide_%s"),
        )
        if asked
        else None,
        "return_visits": list(petition.return_visits.select_related("staff")),
        "visit_form": _form(
            bound,
            "visit_form",
            lambda: forms_clock.ReturnVisitForm(auto_id="visit_%s", now=now),
        )
        if replied
        else None,
    }
