"""The clock's actions on a petition's pages: 待企业补充, 延期 and 回访.

The enterprise answers a request to it (`answer_request`); the department asks the
enterprise for something or asks for an extension (`department_clock`); staff ask the
enterprise too, close a request left unanswered past its deadline, decide on an
extension and record a return visit (`staff_clock`). Each calls one service (the answer
also stores its files); a refused form comes back on the petition's page with what was
typed and its errors, a refusal by the service as a message. The access rules are
petitions/views.py's: another enterprise's or department's petition is a 404.
"""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chamber.decorators import member_required, staff_required
from petitions import forms_clock, services
from petitions.models import Extension, Petition
from petitions.views import (
    _department_page,
    _get_petition_for_member,
    _get_petition_for_official,
    _get_petition_for_staff,
    _member_page,
    _run_service,
    _staff_page,
    official_required,
)

# --- the enterprise ----------------------------------------------------------------------


@require_POST
@member_required
def answer_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise answers the department's request (待企业补充), files attached."""
    petition = _get_petition_for_member(request, pk)
    form = forms_clock.InfoAnswerForm(
        request.POST, request.FILES, auto_id="info_answer_%s"
    )
    if form.is_valid() and _run_service(
        request,
        lambda: _answer(petition, request.user, **form.cleaned_data),
        _("Thank you: your answer was sent to the department."),
    ):
        return redirect(petition)
    return _member_page(request, petition, info_answer_form=form)


@transaction.atomic
def _answer(petition: Petition, user, *, answer: str, files: list) -> None:
    """The answer, then its files: a file refused undoes the answer, so nothing is half
    sent."""
    services.answer_info_request(petition=petition, actor=user, answer=answer)
    if files:
        services.attach_files(petition=petition, files=files, actor=user)


# --- the department ----------------------------------------------------------------------

# action: (its form, the form's name on the page, the service, what success says)
DEPARTMENT_CLOCK = {
    "ask": (
        forms_clock.InfoRequestForm,
        "info_form",
        services.ask_enterprise,
        gettext_lazy(
            "The enterprise was asked; the time limit stops until it answers."
        ),
    ),
    "extension": (
        forms_clock.ExtensionForm,
        "extension_form",
        services.ask_extension,
        gettext_lazy("The extension was asked; the chamber decides on it."),
    ),
}


@require_POST
@official_required
def department_clock(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DEPARTMENT_CLOCK:
        raise Http404
    petition = _get_petition_for_official(request, pk)
    form_class, name, service, success = DEPARTMENT_CLOCK[action]
    form = form_class(request.POST, auto_id=f"{action}_%s")
    if form.is_valid() and _run_service(
        request,
        lambda: service(petition=petition, actor=request.user, **form.cleaned_data),
        success,
    ):
        return redirect("petitions:department_detail", pk=pk)
    return _department_page(request, petition, **{name: form})


# --- staff -------------------------------------------------------------------------------


def _decide(*, petition: Petition, actor, decision: str, note: str) -> Extension:
    """The extension asked on the petition, approved or refused."""
    extension = petition.extensions.filter(status=Extension.Status.ASKED).first()
    if extension is None:
        raise services.PetitionError(_("No extension is waiting for a decision."))
    return services.decide_extension(
        extension=extension,
        actor=actor,
        approve=decision == forms_clock.ExtensionDecisionForm.APPROVE,
        note=note,
    )


def _visit(*, petition: Petition, actor, comment: str, **answers):
    return services.record_return_visit(
        petition=petition, actor=actor, note=comment, **answers
    )


# action: (its form, the form's auto_id and name on the page, the call, success)
STAFF_CLOCK = {
    "ask": (
        forms_clock.InfoRequestForm,
        "ask",
        "info_form",
        services.ask_enterprise,
        gettext_lazy(
            "The enterprise was asked; the time limit stops until it answers."
        ),
    ),
    "close": (
        forms_clock.CloseInfoRequestForm,
        "close",
        "close_form",
        services.close_info_request,
        gettext_lazy("The request was closed; the department's time limit runs again."),
    ),
    "extension": (
        forms_clock.ExtensionDecisionForm,
        "decide",
        "decision_form",
        _decide,
        gettext_lazy("The decision was sent to the department."),
    ),
    "visit": (
        forms_clock.ReturnVisitForm,
        "visit",
        "visit_form",
        _visit,
        gettext_lazy("The return visit was recorded as the enterprise's rating."),
    ),
}


@require_POST
@staff_required
def staff_clock(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STAFF_CLOCK:
        raise Http404
    petition = _get_petition_for_staff(pk)
    form_class, prefix, name, call, success = STAFF_CLOCK[action]
    kwargs = {"now": timezone.now()} if action == "visit" else {}
    form = form_class(request.POST, auto_id=f"{prefix}_%s", **kwargs)
    if form.is_valid() and _run_service(
        request,
        lambda: call(petition=petition, actor=request.user, **form.cleaned_data),
        success,
    ):
        return redirect("petitions:staff_detail", pk=pk)
    return _staff_page(request, petition, **{name: form})
