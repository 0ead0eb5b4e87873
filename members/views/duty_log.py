"""The duty log (坐班日志): the representative on duty records visitors; staff read the log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from chamber.uploads import download_response
from members import duty_log_selectors as selectors
from members.forms.duty_log import DutyLogEntryForm, DutyLogFilterForm
from members.models import DutyLogAttachment, DutyLogEntry, DutyShift
from members.services import duty_log as services

STAFF_PAGE_SIZE = 25
READ_METHODS = ("GET", "HEAD")


def _shift_to_record(request: HttpRequest) -> DutyShift | None:
    """The week the user records visits for: their own duty week, or for staff this week's."""
    today = timezone.localdate()
    user_roles = roles_of(request.user)
    if user_roles.member is not None:
        shift = services.shift_on_duty(member=user_roles.member, on=today)
        if shift is not None:
            return shift
    if user_roles.is_staff:
        return selectors.current_shift(on=today)
    return None


def _get_entry_for_user(request: HttpRequest, pk: int) -> DutyLogEntry:
    """The entry, if the user recorded it or is staff; 404 otherwise."""
    entries = DutyLogEntry.objects.select_related(
        "shift__representative__user", "enterprise", "recorded_by"
    )
    if not roles_of(request.user).is_staff:
        entries = entries.filter(recorded_by=request.user)
    return get_object_or_404(entries, pk=pk)


def _get_attachment_for_user(request: HttpRequest, pk: int) -> DutyLogAttachment:
    """The attachment, if the user recorded its entry or is staff; 404 otherwise."""
    attachments = DutyLogAttachment.objects.all()
    if not roles_of(request.user).is_staff:
        attachments = attachments.filter(entry__recorded_by=request.user)
    return get_object_or_404(attachments, pk=pk)


def _not_on_duty(request: HttpRequest) -> HttpResponse:
    """The friendly empty state: when the representative's next duty week is."""
    if request.method == "POST":
        raise PermissionDenied
    member = roles_of(request.user).member
    upcoming = None
    if member is not None:
        upcoming = selectors.next_shift(member=member, on=timezone.localdate())
    return render(request, "members/dutylog_list.html", {"next_shift": upcoming})


@role_required(Role.REPRESENTATIVE, Role.STAFF)
def duty_log(request: HttpRequest) -> HttpResponse:
    """During their duty week, the representative records visitors and sees this week's."""
    shift = _shift_to_record(request)
    if shift is None:
        return _not_on_duty(request)
    form = DutyLogEntryForm(request.POST or None, request.FILES or None, shift=shift)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        try:
            services.record_visit(
                member=roles_of(request.user).member,
                shift=shift,
                actor=request.user,
                files=form.cleaned_data["files"],
                **data,
            )
        except services.DutyLogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("members:duty_log")
    recorded_by = None if roles_of(request.user).is_staff else request.user
    entries = selectors.week_entries(shift=shift, recorded_by=recorded_by)
    context = {"shift": shift, "form": form, "entries": entries}
    return render(request, "members/dutylog_list.html", context)


@login_required
def log_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit with its attachments, for the representative who recorded it and staff."""
    entry = _get_entry_for_user(request, pk)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    context = {"entry": entry, "attachments": list(entry.attachments.all())}
    return render(request, "members/dutylog_detail.html", context)


@staff_required
def staff_duty_log(request: HttpRequest) -> HttpResponse:
    """Staff read the whole log, newest first, by week and with or without an appeal."""
    form = DutyLogFilterForm(request.GET or None)
    form.is_valid()  # a bad value drops that filter only
    filters = getattr(form, "cleaned_data", {})
    entries = selectors.log_entries(
        shift=filters.get("week"), has_appeal=bool(filters.get("appeal"))
    )
    page = Paginator(entries, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render(request, "members/dutylog_staff_list.html", context)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Download one attachment, always as a file to save, never shown in the browser."""
    found = _get_attachment_for_user(request, pk)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    return download_response(found)
