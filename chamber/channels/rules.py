"""The SMS rules of the method, written once: quiet hours, urgent kinds, the daily cap.

No SMS between 22:00 and 08:00 Beijing time: a message decided at night waits for
08:00, unless its kind is urgent (an SMS code; the kinds staff mark urgent in the admin,
`UrgentKind`). At most settings.SMS_DAILY_CAP SMS reach one number in one Beijing day;
the rest go by e-mail. Each SMS sent is counted for the month's bill on the staff
dashboard (`month_count`).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chamber.channels.short_forms import SHORT_FORMS
from chamber.models import OutgoingMessage, UrgentKind
from chamber.times import beijing

QUIET_FROM, QUIET_UNTIL = time(22, 0), time(8, 0)


def quiet_until(moment: datetime) -> datetime | None:
    """The next 08:00 Beijing time when `moment` falls in the quiet hours, else None."""
    local = beijing(moment)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + timedelta(days=1 if local.time() >= QUIET_FROM else 0)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=local.tzinfo)


def urgent_kinds() -> set[str]:
    """The kinds whose SMS go out at night too. One query."""
    return {kind for kind, form in SHORT_FORMS.items() if form.urgent} | set(
        UrgentKind.objects.values_list("kind", flat=True)
    )


def _day_start(moment: datetime) -> datetime:
    local = beijing(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def sent_today(number: str, moment: datetime | None = None) -> int:
    """SMS sent to `number` since midnight Beijing time."""
    moment = moment or timezone.now()
    return OutgoingMessage.objects.filter(
        SMS_SENT, address=number, sent_at__gte=_day_start(moment)
    ).count()


def over_cap(number: str, moment: datetime | None = None) -> bool:
    return sent_today(number, moment) >= settings.SMS_DAILY_CAP


# An SMS the provider took: what counts against the cap and on the bill.
SMS_SENT = Q(channel=OutgoingMessage.Channel.SMS, status=OutgoingMessage.Status.SENT)


def month_start(moment: datetime | None = None) -> datetime:
    """The first of this month, 00:00 Beijing time: the month's SMS are counted from it."""
    return _day_start(moment or timezone.now()).replace(day=1)


def month_count(moment: datetime | None = None) -> int:
    """SMS sent since the first of this month, Beijing time (what the provider bills)."""
    return OutgoingMessage.objects.filter(
        SMS_SENT, sent_at__gte=month_start(moment)
    ).count()
