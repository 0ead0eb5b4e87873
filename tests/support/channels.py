"""A notice's context with the longest values, for the channels' short forms."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.factories import DepartmentFactory, PetitionFactory

BEIJING = ZoneInfo("Asia/Shanghai")


def long_values() -> dict:
    """A notice's context with the longest values the short forms meet (a 12-character
    petition number, an 11-character department, a long activity title): every kind of
    chamber/channels/short_forms.py fills from it."""
    petition = PetitionFactory(
        title="关于厂区供电容量不足影响扩大生产的诉求",
        due_on=timezone.localdate() + timedelta(days=10),
    )
    petition.number = "XS-2026-0123"
    petition.department = DepartmentFactory(name="西市区住房和城乡建设局")
    return {
        "petition": petition,
        "petitions": [petition] * 3,
        "due_on": "2026-12-10",
        "path": "/x/",
        "rate_path": "/petitions/rate/token/",
        "url": "https://gsl.xishi.gov.cn/accounts/invitation/token/",
        "activity": _Activity(),
        "shift": _Shift(),
        "swap": _Swap(),
        "code": "123456",
    }


class _Activity:
    title = "民营企业家座谈会暨政策宣讲"
    starts_at = datetime(2026, 12, 10, 14, 30, tzinfo=BEIJING)


class _Span:
    first_text = "2026-12-14"


class _Shift:
    span = _Span()


class _Swap:
    class accepted_by:  # noqa: N801 - the shape of SwapRequest.accepted_by
        class user:  # noqa: N801
            @staticmethod
            def get_full_name():
                return "欧阳建国"

    shift = _Shift()
