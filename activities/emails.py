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
