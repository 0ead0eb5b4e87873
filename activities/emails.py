"""The activities app's e-mails, one function per kind (STYLE B8).

Each writes its messages to the outbox (chamber/outbox.py) in the caller's transaction,
once per key: the change and its messages commit together.
"""

from django.urls import reverse

from activities.models import Activity, Registration
from chamber import outbox
from chamber.models import User


def _about(registration: Registration) -> dict:
    return {
        "activity": registration.activity,
        "path": registration.activity.get_absolute_url(),
    }


def registered(registration: Registration) -> None:
    """Tell a member they have a place (报名成功); not when they are on the waiting
    list (they hear `promoted` when a place frees up). Once per registration."""
    if registration.status != Registration.Status.REGISTERED:
        return
    outbox.queue(
        f"activity-registered:{registration.pk}",
        "activity-registered",
        registration.member.user,
        {**_about(registration), "attendee": registration.attendee_name},
    )


def promoted(registration: Registration) -> None:
    """Tell a member they moved up from the waiting list."""
    outbox.queue(
        f"activity-promoted:{registration.pk}",
        "activity-promoted",
        registration.member.user,
        _about(registration),
    )


def cancelled(activity: Activity) -> None:
    """Tell everyone registered or waiting that the activity is cancelled."""
    registrations = (
        Registration.objects.filter(activity=activity)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("member__user")
    )
    context = {"activity": activity, "path": activity.get_absolute_url()}
    outbox.queue_all(
        outbox.Notice(
            f"activity-cancelled:{activity.pk}:{registration.member_id}",
            "activity-cancelled",
            registration.member.user,
            context,
        )
        for registration in registrations
    )


def reminders(registrations: list[Registration]) -> int:
    """Remind registered members of tomorrow's activity; how many messages are new."""
    return len(
        outbox.queue_all(
            outbox.Notice(
                f"activity-reminder:{r.activity_id}:{r.member_id}",
                "activity-reminder",
                r.member.user,
                _about(r),
            )
            for r in registrations
        )
    )


def groups_without_activity(groups: list, month: str) -> None:
    """Warn each group's leaders and the staff that the group has held nothing this month."""
    staff = list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))
    notices = []
    for group in groups:
        leaders = [m.member.user for m in group.memberships.all() if m.is_leader]
        context = {
            "group": group,
            "month": month,
            "path": reverse("activities:duties", args=[group.year]),
        }
        notices += [
            outbox.Notice(
                f"group-duty:{group.pk}:{month}:{user.pk}",
                "group-without-activity",
                user,
                context,
            )
            for user in [*leaders, *staff]
        ]
    outbox.queue_all(notices)
