"""The activities app's e-mails, one function per kind (STYLE B8)."""

from activities.models import Activity, Registration
from chamber.emails import send_once


def promoted(registration_id: int) -> None:
    registration = Registration.objects.select_related("activity", "member__user").get(
        pk=registration_id
    )
    if (
        registration.status != Registration.Status.REGISTERED
        or registration.activity.status != Activity.Status.PUBLISHED
    ):
        return
    send_once(
        f"activity-promoted:{registration.pk}",
        "activity-promoted",
        registration.member.user,
        {
            "activity": registration.activity,
            "path": registration.activity.get_absolute_url(),
        },
    )


def cancelled(activity_id: int) -> None:
    activity = Activity.objects.get(pk=activity_id)
    registrations = (
        Registration.objects.filter(activity=activity)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("member__user")
    )
    for registration in registrations:
        send_once(
            f"activity-cancelled:{activity.pk}:{registration.member_id}",
            "activity-cancelled",
            registration.member.user,
            {"activity": activity, "path": activity.get_absolute_url()},
        )


def reminder(registration_id: int) -> None:
    registration = Registration.objects.select_related("activity", "member__user").get(
        pk=registration_id
    )
    if (
        registration.status != Registration.Status.REGISTERED
        or registration.activity.status != Activity.Status.PUBLISHED
    ):
        return
    send_once(
        f"activity-reminder:{registration.activity_id}:{registration.member_id}",
        "activity-reminder",
        registration.member.user,
        {
            "activity": registration.activity,
            "path": registration.activity.get_absolute_url(),
        },
    )


def group_without_activity(group_id: int, month: str) -> None:
    from django.urls import reverse

    from chamber.models import User
    from groups.models import ActivityGroup

    group = ActivityGroup.objects.get(pk=group_id)
    leaders = [
        m.member.user
        for m in group.memberships.filter(is_leader=True).select_related("member__user")
    ]
    staff = list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))
    for user in [*leaders, *staff]:
        send_once(
            f"group-duty:{group.pk}:{month}:{user.pk}",
            "group-without-activity",
            user,
            {
                "group": group,
                "month": month,
                "path": reverse("activities:duties", args=[group.year]),
            },
        )
