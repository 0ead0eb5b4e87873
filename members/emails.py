"""The members app's e-mails: duty reminders and swap news, one function per kind (STYLE B8).

Each writes its messages to the outbox (chamber/outbox.py) in the caller's transaction:
the change that makes the news and its messages commit together, and the outbox sends
each once.
"""

from django.urls import reverse
from django.utils import timezone

from chamber import outbox
from chamber.models import OutgoingMessage, User
from members.models import (
    DutyShift,
    DutyStudio,
    ShiftReminder,
    SwapRequest,
    Unavailability,
)


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))


def _my_shifts_url() -> str:
    return reverse("members:my_shifts")


def shift_reminders(reminders: list[ShiftReminder]) -> int:
    """Queue the duty reminders (shift and member selected); how many were new."""
    studio = DutyStudio.objects.first()
    return len(
        outbox.queue_all(
            outbox.Notice(
                f"rota-reminder:{reminder.pk}",
                "rota-reminder",
                reminder.member.user,
                {
                    "shift": reminder.shift,
                    "kind": reminder.kind,
                    "studio": studio,
                    "path": _my_shifts_url(),
                },
            )
            for reminder in reminders
        )
    )


def withdraw_reminders(shift: DutyShift) -> None:
    """The week changed hands: reminders queued for anyone but its representative now
    are cancelled (the new one gets their own on the next rota day)."""
    stale = ShiftReminder.objects.filter(shift=shift).exclude(
        member_id=shift.representative_id
    )
    outbox.cancel(
        OutgoingMessage.objects.filter(
            key__in=[f"rota-reminder:{pk}" for pk in stale.values_list("pk", flat=True)]
        )
    )


def _swap(swap_id: int) -> SwapRequest:
    return SwapRequest.objects.select_related(
        "shift", "requested_by__user", "accepted_by__user"
    ).get(pk=swap_id)


def swap_requested(swap_id: int) -> None:
    """Tell the representatives who could take the week."""
    from members.services.rota import eligible_takers

    swap = _swap(swap_id)
    outbox.queue_all(
        outbox.Notice(
            f"swap-request:{swap.pk}:{member.user_id}",
            "rota-swap-request",
            member.user,
            {"swap": swap, "path": _my_shifts_url()},
        )
        for member in eligible_takers(swap=swap)
    )


def _to_asker_and_staff(name: str, key: str, swap_ids: list[int]) -> None:
    if not swap_ids:
        return
    swaps = SwapRequest.objects.select_related(
        "shift", "requested_by__user", "accepted_by__user"
    ).filter(pk__in=swap_ids)
    staff = _staff()
    outbox.queue_all(
        outbox.Notice(
            f"{key}:{swap.pk}:{user.pk}",
            name,
            user,
            {"swap": swap, "path": _my_shifts_url()},
        )
        for swap in swaps
        for user in [swap.requested_by.user, *staff]
    )


def swap_accepted(swap_id: int) -> None:
    """Tell the asker and the secretariat who took the week."""
    _to_asker_and_staff("rota-swap-accepted", "swap-accepted", [swap_id])


def swaps_lapsed(swap_ids: list[int]) -> None:
    """Tell each asker (and the secretariat) nobody took the week: they remain on duty."""
    _to_asker_and_staff("rota-swap-lapsed", "swap-lapsed", swap_ids)


def unavailability_hits_shift(unavailability_id: int) -> None:
    """Tell staff which given weeks the declared days fall in, and what happens to each."""
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
    outbox.queue_all(
        outbox.Notice(
            f"unavailable:{unavailability.pk}:{user.pk}",
            "rota-unavailable",
            user,
            {
                "unavailability": unavailability,
                "shifts": shifts,
                "path": reverse("members:staff_rota"),
            },
        )
        for user in _staff()
    )
