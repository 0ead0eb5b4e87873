"""Activities on paper (issue 21): the proof of attendance (参加活动证明) of a service-month
session, and the QR posters, A4 or A3, beside the HTML ones.

The posters' layout (templates/documents/qr-poster.html) is shared with the petitions'
posters (petitions/posters.py), which build their context with `poster_context`. The QR
code is a PNG data: URL (a document fetches nothing), printed without smoothing
(`image-rendering: pixelated`, sharp modules at any printer resolution) at a fixed width: 120 mm on
A4, 170 mm on A3, quiet zone included, so the code itself is at least 80 mm and 110 mm
wide even at QR version 1, big enough to scan from a metre.
"""

from datetime import date

import segno
from django.utils.translation import gettext_lazy

from activities.models import Activity, Attendance, Campaign
from chamber import documents
from chamber.times import beijing_date, beijing_minute

ATTENDANCE = "attendance-certificate"
SIGNUP_POSTER = "signup-poster"
# Paper sizes a poster comes in, and the QR code's printed width (mm) on each.
POSTER_SIZES = {"a4": ("A4", 120), "a3": ("A3", 170)}


def proof_attendances():
    """Attendances that have a proof: not undone, at a session of a service month."""
    return Attendance.objects.filter(
        undone_at__isnull=True,
        activity__campaign__kind=Campaign.Kind.SERVICE_MONTH,
    ).select_related(
        "activity__campaign", "activity__series", "member__user", "member__enterprise"
    )


def attendance_context(attendance: Attendance) -> dict:
    """What the proof prints: who, which session of which campaign, when and where."""
    activity = attendance.activity
    return {
        "name": attendance.member.user.get_full_name(),
        "enterprise": attendance.member.enterprise.name,
        "activity": str(activity),
        "campaign": activity.campaign.name,
        "held_on": beijing_date(activity.starts_at),
        "place": activity.place,
        "issued_on": beijing_date(attendance.checked_in_at),
        "number": f"{beijing_date(activity.starts_at).year}-{attendance.pk:05d}",
    }


def attendance_filename(attendance: Attendance) -> str:
    label = documents.KINDS[ATTENDANCE].label
    return (
        f"{label}_{attendance.member.user.get_full_name()}_{attendance.activity_id}.pdf"
    )


def poster_size(value: str | None) -> str:
    """The size asked for (`?size=a3`); A4 for anything else."""
    return value if value in POSTER_SIZES else "a4"


def poster_context(
    *, url: str, title: str, heading: str, instructions: str, size: str, when: str = ""
) -> dict:
    """A QR poster's context: the QR code of `url` and the words around it."""
    page, width = POSTER_SIZES[poster_size(size)]
    return {
        "url": url,
        "qr": segno.make(url, error="m").png_data_uri(scale=10),
        "qr_mm": width,
        "size": page,
        "title": title,
        "heading": heading,
        "instructions": instructions,
        "when": when,
    }


def when_of(activity: Activity) -> str:
    """When and where, under a poster's title: 2026-05-20 14:30 · 西市区工商联会议室."""
    place = f" · {activity.place}" if activity.place else ""
    return f"{beijing_minute(activity.starts_at)}{place}"


def poster_filename(heading: str, title: str, size: str) -> str:
    return f"{heading}_{title}_{POSTER_SIZES[poster_size(size)][0]}.pdf"


def sample_attendance() -> dict:
    return {
        "name": "王㙟",
        "enterprise": "营口鲅鱼圈㙟记海产有限公司",
        "activity": "企业家会客厅（第12期）融资对接",
        "campaign": "2026年民营经济服务月",
        "held_on": date(2026, 5, 20),
        "place": "西市区工商联会议室",
        "issued_on": date(2026, 5, 20),
        "number": "2026-00042",
    }


def sample_poster() -> dict:
    return poster_context(
        url="https://example.org/activities/12/",
        title="企业家会客厅（第12期）融资对接",
        heading="扫码报名",
        instructions="用手机扫码，以会员身份登录后在活动页面报名。",
        size="a4",
        when="2026-05-20 14:30 · 鲅鱼圈区㙟子街道",
    )


documents.register(
    documents.Kind(ATTENDANCE, gettext_lazy("proof of attendance"), sample_attendance)
)
documents.register(
    documents.Kind(SIGNUP_POSTER, gettext_lazy("sign-up poster"), sample_poster)
)
