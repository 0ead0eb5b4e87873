"""Pages of activities: the public list and detail, sign-up, my activities, platforms, check-in."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import services
from activities.models import Activity, Attendance, Platform, Registration
from chamber.decorators import member_required, staff_required
from chamber.roles import roles_of
from members.models import Member


def _visible(request: HttpRequest):
    """Published activities; the ones not on the public site only for members and staff."""
    activities = Activity.objects.published().select_related(
        "type", "platform", "series"
    )
    if not request.user.is_authenticated or not (
        roles_of(request.user).is_member or roles_of(request.user).is_staff
    ):
        activities = activities.filter(is_public=True)
    return activities


def activity_list(request: HttpRequest) -> HttpResponse:
    """Coming activities first, then the last ones held."""
    now = timezone.now()
    visible = _visible(request).annotate(
        taken=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.REGISTERED),
        )
    )
    context = {
        "upcoming": list(visible.filter(ends_at__gte=now).order_by("starts_at")[:30]),
        "past": list(visible.filter(ends_at__lt=now).order_by("-starts_at")[:20]),
    }
    return render(request, "activities/activity_list.html", context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        _visible(request).prefetch_related("co_hosts", "awareness", "organisers__user"),
        pk=pk,
    )
    member = roles_of(request.user).member
    mine = (
        Registration.objects.filter(activity=activity, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
        if member
        else None
    )
    taken = activity.registrations.filter(status=Registration.Status.REGISTERED).count()
    context = {
        "activity": activity,
        "mine": mine,
        "taken": taken,
        "free": None
        if activity.capacity is None
        else max(activity.capacity - taken, 0),
        "started": activity.starts_at <= timezone.now(),
    }
    return render(request, "activities/activity_detail.html", context)


@require_POST
@member_required
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    try:
        registration = services.sign_up(
            activity=activity, member=roles_of(request.user).member
        )
    except services.ActivityError as exc:
        messages.error(request, str(exc))
    else:
        if registration.status == Registration.Status.WAITING:
            messages.info(
                request,
                _(
                    "The places are taken: you are on the waiting list and will be told if a place frees up."
                ),
            )
        else:
            messages.success(request, _("You are signed up."))
    return redirect(activity)


@require_POST
@member_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = roles_of(request.user).member
    registration = get_object_or_404(Registration, pk=pk, member=member)
    try:
        services.cancel_registration(registration=registration, member=member)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect("activities:mine")


@member_required
def my_activities(request: HttpRequest) -> HttpResponse:
    """Registered, waiting and attended activities of the member."""
    member = roles_of(request.user).member
    registrations = (
        Registration.objects.filter(member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("activity__type")
        .order_by("-activity__starts_at")
    )
    attended = (
        Attendance.objects.filter(member=member, undone_at__isnull=True)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )
    context = {
        "registrations": registrations,
        "attended": attended,
        "now": timezone.now(),
    }
    return render(request, "activities/my_activities.html", context)


def platform(request: HttpRequest, pk: int) -> HttpResponse:
    """A platform with its activities and members."""
    found = get_object_or_404(
        Platform.objects.prefetch_related("enterprises", "members__user"), pk=pk
    )
    activities = _visible(request).filter(platform=found).order_by("-starts_at")[:30]
    return render(
        request,
        "activities/platform_detail.html",
        {"platform": found, "activities": activities},
    )


@staff_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff mark attendance at the door from a phone: registered members first, search for others."""
    activity = get_object_or_404(
        Activity.objects.published().select_related("type"), pk=pk
    )
    if request.method == "POST":
        member = get_object_or_404(Member, pk=request.POST.get("member"))
        try:
            services.check_in(activity=activity, member=member, actor=request.user)
        except services.ActivityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is checked in.") % {"name": member.user.get_full_name()},
            )
        return redirect("activities:checkin", pk=pk)
    query = request.GET.get("q", "").strip()[:50]
    present = set(
        Attendance.objects.filter(
            activity=activity, undone_at__isnull=True
        ).values_list("member_id", flat=True)
    )
    members = Member.objects.in_directory().select_related("user", "enterprise")
    if query:
        members = members.filter(
            Q(user__full_name__icontains=query) | Q(enterprise__name__icontains=query)
        )
    else:
        members = members.filter(
            registrations__activity=activity,
            registrations__status=Registration.Status.REGISTERED,
        )
    context = {
        "activity": activity,
        "members": list(members.order_by("user__full_name")[:50]),
        "present": present,
        "attendances": Attendance.objects.filter(
            activity=activity, undone_at__isnull=True
        ).select_related("member__user"),
        "q": query,
    }
    return render(request, "activities/checkin.html", context)


@require_POST
@staff_required
def undo_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = get_object_or_404(Attendance, pk=pk)
    services.undo_check_in(
        attendance=attendance,
        actor=request.user,
        reason=request.POST.get("reason", "")[:200],
    )
    messages.success(request, _("The check-in was undone; its points were reversed."))
    return redirect("activities:checkin", pk=attendance.activity_id)
