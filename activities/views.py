"""Pages of activities: the public list and detail, sign-up, my activities, platforms, check-in."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import ical, paper, selectors, services
from activities.models import (
    Activity,
    ActivityPhoto,
    Attendance,
    Campaign,
    Platform,
    Registration,
)
from chamber import documents, pagecache
from chamber.decorators import member_required, role_required, staff_required
from chamber.roles import Role, roles_of
from chamber.text import search_words
from members.models import CalendarFeed, Member
from members.services import feeds


def _sees_members_only_activities(request: HttpRequest) -> bool:
    return request.user.is_authenticated and (
        roles_of(request.user).is_member or roles_of(request.user).is_staff
    )


def _visible(request: HttpRequest):
    """Published activities; the ones not on the public site only for members and staff."""
    activities = Activity.objects.published().select_related(
        "type", "platform", "series"
    )
    if not _sees_members_only_activities(request):
        activities = activities.filter(is_public=True)
    return activities


def activity_list(request: HttpRequest) -> HttpResponse:
    """Coming activities first, then the last ones held; the list is the same for every
    reader who sees the same activities, kept in the cache until one changes (or a
    minute passes: an activity starts or ends)."""
    now = timezone.now()
    members_too = _sees_members_only_activities(request)

    def build() -> str:
        visible = _visible(request).annotate(
            taken=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.REGISTERED),
            )
        )
        upcoming = list(visible.filter(ends_at__gte=now).order_by("starts_at")[:30])
        for activity in upcoming:
            # 已满 · 可候补: every place is taken, and the waiting list is still open.
            activity.waiting_list_only = (
                activity.capacity is not None
                and activity.taken >= activity.capacity
                and activity.starts_at > now
                and (
                    activity.signup_closes_at is None or activity.signup_closes_at > now
                )
            )
        context = {
            "upcoming": upcoming,
            "past": list(visible.filter(ends_at__lt=now).order_by("-starts_at")[:20]),
        }
        return render_to_string("activities/includes/activity_list.html", context)

    lists = pagecache.fragment(
        "activities",
        members_too,
        now.replace(second=0, microsecond=0),
        build=build,
        scope=selectors.ACTIVITIES_SCOPE,
    )
    return render(request, "activities/activity_list.html", {"lists": lists})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        _visible(request).prefetch_related("co_hosts", "awareness", "organisers__user"),
        pk=pk,
    )
    member = roles_of(request.user).member
    mine, colleagues = None, []
    if member:
        live = Registration.objects.filter(activity=activity, member=member).exclude(
            status=Registration.Status.CANCELLED
        )
        for registration in live:
            if registration.attendee_name:
                colleagues.append(registration)
            else:
                mine = registration
    taken = activity.registrations.filter(status=Registration.Status.REGISTERED).count()
    context = {
        "activity": activity,
        "mine": mine,
        "taken": taken,
        "free": None
        if activity.capacity is None
        else max(activity.capacity - taken, 0),
        "started": activity.starts_at <= timezone.now(),
        "colleagues": colleagues,
        "for_staff_of_enterprises": bool(
            activity.campaign_id
            and activity.campaign.kind == Campaign.Kind.SERVICE_MONTH
        ),
    }
    return render(request, "activities/activity_detail.html", context)


@require_POST
@member_required
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    try:
        services.sign_up(
            activity=activity,
            member=roles_of(request.user).member,
            attendee_name=search_words(
                request.POST.get("attendee_name", ""), limit=200
            ),
        )
    except services.ActivityError as exc:
        messages.error(request, str(exc))
    # On success the activity's page tells the place or the waiting list, once.
    return redirect(activity)


@require_POST
@member_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = roles_of(request.user).member
    registration = get_object_or_404(
        Registration.objects.select_related("activity"), pk=pk, member=member
    )
    try:
        services.cancel_registration(registration=registration, member=member)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect(registration.activity)


@member_required
def my_activities(request: HttpRequest) -> HttpResponse:
    """The member's coming activities, the ones attended and the ones missed, each once."""
    member = roles_of(request.user).member
    context = {
        **selectors.my_activities(member=member, now=timezone.now()),
        "feed": CalendarFeed.objects.filter(
            user=request.user,
            kind=CalendarFeed.Kind.MY_ACTIVITIES,
            revoked_at__isnull=True,
        ).first(),
        "new_feed_url": request.session.pop("new_activities_feed_url", None),
    }
    return render(request, "activities/my_activities.html", context)


def platform(request: HttpRequest, pk: int) -> HttpResponse:
    """A platform: what it is, its contacts and founding status, members and activities."""
    found = get_object_or_404(
        Platform.objects.prefetch_related(
            "enterprises", "members__user", "members__enterprise"
        ),
        pk=pk,
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
        typed = request.POST.get("member", "")  # an id; anything else finds nobody
        member = get_object_or_404(Member, pk=typed if typed.isdecimal() else None)
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
    closed_reason = services.check_in_closed_reason(activity=activity)
    query = search_words(request.GET.get("q", ""), limit=50)
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
    colleagues = (
        Registration.objects.filter(
            activity=activity, status=Registration.Status.REGISTERED
        )
        .exclude(attendee_name="")
        .select_related("member__enterprise")
    )
    context = {
        "closed_reason": closed_reason,
        "colleagues": colleagues,
        "activity": activity,
        "with_proofs": bool(
            activity.campaign_id
            and activity.campaign.kind == Campaign.Kind.SERVICE_MONTH
        ),
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
        reason=search_words(request.POST.get("reason", ""), limit=200),
    )
    messages.success(request, _("The check-in was undone; its points were reversed."))
    return redirect("activities:checkin", pk=attendance.activity_id)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "max-age=300"
    return response


def public_calendar(request: HttpRequest) -> HttpResponse:
    """The public activities as a calendar to subscribe to."""
    activities = (
        Activity.objects.published().filter(is_public=True).select_related("series")
    )
    body = ical.activities_calendar(
        activities=list(activities.order_by("-starts_at")[:200]),
        name=_("Chamber activities"),
    )
    return _ics(body, "activities.ics")


def activity_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """'Add to calendar' for one activity."""
    activity = get_object_or_404(_visible(request), pk=pk)
    return _ics(
        ical.activities_calendar(activities=[activity], name=str(activity)),
        f"activity-{pk}.ics",
    )


def my_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private calendar of the activities they signed up for; 404 for a wrong token."""
    feed = feeds.feed_for_token(token)
    if feed is None or feed.kind != CalendarFeed.Kind.MY_ACTIVITIES:
        raise Http404
    member = getattr(feed.user, "member", None)
    if member is None:
        raise Http404
    activities = (
        # One filter() call: the member's own registration must be the live one.
        Activity.objects.filter(
            registrations__member=member,
            registrations__status=Registration.Status.REGISTERED,
        )
        .exclude(status=Activity.Status.DRAFT)
        .select_related("series")
        .distinct()
    )
    return _ics(
        ical.activities_calendar(activities=list(activities), name=_("My activities")),
        "my-activities.ics",
    )


@require_POST
@member_required
def renew_my_calendar(request: HttpRequest) -> HttpResponse:
    token = feeds.renew_feed(user=request.user, kind=CalendarFeed.Kind.MY_ACTIVITIES)
    request.session["new_activities_feed_url"] = request.build_absolute_uri(
        reverse("activities:my_calendar", args=[token])
    )
    messages.success(
        request, _("Your new calendar link is below; the old one no longer works.")
    )
    return redirect("activities:mine")


@require_POST
@member_required
def revoke_my_calendar(request: HttpRequest) -> HttpResponse:
    feeds.revoke_feed(user=request.user, kind=CalendarFeed.Kind.MY_ACTIVITIES)
    messages.success(request, _("The calendar link no longer works."))
    return redirect("activities:mine")


@staff_required
def duties(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Groups × months: did each group hold an activity, and has it led a large or medium one."""
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    context = {
        "year": year,
        "years": selectors.group_years(),
        "rows": selectors.group_duty_grid(year=year),
        "months": range(1, 13),
        "this_month": timezone.localdate().month
        if year == timezone.localdate().year
        else 13,
    }
    return render(request, "activities/duties.html", context)


@staff_required
def attendance_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance list of an activity as an Excel file (formula-safe cells)."""
    from io import BytesIO

    from openpyxl import Workbook

    from chamber.exports import safe_cell
    from chamber.times import spreadsheet_cell

    activity = get_object_or_404(Activity, pk=pk)
    rows = (
        Attendance.objects.filter(activity=activity, undone_at__isnull=True)
        .select_related("member__user", "member__enterprise", "checked_in_by")
        .order_by("checked_in_at")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = _("attendance")[:31]
    sheet.append(
        [
            _("member"),
            _("enterprise"),
            _("mobile phone"),
            _("checked in at"),
            _("checked in by"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                safe_cell(row.member.user.get_full_name()),
                safe_cell(row.member.enterprise.name),
                safe_cell(row.member.mobile),
                spreadsheet_cell(row.checked_in_at),
                safe_cell(row.checked_in_by.get_full_name()),
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="attendance-{activity.pk}.xlsx"'
    )
    return response


@staff_required
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable QR code for the door: members scan it to check themselves in."""
    import segno

    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    url = request.build_absolute_uri(
        reverse(
            "activities:self_checkin", args=[pk, services.self_checkin_token(activity)]
        )
    )
    qr = segno.make(url, error="m")
    context = {
        "activity": activity,
        "url": url,
        "svg": qr.svg_inline(scale=6, omitsize=True),
    }
    return render(request, "activities/checkin_qr.html", context)


@staff_required
def signup_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable QR code of the activity's page, where members sign up."""
    import segno

    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    context = _signup_poster(request, activity)
    context |= {
        "activity": activity,
        "svg": segno.make(context["url"], error="m").svg_inline(scale=6, omitsize=True),
        "back": activity.get_absolute_url(),
        "pdf": reverse("activities:signup_poster_pdf", args=[pk]),
    }
    return render(request, "activities/signup_poster.html", context)


def _signup_poster(request: HttpRequest, activity: Activity) -> dict:
    """What an activity's sign-up poster says, on the page and on paper."""
    return {
        "title": str(activity),
        "heading": _("Scan to sign up"),
        "instructions": _(
            "Scan with your phone, log in as a member and sign up on the activity's page."
        ),
        "url": request.build_absolute_uri(activity.get_absolute_url()),
    }


@staff_required
def signup_poster_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity's sign-up poster as PDF, A4 or A3 (`?size=a3`)."""
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    words = _signup_poster(request, activity)
    size = paper.poster_size(request.GET.get("size"))
    context = paper.poster_context(**words, size=size, when=paper.when_of(activity))
    return documents.download(
        documents.render_pdf(paper.SIGNUP_POSTER, context),
        filename=paper.poster_filename(words["heading"], words["title"], size),
        content_type=documents.PDF,
    )


def _get_attendance_for_user(request: HttpRequest, pk: int) -> Attendance:
    """An attendance with a proof: staff reach any, a member only their own; 404
    otherwise (undone, or not at a service-month session, included)."""
    attendances = paper.proof_attendances()
    roles = roles_of(request.user)
    if not roles.is_staff:
        attendances = attendances.filter(member=roles.member)
    return get_object_or_404(attendances, pk=pk)


@role_required(Role.MEMBER, Role.STAFF)
def attendance_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The proof that a member attended a service-month session (参加活动证明), as PDF."""
    attendance = _get_attendance_for_user(request, pk)
    content = documents.render_pdf(
        paper.ATTENDANCE, paper.attendance_context(attendance)
    )
    return documents.download(
        content,
        filename=paper.attendance_filename(attendance),
        content_type=documents.PDF,
    )


@member_required
def self_checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What a member's phone opens after scanning the door's QR code: one tap to check in."""
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    if request.method == "POST":
        try:
            services.self_check_in(
                activity=activity, member=roles_of(request.user).member, token=token
            )
        except services.ActivityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(activity)
    context = {
        "activity": activity,
        "closed_reason": services.check_in_closed_reason(activity=activity),
    }
    return render(request, "activities/self_checkin.html", context)


def platforms(request: HttpRequest) -> HttpResponse:
    """The platforms of the method, kind by kind in its order: the base, stations, small chambers, the Yingkou chamber."""
    found = selectors.platforms_in_method_order().annotate(
        active=Count(
            "activities", filter=Q(activities__status=Activity.Status.PUBLISHED)
        )
    )
    return render(request, "activities/platform_list.html", {"platforms": found})


@pagecache.anonymous_page
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """A publicity week or service month with its activities and its published articles.

    The list part is cached with the news site's parts (chamber.pagecache), one copy for
    the public and one for members and staff, who also see the members-only activities.
    The articles are publicity's part of the page, added by its `{% campaign_articles %}`
    tag: activities sits above publicity and never imports it.
    """
    from django.template.loader import render_to_string

    found = get_object_or_404(Campaign, pk=pk)
    visible = _visible(request)
    audience = "members" if _sees_members_only_activities(request) else "public"

    def build() -> str:
        activities = visible.filter(campaign=found).order_by("starts_at")
        context = {"campaign": found, "activities": activities}
        return render_to_string(
            "activities/includes/campaign_body.html", context, request
        )

    body = pagecache.fragment("campaign", found.pk, audience, build=build)
    return render(
        request, "activities/campaign_detail.html", {"campaign": found, "body": body}
    )


def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A write-up photo, for whoever may see its activity; never served from MEDIA directly."""
    from django.http import FileResponse

    found = get_object_or_404(
        ActivityPhoto.objects.filter(activity__in=_visible(request)), pk=pk
    )
    try:
        handle = found.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=found.content_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "max-age=86400"
    return response


@require_POST
@staff_required
def mark_colleague_present(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=pk)
    try:
        services.mark_attended(registration=registration, actor=request.user)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s is checked in.") % {"name": registration.attendee_name}
        )
    return redirect("activities:checkin", pk=registration.activity_id)
