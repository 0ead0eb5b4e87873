"""The members app's e-mails: duty reminders and swap news, one function per kind (STYLE B8)."""

from django.urls import reverse

from chamber.emails import send_once, send_to_user
from chamber.models import User
from members.models import DutyStudio, ShiftReminder, SwapRequest, Unavailability


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))


def _my_shifts_url() -> str:
    return reverse("members:my_shifts")


def shift_reminder(reminder: ShiftReminder) -> None:
    send_to_user(
        "rota-reminder",
        reminder.member.user,
        {
            "shift": reminder.shift,
            "kind": reminder.kind,
            "studio": DutyStudio.objects.first(),
            "path": _my_shifts_url(),
        },
    )


def _swap(swap_id: int) -> SwapRequest:
    return SwapRequest.objects.select_related(
        "shift", "requested_by__user", "accepted_by__user"
    ).get(pk=swap_id)


def swap_requested(swap_id: int) -> None:
    from members.services.rota import eligible_takers

    swap = _swap(swap_id)
    if swap.status != SwapRequest.Status.OPEN:
        return
    for member in eligible_takers(swap=swap):
        send_once(
            f"swap-request:{swap.pk}:{member.user_id}",
            "rota-swap-request",
            member.user,
            {"swap": swap, "path": _my_shifts_url()},
        )


def swap_accepted(swap_id: int) -> None:
    swap = _swap(swap_id)
    for user in [swap.requested_by.user, *_staff()]:
        send_once(
            f"swap-accepted:{swap.pk}:{user.pk}",
            "rota-swap-accepted",
            user,
            {"swap": swap, "path": _my_shifts_url()},
        )


def swap_lapsed(swap_id: int) -> None:
    swap = _swap(swap_id)
    for user in [swap.requested_by.user, *_staff()]:
        send_once(
            f"swap-lapsed:{swap.pk}:{user.pk}",
            "rota-swap-lapsed",
            user,
            {"swap": swap, "path": _my_shifts_url()},
        )


def unavailability_hits_shift(unavailability_id: int) -> None:
    """Tell staff which given weeks the declared days fall in, and what happens to each."""
    from django.utils import timezone

    from members.models import DutyShift

    unavailability = Unavailability.objects.select_related("member__user").get(
        pk=unavailability_id
    )
    shifts = list(
        DutyShift.objects.filter(
            representative=unavailability.member,
            first_day__lte=unavailability.ends_on,
            last_day__gte=max(unavailability.starts_on, timezone.localdate()),
        ).prefetch_related("swap_requests")
    )
    for shift in shifts:
        shift.has_open_swap = any(
            s.status == SwapRequest.Status.OPEN for s in shift.swap_requests.all()
        )
    for user in _staff():
        send_once(
            f"unavailable:{unavailability.pk}:{user.pk}",
            "rota-unavailable",
            user,
            {
                "unavailability": unavailability,
                "shifts": shifts,
                "path": reverse("members:staff_rota"),
            },
        )
