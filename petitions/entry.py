"""Ways in by QR code (扫码反映诉求): the studio door and the sessions' opinion forms.

The studio's poster carries one URL for the whole year; the week's shift is resolved
when the form opens and travels with it, signed, so a form opened on Sunday evening
and sent on Monday morning still names the week it was scanned in. A session's URL
names the activity; its channel follows from the activity's type (SESSION_CHANNELS).
"""

from datetime import date, timedelta

import segno
from django.core import signing

from activities.models import Activity
from members import selectors as members_selectors
from members.models import DutyShift
from petitions.models import Petition

# Activity types (activities.ActivityType.code, data staff keep) whose sessions take
# petitions, and the channel each counts under in the reports.
SESSION_CHANNELS = {
    "consultation": Petition.Channel.CONSULTATION_DAY,  # 企业纾困会诊日
    "salon": Petition.Channel.RECEPTION_HALL,  # 企业家会客厅
}
# A form stays valid this long after it was opened (a visitor waits for an SMS code).
FORM_LIFE = timedelta(hours=12)
# The confirmation page shows the petition this long after it was sent.
RECEIVED_LIFE = timedelta(days=1)
_SHIFT_SALT = "petitions.entry.shift"
_RECEIVED_SALT = "petitions.entry.received"


def session_channel(activity: Activity) -> str | None:
    """The channel of a petition raised at this activity, None if it is not a session."""
    return SESSION_CHANNELS.get(activity.type.code)


def sessions():
    """Published activities whose petitions a session's QR code takes."""
    return Activity.objects.published().filter(type__code__in=SESSION_CHANNELS)


def shift_now(*, on: date) -> DutyShift | None:
    """The duty shift of the week holding `on`: who sits in the studio this week."""
    return members_selectors.shift_of_week(on=on)


def shift_token(shift: DutyShift | None) -> str:
    """The shift a form was opened in, signed ("" for none), for its hidden field."""
    return signing.dumps(shift.pk if shift else 0, salt=_SHIFT_SALT)


def shift_of_token(token: str, *, on: date) -> DutyShift | None:
    """The shift a form was opened in; the week's shift now if the token is missing,
    forged or too old."""
    try:
        pk = signing.loads(token, salt=_SHIFT_SALT, max_age=FORM_LIFE)
    except signing.BadSignature:
        return shift_now(on=on)
    if not pk:
        return None
    return (
        DutyShift.objects.select_related("representative__user").filter(pk=pk).first()
    )


def received_token(petition: Petition) -> str:
    """The key of the confirmation page a visitor without an account is sent to."""
    return signing.dumps(petition.pk, salt=_RECEIVED_SALT)


def petition_of_received_token(token: str) -> Petition | None:
    try:
        pk = signing.loads(token, salt=_RECEIVED_SALT, max_age=RECEIVED_LIFE)
    except signing.BadSignature:
        return None
    return (
        Petition.objects.select_related("activity", "duty_shift").filter(pk=pk).first()
    )


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG that scales with the page (segno)."""
    return segno.make(url, error="m").svg_inline(scale=6, omitsize=True)
