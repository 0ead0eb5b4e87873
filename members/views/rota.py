"""Pages of the weekly duty rota: the rota, a representative's shifts, the staff page, feeds."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chamber import pagecache
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from members import ical, selectors
from members.forms import PeriodForm, ShiftEditForm, SwapAskForm, UnavailabilityForm
from members.models import (
    CalendarFeed,
    DutyShift,
    DutyStudio,
    SwapRequest,
    Unavailability,
)
from members.services import feeds
from members.services import rota as services
from members.services.rota import RotaError, half_year, monday, next_unplanned_period

NEW_FEED_SESSION_KEY = "new_feed_url"


def _me(request: HttpRequest):
    member = roles_of(request.user).member
    if member is None:
        raise Http404
    return member


def _run(request: HttpRequest, action, success: str) -> None:
    """Call a rota service; show its refusal, or the success message."""
    try:
        action()
    except RotaError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


def _rota_weeks(today: date) -> dict:
    """This half-year's weeks and the next half-year's: this week and the coming ones
    first (the page opens at this week), the earlier ones apart."""
    first, last = half_year(today)
    _next_first, next_last = half_year(last + timedelta(days=1))
    shifts = selectors.rota_shifts(first=monday(first), last=next_last, on=today)
    this_monday = monday(today)
    return {
        "shifts": shifts,
        "coming": [s for s in shifts if s.week_start >= this_monday],
        "earlier": [s for s in shifts if s.week_start < this_monday],
        "this_monday": this_monday,
    }


@role_required(Role.MEMBER, Role.STAFF)
def rota(request: HttpRequest) -> HttpResponse:
    """Who sits in the studio this week and the coming ones; this half-year's earlier weeks."""
    today = timezone.localdate()

    def build() -> str:
        context = {**_rota_weeks(today), "studio": DutyStudio.objects.first()}
        return render_to_string("members/includes/rota_content.html", context)

    content = pagecache.fragment("rota", today, build=build, scope=selectors.ROTA_SCOPE)
    return render(request, "members/rota.html", {"content": content})


@role_required(Role.REPRESENTATIVE)
def my_shifts(request: HttpRequest) -> HttpResponse:
    """A representative's weeks, swap requests, declared unavailability and calendar link."""
    member = _me(request)
    today = timezone.localdate()
    mine = list(
        DutyShift.objects.filter(
            representative=member, week_start__gte=monday(today) - timedelta(days=90)
        ).prefetch_related("swap_requests")
    )
    for shift in mine:
        shift.open_swap = next(
            (
                s
                for s in shift.swap_requests.all()
                if s.status == SwapRequest.Status.OPEN
            ),
            None,
        )
    open_swaps = list(
        SwapRequest.objects.filter(
            status=SwapRequest.Status.OPEN, shift__first_day__gt=today
        )
        .exclude(requested_by=member)
        .select_related("shift", "requested_by__user", "requested_by__enterprise")
    )
    takeable = services.takeable_swaps(member=member, swaps=open_swaps)
    context = {
        "member": member,
        "today": today,
        "upcoming": [s for s in mine if not s.has_started(today)],
        "past": [s for s in mine if s.has_started(today)],
        "takeable": takeable,
        "unavailabilities": member.unavailabilities.filter(ends_on__gte=today),
        "unavailability_form": UnavailabilityForm(),
        "swap_form": SwapAskForm(),
        "feed": CalendarFeed.objects.filter(
            user=request.user, kind=CalendarFeed.Kind.MY_SHIFTS, revoked_at__isnull=True
        ).first(),
        "new_feed_url": request.session.pop(NEW_FEED_SESSION_KEY, None),
    }
    return render(request, "members/my_shifts.html", context)


@require_POST
@role_required(Role.REPRESENTATIVE)
def add_unavailability(request: HttpRequest) -> HttpResponse:
    member = _me(request)
    form = UnavailabilityForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("members:my_shifts")
    _run(
        request,
        lambda: services.declare_unavailability(member=member, **form.cleaned_data),
        _("Saved. Staff will be told if it falls in one of your duty weeks."),
    )
    return redirect("members:my_shifts")


@require_POST
@role_required(Role.REPRESENTATIVE)
def delete_unavailability(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    unavailability = get_object_or_404(Unavailability, pk=pk, member=member)
    _run(
        request,
        lambda: services.withdraw_unavailability(
            unavailability=unavailability, member=member
        ),
        _("Removed."),
    )
    return redirect("members:my_shifts")


@require_POST
@role_required(Role.REPRESENTATIVE)
def ask_swap(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    shift = get_object_or_404(DutyShift, pk=pk, representative=member)
    form = SwapAskForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        lambda: services.ask_swap(shift=shift, member=member, reason=reason),
        _("Your request was sent to the other representatives."),
    )
    return redirect("members:my_shifts")


@require_POST
@role_required(Role.REPRESENTATIVE)
def accept_swap(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    swap = get_object_or_404(SwapRequest.objects.exclude(requested_by=member), pk=pk)
    _run(
        request,
        lambda: services.accept_swap(swap=swap, member=member),
        _("You took the week. Thank you!"),
    )
    return redirect("members:my_shifts")


@require_POST
@role_required(Role.REPRESENTATIVE)
def withdraw_swap(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    swap = get_object_or_404(SwapRequest, pk=pk, requested_by=member)
    _run(
        request,
        lambda: services.withdraw_swap(swap=swap, member=member),
        _("Your request was withdrawn; the week stays yours."),
    )
    return redirect("members:my_shifts")


def _feed_kind_for(request: HttpRequest, kind: str) -> str:
    allowed = {
        CalendarFeed.Kind.MY_SHIFTS: Role.REPRESENTATIVE,
        CalendarFeed.Kind.WHOLE_ROTA: Role.STAFF,
    }
    if kind not in allowed or allowed[kind] not in roles_of(request.user):
        raise Http404
    return kind


@require_POST
@role_required(Role.REPRESENTATIVE, Role.STAFF)
def renew_feed(request: HttpRequest, kind: str) -> HttpResponse:
    """A new private calendar link (the old one stops working); shown once."""
    kind = _feed_kind_for(request, kind)
    token = feeds.renew_feed(user=request.user, kind=kind)
    url = request.build_absolute_uri(reverse("members:feed", args=[token]))
    request.session[NEW_FEED_SESSION_KEY] = url
    messages.success(
        request, _("Your new calendar link is below; the old one no longer works.")
    )
    return redirect(
        "members:my_shifts"
        if kind == CalendarFeed.Kind.MY_SHIFTS
        else "members:staff_rota"
    )


@require_POST
@role_required(Role.REPRESENTATIVE, Role.STAFF)
def revoke_feed(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _feed_kind_for(request, kind)
    feeds.revoke_feed(user=request.user, kind=kind)
    messages.success(request, _("The calendar link no longer works."))
    return redirect(
        "members:my_shifts"
        if kind == CalendarFeed.Kind.MY_SHIFTS
        else "members:staff_rota"
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar file behind a private link; 404 for a wrong, revoked or guessed token."""
    found = feeds.feed_for_token(token)
    if found is None:
        raise Http404
    today = timezone.localdate()
    shifts = DutyShift.objects.filter(
        week_start__gte=monday(today) - timedelta(days=180)
    )
    if found.kind == CalendarFeed.Kind.MY_SHIFTS:
        member = getattr(found.user, "member", None)
        if member is None:
            raise Http404
        shifts = shifts.filter(representative=member)
    elif not found.user.is_staff:
        raise Http404
    shifts = shifts.select_related("representative__user", "representative__enterprise")
    name = (
        _("My duty weeks")
        if found.kind == CalendarFeed.Kind.MY_SHIFTS
        else _("Duty rota")
    )
    body = ical.shifts_calendar(
        shifts=list(shifts), name=name, studio=DutyStudio.objects.first()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="duty-rota.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@staff_required
def staff_rota(request: HttpRequest) -> HttpResponse:
    """Staff: generate the rota, see gaps, conflicts and the fairness table, edit a week."""
    today = timezone.localdate()
    weeks = _rota_weeks(today)
    first, last = next_unplanned_period(today=today)
    context = {
        **weeks,
        "form": PeriodForm(initial={"first": first, "last": last}),
        "gaps": [
            s
            for s in weeks["shifts"]
            if s.representative_id is None and not s.has_started(today)
        ],
        "conflicts": selectors.unavailability_conflicts(since=today),
        "fairness": services.fairness(year=today.year),
        "open_swaps": SwapRequest.objects.filter(
            status=SwapRequest.Status.OPEN
        ).select_related("shift", "requested_by__user"),
        "feed": CalendarFeed.objects.filter(
            user=request.user,
            kind=CalendarFeed.Kind.WHOLE_ROTA,
            revoked_at__isnull=True,
        ).first(),
        "new_feed_url": request.session.pop(NEW_FEED_SESSION_KEY, None),
        "year": today.year,
    }
    return render(request, "members/rota_staff.html", context)


@require_POST
@staff_required
def generate(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("members:staff_rota")
    try:
        result = services.generate_rota(actor=request.user, **form.cleaned_data)
    except RotaError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "%(assigned)d weeks assigned, %(kept)d kept as they were, %(gaps)d with nobody free."
            )
            % {
                "assigned": result.assigned,
                "kept": result.kept,
                "gaps": len(result.gaps),
            },
        )
    return redirect("members:staff_rota")


@staff_required
def edit_shift(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff put someone on a week by hand; the change and its reason are recorded."""
    shift = get_object_or_404(
        DutyShift.objects.select_related("representative__user"), pk=pk
    )
    choices = services.candidates(first=shift.first_day, last=shift.last_day)
    form = ShiftEditForm(
        request.POST or None,
        choices=choices,
        initial={"representative": shift.representative},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shift_representative(
                shift=shift,
                member=form.cleaned_data["representative"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except RotaError as exc:
            form.add_error("representative", str(exc))
        else:
            messages.success(request, _("The week was changed."))
            return redirect("members:staff_rota")
    changes = shift.changes.select_related(
        "from_member__user", "to_member__user", "actor"
    )
    return render(
        request,
        "members/shift_form.html",
        {"form": form, "shift": shift, "changes": changes},
    )
