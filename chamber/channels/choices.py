"""Which channels bring a notice to a person: their choice for its kind, else the kind's
default; of those, the ones that can reach them now; e-mail whenever nothing else can.

The defaults follow who receives each kind (a kind goes to one audience): officials get
new dispatches, deadlines and 批示 in 政务微信 and by SMS as well as e-mail; members get
answers and activity reminders by SMS as well. A person changes them on their profile
(`NoticeChannels`, one row per kind they changed).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chamber.channels.short_forms import OPT_OUT, SHORT_FORMS
from chamber.models import NoticeChannels, OutgoingMessage, User
from chamber.roles import Role

C = OutgoingMessage.Channel
EMAIL, SMS, WECHAT = C.EMAIL.value, C.SMS.value, C.WECHAT.value

# Beyond e-mail, which every kind has by default.
DEFAULTS: dict[str, frozenset[str]] = {
    # to a department's officials
    "petition-dispatched": frozenset({SMS, WECHAT}),
    "petition-due": frozenset({SMS, WECHAT}),
    "petition-overdue": frozenset({SMS, WECHAT}),
    "petition-instruction": frozenset({SMS, WECHAT}),
    "petition-info-answered": frozenset({SMS, WECHAT}),
    "petition-extension-decided": frozenset({SMS, WECHAT}),
    # to whoever holds the petition (officials or staff)
    "petition-addition": frozenset({WECHAT}),
    # to the enterprise
    "petition-answered": frozenset({SMS, WECHAT}),
    "petition-info-requested": frozenset({SMS, WECHAT}),
    "activity-reminder": frozenset({SMS, WECHAT}),
    "activity-promoted": frozenset({SMS, WECHAT}),
    "activity-registered": frozenset({WECHAT}),
    "petition-sent-to-department": frozenset({WECHAT}),
    "petition-progress": frozenset({WECHAT}),
    "petition-accepted": frozenset({WECHAT}),
    # to representatives on duty
    "rota-reminder": frozenset({SMS, WECHAT}),
    "rota-swap-accepted": frozenset({WECHAT}),
    # to staff
    "petition-replied": frozenset({WECHAT}),
    "petition-returned": frozenset({WECHAT}),
    "petition-extension-asked": frozenset({WECHAT}),
    "petition-unsatisfied": frozenset({WECHAT}),
    "petition-instruction-to-staff": frozenset({WECHAT}),
    "petition-from-duty-log": frozenset({WECHAT}),
}

# Reminders, not answers: the kinds whose SMS ends in 回T退订 (short_forms.py), which a
# reply T stops by SMS.
OPT_OUT_KINDS = frozenset(
    kind for kind, form in SHORT_FORMS.items() if form.text.endswith(OPT_OUT)
)

CHANNEL_LABELS = {EMAIL: _("e-mail"), SMS: _("SMS"), WECHAT: _("WeChat")}

# The kinds each role receives that have a short form (the others go by e-mail only):
# what a person may choose channels for on their profile.
AUDIENCES = {
    Role.OFFICIAL: (
        "petition-dispatched",
        "petition-due",
        "petition-overdue",
        "petition-instruction",
        "petition-addition",
        "petition-info-answered",
        "petition-extension-decided",
    ),
    Role.MEMBER: (
        "petition-accepted",
        "petition-sent-to-department",
        "petition-progress",
        "petition-info-requested",
        "petition-answered",
        "activity-registered",
        "activity-reminder",
        "activity-promoted",
    ),
    Role.REPRESENTATIVE: ("rota-reminder", "rota-swap-accepted"),
    Role.STAFF: (
        "petition-replied",
        "petition-returned",
        "petition-extension-asked",
        "petition-unsatisfied",
        "petition-instruction-to-staff",
        "petition-from-duty-log",
        "petition-addition",
        "rota-swap-accepted",
    ),
}


def kinds_for(roles) -> list[str]:
    """The kinds of notice a person with `roles` may receive by SMS or WeChat, once each."""
    kinds: list[str] = []
    for role, theirs in AUDIENCES.items():
        if role in roles:
            kinds += [kind for kind in theirs if kind not in kinds]
    return kinds


@dataclass(frozen=True)
class Choice:
    """What a person chose for one kind (or the default), before asking what can reach them."""

    email: bool
    sms: bool
    wechat: bool

    @classmethod
    def default(cls, kind: str) -> "Choice":
        extra = DEFAULTS.get(kind, frozenset())
        return cls(email=True, sms=SMS in extra, wechat=WECHAT in extra)

    @classmethod
    def of(cls, row: NoticeChannels) -> "Choice":
        return cls(email=row.email, sms=row.sms, wechat=row.wechat)


def chosen(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Choice]:
    """Each (user id, kind)'s choice: the person's row, else the kind's default. One query."""
    pairs = set(pairs)
    rows = NoticeChannels.objects.filter(
        user_id__in={user_id for user_id, _kind in pairs},
        kind__in={kind for _user_id, kind in pairs},
    )
    mine = {(row.user_id, row.kind): Choice.of(row) for row in rows}
    return {pair: mine.get(pair) or Choice.default(pair[1]) for pair in pairs}


def sms_reason(user: User, kind: str = "") -> str:
    """Why SMS cannot reach `user` (for `kind`), in words; "" when it can."""
    if not user.mobile or user.mobile_verified_at is None:
        return str(_("No verified mobile number."))
    if user.sms_refused:
        return user.sms_refused
    if kind in OPT_OUT_KINDS and user.sms_opt_out:
        return str(_("Replied T to stop reminders by SMS."))
    return ""


def wechat_reason(user: User) -> str:
    """Why WeChat cannot reach `user`, in words; "" when it can."""
    if not (user.wecom_userid or user.wechat_openid):
        return str(_("WeChat is not bound."))
    return user.wechat_refused


def channels(user: User, kind: str, choice: Choice) -> list[str]:
    """The channels this notice goes by: those chosen that can reach the person and
    have a short form for the kind; e-mail when chosen, or when nothing else is left
    (a notice is never lost to a choice)."""
    result = []
    if kind in SHORT_FORMS:
        if choice.sms and not sms_reason(user, kind):
            result.append(SMS)
        if choice.wechat and not wechat_reason(user):
            result.append(WECHAT)
    if choice.email or not result:
        result.insert(0, EMAIL)
    return result
