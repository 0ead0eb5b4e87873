"""Paper of the petitions' work (issue 21): the 交办单 handed to a department with each
dispatched petition, the 督办通知单 of each supervised one, and the 征求意见表 handed
out at a consultation day or a reception-hall session.

Each kind is registered with chamber/documents.py (its built-in template is
templates/documents/<key>.html; staff may replace it in the admin). The contexts are
plain dicts built here from the petitions, one per sheet, so a replaced template sees
the same names as the sample it was checked against. A petition's text goes into the
template as text: Django's autoescaping prints "<b>" or "{ MERGEFIELD }" as typed.
"""

from datetime import date, timedelta

import segno
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chamber import documents, workdays
from chamber.times import beijing_date
from petitions.models import Category, Petition

ASSIGNMENT = "assignment-sheet"
SUPERVISION = "supervision-notice"
OPINION_FORM = "opinion-form"


# --- 交办单 and 督办通知单 ---------------------------------------------------------------


def petition_sheet(petition: Petition, *, on: date | None = None) -> dict:
    """One petition as its 交办单 or 督办通知单 prints it (enterprise, category and
    department selected with it)."""
    on = on or timezone.localdate()
    category = petition.category
    moved = (
        petition.original_due_on is not None
        and petition.due_on is not None
        and petition.original_due_on != petition.due_on
    )
    overdue_days = 0
    if petition.due_on is not None and petition.due_on < on:
        overdue_days = len(
            workdays.working_days(petition.due_on + timedelta(days=1), on)
        )
    return {
        "number": petition.number,
        "enterprise": petition.enterprise.name,
        "contact_name": petition.contact_name,
        "contact_phone": petition.contact_phone,
        "title": petition.title,
        "description": petition.description,
        "category": category.name if category else "",
        "priority": petition.get_priority_display(),
        "urgent": petition.priority == Petition.Priority.URGENT,
        "working_days": category.limit(petition.priority) if category else None,
        "department": petition.department.name if petition.department else "",
        "dispatched_on": (
            beijing_date(petition.dispatched_at) if petition.dispatched_at else None
        ),
        "due_on": petition.due_on,
        # The due date before an extension (延期) moved it, else None.
        "original_due_on": petition.original_due_on if moved else None,
        "supervised_on": petition.supervised_on,
        "overdue_working_days": overdue_days,
    }


def sheets_context(petitions, *, on: date | None = None) -> dict:
    """The context of a 交办单 or 督办通知单 print: one sheet per petition, one per page."""
    on = on or timezone.localdate()
    return {"sheets": [petition_sheet(p, on=on) for p in petitions], "today": on}


def _sample_sheet(**extra) -> dict:
    return {
        "number": "XS-2026-0001",
        "enterprise": "营口鲅鱼圈㙟港物流有限公司",
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "title": "厂区道路积水",
        "description": "雨天积水严重，影响出货。<b>请尽快处理</b> { MERGEFIELD 名称 }",
        "category": "基础设施",
        "priority": "一般",
        "urgent": False,
        "working_days": 10,
        "department": "西市区住房和城乡建设局",
        "dispatched_on": date(2026, 3, 2),
        "due_on": date(2026, 3, 20),
        "original_due_on": date(2026, 3, 16),
        "supervised_on": None,
        "overdue_working_days": 0,
        **extra,
    }


def _assignment_sample() -> dict:
    return {"sheets": [_sample_sheet()], "today": date(2026, 3, 2)}


def _supervision_sample() -> dict:
    sheet = _sample_sheet(supervised_on=date(2026, 3, 21), overdue_working_days=1)
    return {"sheets": [sheet], "today": date(2026, 3, 23)}


# --- 征求意见表 ----------------------------------------------------------------------------


def qr_png(url: str) -> str:
    """The QR code of `url` as a PNG data: URL (a document fetches nothing)."""
    return segno.make(url, error="m").png_data_uri(scale=8, border=2)


def opinion_form_context(activity, sheets, *, url: str) -> dict:
    """The context of printed opinion forms of a session: one form per sheet number."""
    return {
        "session": {
            "name": activity.title,
            "date": beijing_date(activity.starts_at),
            "place": activity.place,
        },
        "sheets": [{"number": s.number} for s in sheets],
        "categories": [
            c.name for c in Category.objects.filter(is_active=True).order_by()
        ],
        "url": url,
        "qr": qr_png(url),
    }


def _opinion_form_sample() -> dict:
    url = "https://example.org/petitions/session/1/"
    return {
        "session": {"name": "企业纾困会诊日", "date": date(2026, 3, 5), "place": ""},
        "sheets": [{"number": "YJ1-001"}, {"number": "YJ1-002"}],
        "categories": ["融资", "用地", "审批", "基础设施"],
        "url": url,
        "qr": qr_png(url),
    }


documents.register(
    documents.Kind(ASSIGNMENT, _("assignment sheet"), _assignment_sample, html=True)
)
documents.register(
    documents.Kind(SUPERVISION, _("supervision notice"), _supervision_sample, html=True)
)
documents.register(
    documents.Kind(
        OPINION_FORM, _("opinion form to fill in"), _opinion_form_sample, html=True
    )
)
