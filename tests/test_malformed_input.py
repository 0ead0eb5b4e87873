"""IN-7: malformed input never causes a server error, and a refused post writes nothing.

Every URL that takes a POST is swept, as the role that may use it: the empty post,
strings ten times their `max_length`, text where a number, date, choice or id is
expected, ids of rows that do not exist, negative and huge numbers, impossible dates,
the same field twice, more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, emoji with
zero-width characters, and a NUL byte (PostgreSQL refuses one in a query: a 500 there
only). The admin's add and change forms of every registered model get, as a
superuser, the empty post, oversized strings, every wrong type at once and too many
fields. Text typed into an admin autocomplete field is among them (Django looked it up as
an id when showing the refused form: chamber/admin_widgets.py guards it). One server
error of Django's own is left out and named where it is (M2M_BUG, SQLite only).

Pass: a status below 500 each time, and when the post is refused (an error status,
an error message, or the form shown again with its errors) no table has a row more or
less than before. A valid post may write: the emoji are text like any other.

The URLs come from tests/support/access_matrix.py (AC-1 checks it names every URL): the
POST-only actions are marked there, and a page that reads a posted body must have an
entry in SWEEP below, or `test_a_page_outside_the_sweep_does_not_read_a_posted_body`
fails for it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.forms.formsets import BaseFormSet
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator

from chamber.forms import (
    CodeForm,
    LoginForm,
    OutboxSelectionForm,
    PasswordCheckForm,
)
from chamber.forms_channels import MobileCodeForm, MobileForm
from chamber.views_sms_login import SmsLoginForm
from groups.forms import ConfirmAwardForm, CorrectionForm, ManualPointsForm
from members.forms.duty_log import DutyLogEntryForm
from members.forms.people import AdmitForm, EnterpriseContactForm, ProfileForm
from members.forms.rota import (
    PeriodForm,
    ShiftEditForm,
    SwapAskForm,
    UnavailabilityForm,
)
from members.models import Member
from petitions import forms as petition_forms
from petitions import forms_clock as clock_forms
from petitions import forms_topics as topic_forms
from petitions.forms_entry import EntryForm, GuestPetitionForm
from petitions.forms_paper import OpinionSheetsForm
from petitions.forms_repeats import AdditionForm
from publicity.forms import DigestPreferenceForm, ReturnShowcaseForm, ShowcaseForm
from tests.factories import PASSWORD, DutyShiftFactory, UserFactory
from tests.support.access_matrix import MATRIX, PERSONA_FIXTURES
from tests.support.page_catalogue import _an_activity

# Every page, role or payload, whatever the database: CI's PostgreSQL lane runs it.
pytestmark = pytest.mark.sweep


# --- what a form expects, field by field ----------------------------------------------------

TEXT, NUMBER, DATE, DATETIME, TIME, CHOICE, ID, BOOL, FILE = (
    "text",
    "number",
    "date",
    "datetime",
    "time",
    "choice",
    "id",
    "bool",
    "file",
)


@dataclass(frozen=True)
class Field:
    kind: str = TEXT
    max_length: int | None = None
    choice: str | Callable[[], str] = (
        ""  # a valid choice, for the payloads that spoil the other fields
    )
    model: type | None = None  # the model an id names
    required: bool = True
    sane: str = ""  # a value the field takes, where the kind's own would not do
    # Only ever given a sane value: a known server error of Django's own (see below).
    spared: str = ""


# Django's ModelMultipleChoiceField looks every posted id up at once: on SQLite an id
# beyond 64 bits is an OverflowError (a 500); PostgreSQL refuses it as it should.
M2M_BUG = "SQLite: Django's ModelMultipleChoiceField overflows on an id beyond 64 bits"

# Fields whose text must have a shape: a sane value of that shape.
SHAPED = {forms.URLField: "https://example.cn/", forms.EmailField: "qiye@example.cn"}


def field_of(form_field: forms.Field) -> Field:
    required = form_field.required
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        spared = M2M_BUG if connection.vendor == "sqlite" else ""
        return Field(ID, model=form_field.queryset.model, required=required, spared=spared)  # fmt: skip
    if isinstance(form_field, forms.ModelChoiceField):
        return Field(ID, model=form_field.queryset.model, required=required)
    if isinstance(form_field, forms.ChoiceField):

        def first_choice() -> str:
            values = [str(v) for v, _label in form_field.choices if v not in ("", None)]
            return values[0] if values else ""

        if isinstance(form_field.choices, CallableChoiceIterator):
            # Choices read from the database (the method's lists): read in the test.
            return Field(CHOICE, choice=first_choice)
        return Field(CHOICE, choice=first_choice())
    if isinstance(form_field, forms.BooleanField):
        return Field(BOOL)
    if isinstance(form_field, (forms.IntegerField, forms.FloatField)):
        return Field(NUMBER)  # DecimalField is a FloatField
    if isinstance(form_field, forms.DateTimeField):
        return Field(DATETIME)
    if isinstance(form_field, forms.DateField):
        return Field(DATE)
    if isinstance(form_field, forms.TimeField):
        return Field(TIME)
    if isinstance(form_field, forms.FileField):
        return Field(FILE)
    shaped = next((v for k, v in SHAPED.items() if isinstance(form_field, k)), "")
    max_length = getattr(form_field, "max_length", None)
    return Field(TEXT, max_length=max_length, required=required, sane=shaped)


def fields_of(form_class, prefix: str = "") -> dict[str, Field]:
    return {
        f"{prefix}{name}": field_of(form_field)
        for name, form_field in form_class.base_fields.items()
    }


def management_form(prefix: str) -> dict[str, Field]:
    return {
        f"{prefix}-{name}": Field(NUMBER)
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }


# --- the payloads -------------------------------------------------------------------------

EMOJI = "企业😀👨‍👩‍👧\u200b\u200c\u200d\u2060\ufeff家"
HUGE = str(10**30)
MISSING_ID = "987654321"


def _sane(spec: Field) -> str | None:
    """A value the field takes, so that a payload spoils only the fields it means to."""
    if spec.sane:
        return spec.sane
    if spec.kind == TEXT:
        return "反映的问题"[: spec.max_length or 10]
    if spec.kind == NUMBER:
        return "1"
    if spec.kind == DATE:
        return timezone.localdate().isoformat()
    if spec.kind == DATETIME:
        return timezone.localtime().strftime("%Y-%m-%d %H:%M")
    if spec.kind == TIME:
        return "10:00"
    if spec.kind == CHOICE:
        return spec.choice() if callable(spec.choice) else spec.choice
    if spec.kind == ID:
        if not spec.required:  # the first row may be outside the field's choices
            return ""
        pk = spec.model.objects.order_by("pk").values_list("pk", flat=True).first()
        return "" if pk is None else str(pk)
    if spec.kind == BOOL:
        return "on"
    return None  # a file: left out


def _oversized(spec: Field) -> str:
    if spec.kind != TEXT:
        return "长" * 1000  # no length to exceed: long text where a short value goes
    return "长" * (10 * (spec.max_length or 2000))


def _spoiled(spoil: dict[str, Callable[[Field], object]]):
    """A payload maker: the kinds named get a bad value, the other fields a sane one."""

    def make(fields: dict[str, Field], sane: dict[str, object]) -> dict:
        return {
            name: spoil[spec.kind](spec)
            if spec.kind in spoil and not spec.spared
            else sane[name]
            for name, spec in fields.items()
        }

    return make


def _every_field(value: Callable[[Field], object], *kinds: str):
    return _spoiled({kind: value for kind in kinds or (TEXT, NUMBER, DATE, DATETIME, TIME, CHOICE, ID, BOOL)})  # fmt: skip


def _garbage_file(spec: Field) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "表格.xlsx", b"PK\x03\x04 not a zip \x00\xff", "image/png"
    )


def _twice(fields: dict[str, Field], sane: dict[str, object]) -> dict:
    return {
        name: [sane[name] if sane[name] is not None else "", "另一个值"]
        for name, spec in fields.items()
        if not spec.spared
    }


PAYLOADS: dict[str, Callable[[dict, dict], dict]] = {
    # First: a post that succeeds changes what the next ones meet (signed up already).
    "a NUL byte": _every_field(lambda spec: "反映\x00问题", TEXT, NUMBER, CHOICE, ID),
    "wrong types": _spoiled(  # all at once: the admin's forms are slow to show again
        {
            NUMBER: lambda spec: HUGE,
            ID: lambda spec: "不是这个abc",
            DATE: lambda spec: "2026-02-30",
            DATETIME: lambda spec: "2026-02-30 25:61",
            TIME: lambda spec: "25:61",
            CHOICE: lambda spec: "no_such_choice",
            FILE: lambda spec: "不是文件",
        }
    ),
    "empty": lambda fields, sane: {},
    "oversized strings": _every_field(_oversized, TEXT, NUMBER, CHOICE, ID),
    "text for numbers, dates, choices, ids and files": _spoiled(
        {
            k: (lambda spec: "不是这个abc")
            for k in (NUMBER, DATE, DATETIME, TIME, CHOICE, ID, FILE)
        }
    ),
    "ids of rows that do not exist": _spoiled(
        {ID: lambda spec: MISSING_ID, CHOICE: lambda spec: "no_such_choice"}
    ),
    "negative numbers": _every_field(lambda spec: "-1", NUMBER, ID),
    "huge integers": _every_field(lambda spec: HUGE, NUMBER, ID, CHOICE),
    "impossible dates": _spoiled(
        {
            DATE: lambda spec: "2026-02-30",
            DATETIME: lambda spec: "2026-02-30 25:61",
            TIME: lambda spec: "25:61",
        }
    ),
    "a file that is not what it says": _spoiled({FILE: _garbage_file}),
    "duplicate keys": _twice,
    "emoji and zero-width characters": _every_field(lambda spec: EMOJI, TEXT),
}
TOO_MANY_FIELDS = "more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS"


def _payloads(fields: dict[str, Field], sane: dict[str, object], admin: bool = False):
    """(name, data) of every payload; data without None (a left-out file)."""
    for name, make in PAYLOADS.items():
        if name == "wrong types" and not admin:
            continue  # the views get each wrong type on its own
        if name == "a file that is not what it says" and FILE not in {
            f.kind for f in fields.values()
        }:
            continue
        data = {k: v for k, v in make(fields, sane).items() if v is not None}
        yield name, data


def _too_many_fields_body(fields: dict[str, Field]) -> str:
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    names = [*fields, *(f"extra{n}" for n in range(count))][:count]
    return urlencode([(name, "1") for name in names])


# --- what a post wrote, and whether it was refused ---------------------------------------

# Tables that a refused post may still write, and why.
MAY_WRITE_WHEN_REFUSED = {
    "django_session": "logging in and out and the messages live in the session",
    "axes_accessattempt": "a wrong password counts towards the lockout (AU-1)",
    "axes_accessfailurelog": "a wrong password counts towards the lockout (AU-1)",
    "axes_accesslog": "django-axes logs logins",
    "axes_accessattemptexpiration": "a wrong password counts towards the lockout",
}


def _tables() -> list[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables - set(MAY_WRITE_WHEN_REFUSED))


def row_counts() -> dict[str, int]:
    """The number of rows of every table, in one query."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}" for table in _tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _changed(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


def _forms_in(response) -> list:
    found = []
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, (forms.BaseForm, BaseFormSet)):
                found.append(value)
    return found


def refused(response) -> bool:
    """An error status, an error or warning message, or a bound form shown with errors."""
    if response.status_code >= 400:
        return True
    if any(m.level >= constants.WARNING for m in get_messages(response.wsgi_request)):
        return True
    return any(
        f.is_bound and (f.errors if isinstance(f, forms.BaseForm) else not f.is_valid())
        for f in _forms_in(response)
    )


@dataclass
class Outcome:
    payload: str
    status: int
    refused: bool
    changed: dict

    def problem(self) -> str:
        if self.status >= 500:
            return f"{self.payload}: {self.status}"
        if self.refused and self.changed:
            return f"{self.payload}: refused ({self.status}) but wrote {self.changed}"
        return ""


def post_and_watch(client: Client, url: str, payload: str, data=None, body=None):
    client.cookies.pop("messages", None)  # only this post's messages count
    before = row_counts()
    if body is not None:
        response = client.generic(
            "POST", url, body, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(url, data)
    outcome = Outcome(
        payload, response.status_code, refused(response), _changed(before, row_counts())
    )
    return outcome


# --- the objects the posts name ---------------------------------------------------------


def _alices_petition_at(stage: str) -> Callable:
    """Alice's petition, taken through the services up to `stage` (the official's dept)."""

    def build(request) -> dict:
        from petitions import services
        from tests.factories import CategoryFactory

        alice = request.getfixturevalue("alice")
        staff = request.getfixturevalue("staff")
        official = request.getfixturevalue("official")
        petition = services.submit_petition(
            enterprise=alice.enterprise,
            title="厂区道路积水",
            description="雨天积水严重，影响出货。",
            channel="online",
            submitted_by=alice.user,
        )
        steps = [
            (
                "accepted",
                lambda: services.accept_petition(
                    petition=petition,
                    actor=staff,
                    category=CategoryFactory(),
                    priority="normal",
                    handling="department",
                ),
            ),
            (
                "dispatched",
                lambda: services.dispatch_petition(
                    petition=petition, department=official.department, actor=staff
                ),
            ),
            (
                "signed",
                lambda: services.sign_petition(petition=petition, actor=official.user),
            ),
            (
                "awaiting_review",
                lambda: services.record_department_reply(
                    petition=petition,
                    actor=official.user,
                    outcome="resolved",
                    reply="已疏通排水管。",
                ),
            ),
            (
                "replied",
                lambda: services.answer_petition(
                    petition=petition, actor=staff, answer="已疏通排水管。"
                ),
            ),
        ]
        for name, step in steps:
            if stage == "submitted":
                break
            step()
            if name == stage:
                break
        return {"pk": petition.pk}

    return build


def _alices_petition_waiting(on: str) -> Callable:
    """Alice's petition signed for by the official's department, then waiting for the
    enterprise's information ("info") or for the chamber's decision on an extension."""

    def build(request) -> dict:
        from datetime import timedelta

        from petitions import services
        from petitions.models import Petition

        found = _alices_petition_at("signed")(request)
        petition = Petition.objects.get(**found)
        official = request.getfixturevalue("official")
        if on == "info":
            services.ask_enterprise(
                petition=petition, actor=official.user, request="请补充营业执照复印件"
            )
        else:
            services.ask_extension(
                petition=petition,
                actor=official.user,
                reason="需现场踏勘",
                proposed_due=petition.due_on + timedelta(days=10),
            )
        return found

    return build


def _a_later_date(request, kwargs) -> dict:
    from datetime import timedelta

    return {"proposed_due": (timezone.localdate() + timedelta(days=120)).isoformat()}


def _action(builder: Callable, action: str) -> Callable:
    return lambda request: {**builder(request), "action": action}


def _another_petitions_number(request, kwargs) -> dict:
    from petitions.models import Petition

    other = Petition.objects.get(**_alices_petition_at("submitted")(request))
    return {"into": other.number}


def _on_duty_this_week(request) -> None:
    DutyShiftFactory(representative=request.getfixturevalue("rep"))


def _an_authenticator(request) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(
        user=request.getfixturevalue("staff"), name="authenticator", confirmed=True
    )


def _verified_with_an_authenticator(request, client: Client) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=request.getfixturevalue("staff"))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _a_service_month_session(request) -> dict:
    """Colleagues may be signed up (by name) for the service month's sessions only."""
    from activities.models import Activity
    from tests.support.access_matrix import _a_campaign

    found = _an_activity(request)
    Activity.objects.filter(**found).update(campaign_id=_a_campaign(request)["pk"])
    return found


def _alices_attendance_with_points(request) -> dict:
    """Undoing it cancels her points, with the reason typed."""
    from tests.factories import PointRuleFactory
    from tests.support.access_matrix import _alices_attendance

    PointRuleFactory()
    return _alices_attendance(request)


def _a_member_to_check_in(request, kwargs) -> dict:
    return {"member": str(request.getfixturevalue("bob").pk)}


def _alices_valid_rows(request, kwargs) -> dict:
    return {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-enterprise": request.getfixturevalue("alice").enterprise.name,
        "rows-0-sheet_number": "",  # no printed form (an unknown number is refused)
    }


def _the_shifts_rep(request, kwargs) -> dict:
    return {"representative": str(request.getfixturevalue("rep").pk)}


# --- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    """One way of posting to a URL: as whom, where, and which fields it reads."""

    role: str
    fields: dict[str, Field] = field(default_factory=dict)
    kwargs: dict | Callable | None = None  # None: the URL's first case in the matrix
    label: str = ""
    # Objects the role needs first (a duty week, an authenticator).
    setup: Callable | None = None
    # After logging in, before the posts (a session verified by the second factor).
    prepare: Callable | None = None
    sane: Callable | None = None  # (request, kwargs) -> values that make the rest valid
    get_first: bool = False  # open the page first, as a user does; post where it leads
    # A link that works once (a password is set): a new one for each post.
    new_link_each_post: bool = False
    form_refuses_empty: bool = False  # a form with required fields: empty is refused


def _form(form_class, **extra) -> dict[str, Field]:
    return {**fields_of(form_class), **extra}


REP, STAFF, MEMBER = "representative", "staff", "member"
_RATING = _form(petition_forms.RatingForm)
_TOPIC_FORM = {
    **fields_of(topic_forms.TopicForm),
    **management_form("tasks"),
    **fields_of(topic_forms.TaskForm, "tasks-0-"),
}


def _a_new_task_row(request, kwargs) -> dict:
    """The task row is a new task (the hidden id names none)."""
    return {"tasks-0-task": ""}


SWEEP: dict[str, list[Sweep]] = {
    # --- chamber ------------------------------------------------------------------
    "login": [
        Sweep("anonymous", _form(LoginForm), get_first=True, form_refuses_empty=True)
    ],
    "logout": [Sweep(MEMBER)],
    "outbox_action": [Sweep(STAFF)],
    # A file made by a task: posted to, a failed one is made again (no fields).
    "download_again": [Sweep(STAFF)],
    # 消息接收方式: a box per kind and channel; the mobile, then its code.
    "channels": [
        Sweep(
            MEMBER,
            {
                f"{kind}:{channel}": Field(BOOL)
                for kind in ("petition-answered", "activity-reminder")
                for channel in ("email", "sms", "wechat")
            },
            get_first=True,
        )
    ],
    "channels_mobile": [
        Sweep(MEMBER, _form(MobileForm), label="mobile"),
        Sweep(MEMBER, _form(MobileCodeForm), label="code"),
    ],
    "channels_wechat": [Sweep(MEMBER)],
    # Tencent Cloud's reply callback; its malformed bodies: tests/chamber/test_sms_replies.py.
    "sms-replies": [Sweep("anonymous")],
    # 短信验证码登录: the number (获取验证码), then the code; the SMS reset alike.
    "login_sms": [
        Sweep("anonymous", _form(MobileForm), label="mobile", get_first=True),
        Sweep(
            "anonymous",
            _form(SmsLoginForm),
            label="code",
            get_first=True,
            form_refuses_empty=True,
        ),
    ],
    "password_reset_sms": [
        Sweep("anonymous", _form(MobileForm), label="mobile", get_first=True),
        Sweep(
            "anonymous",
            _form(SmsLoginForm),
            label="code",
            get_first=True,
            form_refuses_empty=True,
        ),
    ],
    "outbox_bulk": [Sweep(STAFF, _form(OutboxSelectionForm))],
    "second_factor": [
        Sweep(
            STAFF,
            _form(CodeForm, next=Field(TEXT)),
            setup=_an_authenticator,
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "second_factor_setup": [
        Sweep(
            STAFF,
            _form(CodeForm, next=Field(TEXT)),
            get_first=True,
            form_refuses_empty=True,
        ),
        Sweep(
            STAFF,
            _form(CodeForm, current_password=Field(TEXT, 128), next=Field(TEXT)),
            label="replacing",
            setup=_an_authenticator,
            prepare=_verified_with_an_authenticator,
            get_first=True,
            form_refuses_empty=True,
        ),
    ],
    "second_factor_backup": [
        Sweep(
            STAFF,
            _form(PasswordCheckForm),
            setup=_an_authenticator,
            prepare=_verified_with_an_authenticator,
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "password_change": [
        Sweep(
            MEMBER,
            {
                "old_password": Field(TEXT, 128),
                "new_password1": Field(TEXT, 128),
                "new_password2": Field(TEXT, 128),
            },
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "password_reset": [
        Sweep(
            "anonymous",
            {"email": Field(TEXT, 254)},
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "password_reset_confirm": [
        Sweep(
            "anonymous",
            {"new_password1": Field(TEXT, 128), "new_password2": Field(TEXT, 128)},
            label="valid link",
            kwargs=MATRIX["password_reset_confirm"][1].kwargs,
            get_first=True,
            new_link_each_post=True,
            form_refuses_empty=True,
        )
    ],
    # --- members --------------------------------------------------------------------
    "members:profile": [Sweep(MEMBER, _form(ProfileForm), get_first=True)],
    "members:enterprise_edit": [
        Sweep(MEMBER, _form(EnterpriseContactForm), get_first=True)
    ],
    "members:accept_invitation": [
        Sweep(
            "anonymous",
            {"new_password1": Field(TEXT, 128), "new_password2": Field(TEXT, 128)},
            label="valid link",
            kwargs=MATRIX["members:accept_invitation"][1].kwargs,
            get_first=True,
            new_link_each_post=True,
            form_refuses_empty=True,
        )
    ],
    "members:admit_enterprise": [
        Sweep(STAFF, _form(AdmitForm), get_first=True, form_refuses_empty=True)
    ],
    "members:add_unavailability": [
        Sweep(REP, _form(UnavailabilityForm), form_refuses_empty=True)
    ],
    "members:delete_unavailability": [Sweep(REP)],
    "members:ask_swap": [Sweep(REP, _form(SwapAskForm))],
    "members:accept_swap": [Sweep(REP)],
    "members:withdraw_swap": [Sweep(REP)],
    "members:renew_feed": [Sweep(REP, kwargs={"kind": "my_shifts"})],
    "members:revoke_feed": [Sweep(REP, kwargs={"kind": "my_shifts"})],
    "members:generate_rota": [Sweep(STAFF, _form(PeriodForm), form_refuses_empty=True)],
    "members:edit_shift": [
        Sweep(STAFF, _form(ShiftEditForm), sane=_the_shifts_rep, get_first=True)
    ],
    "members:duty_log": [
        Sweep(
            REP,
            _form(DutyLogEntryForm),
            setup=_on_duty_this_week,
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    # --- groups ---------------------------------------------------------------------
    "groups:manual_points": [
        Sweep(STAFF, _form(ManualPointsForm), get_first=True, form_refuses_empty=True)
    ],
    "groups:correct": [Sweep(STAFF, _form(CorrectionForm), form_refuses_empty=True)],
    "groups:confirm_award": [
        Sweep(STAFF, _form(ConfirmAwardForm), form_refuses_empty=True)
    ],
    "groups:publish_awards": [Sweep(STAFF)],
    "groups:make_certificates": [Sweep(STAFF)],
    # --- activities -----------------------------------------------------------------
    "activities:sign_up": [
        Sweep(MEMBER, {"attendee_name": Field(TEXT, 200)}),
        Sweep(
            MEMBER,
            {"attendee_name": Field(TEXT, 200)},
            _a_service_month_session,
            label="a colleague",
        ),
    ],
    "activities:cancel": [Sweep(MEMBER)],
    "activities:checkin": [
        Sweep(
            STAFF,
            {"member": Field(ID, model=Member)},
            sane=_a_member_to_check_in,
            get_first=True,
        )
    ],
    "activities:self_checkin": [Sweep(MEMBER, get_first=True)],
    "activities:undo_checkin": [
        Sweep(STAFF, {"reason": Field(TEXT, 200)}, _alices_attendance_with_points)
    ],
    "activities:colleague_present": [Sweep(STAFF)],
    "activities:renew_my_calendar": [Sweep(MEMBER)],
    "activities:revoke_my_calendar": [Sweep(MEMBER)],
    # --- petitions ------------------------------------------------------------------
    "petitions:submit": [
        Sweep(
            MEMBER,
            _form(petition_forms.SubmitForm),
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:rate": [
        Sweep(MEMBER, _RATING, _alices_petition_at("replied"), form_refuses_empty=True)
    ],
    # 重复诉求: what a member adds to their open petition.
    "petitions:add_to": [
        Sweep(
            MEMBER,
            _form(AdditionForm),
            _alices_petition_at("dispatched"),
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:rate_by_link": [Sweep("anonymous", _RATING, get_first=True)],
    # 待企业补充, 延期 and 回访 (petitions/views_clock.py).
    "petitions:answer_request": [
        Sweep(
            MEMBER,
            _form(clock_forms.InfoAnswerForm),
            _alices_petition_waiting("info"),
            form_refuses_empty=True,
        )
    ],
    "petitions:department_clock": [
        Sweep(
            "official",
            _form(clock_forms.InfoRequestForm),
            _action(_alices_petition_at("signed"), "ask"),
            label="ask",
            form_refuses_empty=True,
        ),
        Sweep(
            "official",
            _form(clock_forms.ExtensionForm),
            _action(_alices_petition_at("signed"), "extension"),
            label="extension",
            sane=_a_later_date,
            form_refuses_empty=True,
        ),
    ],
    "petitions:staff_clock": [
        Sweep(
            STAFF,
            _form(form_class),
            _action(builder, action),
            label=action,
            form_refuses_empty=refuses_empty,
        )
        for action, form_class, builder, refuses_empty in [
            (
                "ask",
                clock_forms.InfoRequestForm,
                _alices_petition_at("signed"),
                True,
            ),
            # The note is optional; before the deadline the service refuses.
            (
                "close",
                clock_forms.CloseInfoRequestForm,
                _alices_petition_waiting("info"),
                False,
            ),
            (
                "extension",
                clock_forms.ExtensionDecisionForm,
                _alices_petition_waiting("extension"),
                True,
            ),
            (
                "visit",
                clock_forms.ReturnVisitForm,
                _alices_petition_at("replied"),
                True,
            ),
        ]
    ],
    # The QR entry points: a member's petition, or a non-member's with its SMS code.
    **{
        name: [
            Sweep(
                MEMBER,
                _form(EntryForm),
                get_first=True,
                form_refuses_empty=True,
            ),
            Sweep(
                "anonymous",
                _form(GuestPetitionForm),
                label="a non-member",
                get_first=True,
                form_refuses_empty=True,
            ),
        ]
        for name in ("petitions:studio", "petitions:session")
    },
    "petitions:from_duty_log": [
        Sweep(
            REP,
            _form(petition_forms.DutyLogPetitionForm),
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:department_action": [
        Sweep(
            "official",
            kwargs=_action(_alices_petition_at("dispatched"), "sign"),
            label="sign",
        ),
        *(
            Sweep(
                "official",
                _form(form_class),
                _action(_alices_petition_at(stage), action),
                label=action,
                form_refuses_empty=True,
            )
            for action, form_class, stage in [
                ("return", petition_forms.ReturnForm, "dispatched"),
                ("progress", petition_forms.ProgressForm, "signed"),
                ("reply", petition_forms.ReplyForm, "signed"),
            ]
        ),
    ],
    "petitions:instruct": [
        Sweep("leader", _form(petition_forms.InstructionForm), form_refuses_empty=True)
    ],
    # 每月一题: the topic with its task rows; a task done; the topic concluded.
    "petitions:topic_new": [
        Sweep(
            "leader",
            _TOPIC_FORM,
            sane=_a_new_task_row,
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:topic_edit": [
        Sweep(
            STAFF,
            _TOPIC_FORM,
            sane=_a_new_task_row,
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:topic_close": [
        Sweep(STAFF, _form(topic_forms.CloseTopicForm), form_refuses_empty=True)
    ],
    "petitions:topic_task_done": [Sweep("official", _form(topic_forms.TaskDoneForm))],
    "petitions:staff_new": [
        Sweep(
            STAFF,
            _form(petition_forms.StaffEntryForm),
            get_first=True,
            form_refuses_empty=True,
        )
    ],
    "petitions:batch": [
        Sweep(
            STAFF,
            {
                **fields_of(petition_forms.BatchForm),
                **management_form("rows"),
                **fields_of(petition_forms.BatchRowForm, "rows-0-"),
            },
            label="typed rows",
            sane=_alices_valid_rows,
            get_first=True,
            form_refuses_empty=True,
        ),
        Sweep(
            STAFF,
            _form(petition_forms.BatchUploadForm),
            label="sheet",
            get_first=True,
            form_refuses_empty=True,
        ),
    ],
    # A session's numbered opinion forms (征求意见表): how many to print.
    "petitions:opinion_sheets": [
        Sweep(STAFF, _form(OpinionSheetsForm), get_first=True, form_refuses_empty=True)
    ],
    "petitions:staff_action": [
        Sweep(
            STAFF,
            _form(form_class),
            _action(_alices_petition_at(stage), action),
            label=action,
            sane=_another_petitions_number if action == "merge" else None,
            form_refuses_empty=True,
        )
        for action, form_class, stage in [
            ("accept", petition_forms.AcceptForm, "submitted"),
            ("dispatch", petition_forms.DispatchForm, "accepted"),
            ("answer", petition_forms.AnswerForm, "awaiting_review"),
            ("send_back", petition_forms.SendBackForm, "awaiting_review"),
            ("reject", petition_forms.RejectForm, "submitted"),
            ("merge", petition_forms.MergeForm, "submitted"),
            ("note", petition_forms.NoteForm, "submitted"),
        ]
    ],
    # --- publicity ------------------------------------------------------------------
    "publicity:picture_upload": [Sweep(STAFF, {"picture": Field(FILE)})],
    "publicity:my_showcase": [
        Sweep(
            MEMBER,
            _form(ShowcaseForm, submit=Field(TEXT)),
            get_first=True,
        )
    ],
    "publicity:approve_showcase": [Sweep(STAFF)],
    "publicity:return_showcase": [
        Sweep(STAFF, _form(ReturnShowcaseForm), form_refuses_empty=True)
    ],
    "publicity:digest_settings": [
        Sweep("official", _form(DigestPreferenceForm), get_first=True)
    ],
    "publicity:resend_digest": [Sweep(STAFF)],
    "publicity:topic_article": [Sweep(STAFF)],
    "publicity:news_settings": [
        Sweep(MEMBER, {"action": Field(CHOICE, choice="subscribe")}, get_first=True)
    ],
    "publicity:news_unsubscribe": [Sweep("anonymous", get_first=True)],
    "publicity:transparency_switch": [
        Sweep("leader", {"public": Field(CHOICE, choice="on")})
    ],
}


def sweep_id(name: str, sweep: Sweep) -> str:
    return f"{name}[{sweep.label}]" if sweep.label else name


# --- the URLs that take a POST are all in the sweep -------------------------------------


def test_every_post_only_action_of_the_matrix_is_swept_and_every_sweep_names_a_url():
    post_only = {
        name
        for name, cases in MATRIX.items()
        if any(case.method == "POST" for case in cases)
    }

    assert sorted(post_only - set(SWEEP)) == []
    assert sorted(set(SWEEP) - set(MATRIX)) == []


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client_as(request, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        who = request.getfixturevalue(PERSONA_FIXTURES.get(role, role))
        client.force_login(getattr(who, "user", who))
    return client


@pytest.fixture
def body_reads(monkeypatch) -> list[str]:
    """The paths of the requests whose posted body was read (request.POST or FILES)."""
    read: list[str] = []
    original = WSGIRequest._load_post_and_files

    def tracking(self):
        read.append(self.path)
        return original(self)

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", tracking)
    return read


def _reads_the_body(client: Client, url: str, body_reads: list[str]) -> bool:
    body_reads.clear()
    client.post(url, {"probe": "1"})
    return url in body_reads


# For each URL outside the sweep, the role that opens it (a 200) or is sent on.
_PROBE_ORDER = ("member", "representative", "official", "leader", "staff", "anonymous")


def _probe_role(name: str) -> str:
    case = MATRIX[name][0]
    for wanted in (200, 301, 302):
        for role in _PROBE_ORDER:
            if case.status_for(role) == wanted:
                return role
    return "anonymous"


@pytest.mark.parametrize("name", sorted(set(MATRIX) - set(SWEEP)))
def test_a_page_outside_the_sweep_does_not_read_a_posted_body(
    request, db, body_reads, name
):
    """A page reading a post (a form) must have an entry in SWEEP: add it there."""
    role = _probe_role(name)
    url = reverse(name, kwargs=MATRIX[name][0].kwargs_for(request))

    assert not _reads_the_body(_client_as(request, role), url, body_reads), (
        f"{name} reads a posted body as {role}: add it to SWEEP"
    )


def test_the_body_probe_tells_a_form_from_a_page(request, db, body_reads):
    client = _client_as(request, "member")

    assert _reads_the_body(client, reverse("members:profile"), body_reads)
    assert not _reads_the_body(client, reverse("members:directory"), body_reads)


# --- the sweep of the portal's own views -----------------------------------------------------


def _sweep_params():
    for name, sweeps in SWEEP.items():
        for sweep in sweeps:
            yield pytest.param(name, sweep, id=sweep_id(name, sweep))


def _huge_id_url(name: str, kwargs: dict) -> str | None:
    """The URL with every id in it out of any integer column's range."""
    if not any(isinstance(v, int) for v in kwargs.values()):
        return None
    huge = {k: 10**30 if isinstance(v, int) else v for k, v in kwargs.items()}
    return reverse(name, kwargs=huge)


def _opened(request, client: Client, name: str, sweep: Sweep) -> tuple[dict, str]:
    """The URL's kwargs and where to post: the page opened first if the sweep says so."""
    builder = MATRIX[name][0].kwargs if sweep.kwargs is None else sweep.kwargs
    kwargs = builder(request) if callable(builder) else dict(builder)
    url = reverse(name, kwargs=kwargs)
    if sweep.get_first:
        opened = client.get(url)
        assert opened.status_code < 400, f"GET {url}: {opened.status_code}"
        if opened.status_code == 302 and sweep.new_link_each_post:
            url = opened["Location"]  # the token moved into the session
    return kwargs, url


@pytest.mark.parametrize(("name", "sweep"), list(_sweep_params()))
def test_malformed_posts_never_cause_a_server_error_and_refused_ones_write_nothing(
    request, db, name: str, sweep: Sweep
):
    if sweep.setup:
        sweep.setup(request)
    client = _client_as(request, sweep.role)
    if sweep.prepare:
        sweep.prepare(request, client)
    kwargs, url = _opened(request, client, name, sweep)
    sane = {n: _sane(spec) for n, spec in sweep.fields.items()}
    if sweep.sane:
        sane.update(sweep.sane(request, kwargs))

    outcomes = []
    for payload, data in _payloads(sweep.fields, sane):
        if sweep.new_link_each_post:
            kwargs, url = _opened(request, client, name, sweep)
        outcomes.append(post_and_watch(client, url, payload, data=data))
    if sweep.new_link_each_post:
        kwargs, url = _opened(request, client, name, sweep)
    outcomes.append(
        post_and_watch(
            client, url, TOO_MANY_FIELDS, body=_too_many_fields_body(sweep.fields)
        )
    )
    huge = _huge_id_url(name, kwargs)
    if huge:
        outcomes.append(post_and_watch(client, huge, "a huge id in the address", {}))

    assert [o.problem() for o in outcomes if o.problem()] == []
    if sweep.form_refuses_empty:  # a form with required fields saves nothing of these
        must_not_write = {"empty", TOO_MANY_FIELDS}
        if any(spec.max_length for spec in sweep.fields.values()):
            must_not_write.add("oversized strings")
        assert {
            o.payload: o.changed for o in outcomes if o.payload in must_not_write
        } == {payload: {} for payload in must_not_write}


# --- the admin's add and change forms ----------------------------------------------------


def _registered() -> list:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _petition(request):
    from petitions.models import Petition

    return Petition.objects.get(**_alices_petition_at("replied")(request))


def _a_login_failure(request):
    """django-axes' rows come from logins: a refused one."""
    user = UserFactory()
    Client().post(reverse("login"), {"username": user.username, "password": "wrong"})


def _a_failure_log(request):
    """Written only where AXES_ENABLE_ACCESS_FAILURE_LOG is on: one by hand."""
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(
        username="zhang", ip_address="127.0.0.1", user_agent="", path_info="/"
    )


def _a_login(request):
    user = UserFactory()
    Client().post(reverse("login"), {"username": user.username, "password": PASSWORD})


def _an_award(request):
    from groups.models import Award
    from tests.factories import ActivityGroupFactory, AwardKindFactory

    group = ActivityGroupFactory()
    return Award.objects.create(
        kind=AwardKindFactory(),
        year=group.year,
        group=group,
        confirmed_by=request.getfixturevalue("staff"),
    )


# Rows the admin's change forms open, for models whose rows a few columns cannot make:
# the factories and services know the rules (credit codes, duty weeks, workflow steps).
def _factory(name: str) -> Callable:
    def build(request):
        from tests import factories

        return getattr(factories, name)()

    return build


ADMIN_OBJECTS: dict[str, Callable] = {
    "chamber.User": lambda request: request.getfixturevalue("alice").user,
    "chamber.Official": lambda request: request.getfixturevalue("official"),
    "members.Enterprise": _factory("EnterpriseFactory"),
    "members.Member": lambda request: request.getfixturevalue("alice"),
    "members.DutyShift": _factory("DutyShiftFactory"),
    "members.DutyLogEntry": _factory("DutyLogEntryFactory"),
    "members.Unavailability": _factory("UnavailabilityFactory"),
    "groups.AwardKind": _factory("AwardKindFactory"),
    "groups.PointRule": _factory("PointRuleFactory"),
    "activities.Activity": _factory("ActivityFactory"),
    "activities.Series": _factory("SeriesFactory"),
    "petitions.Petition": _petition,
    "petitions.PetitionEvent": lambda request: _petition(request).events.first(),
    "axes.AccessAttempt": _a_login_failure,
    "axes.AccessFailureLog": _a_failure_log,
    "axes.AccessLog": _a_login,
    "groups.Award": _an_award,
}


def _value_for(model_field, request):
    from django.db import models

    if model_field.choices:
        return model_field.choices[0][0]
    if isinstance(model_field, (models.ForeignKey, models.OneToOneField)):
        return a_row_of(
            model_field.related_model, request, fresh=model_field.one_to_one
        )
    if isinstance(model_field, models.BooleanField):
        return False
    if isinstance(model_field, (models.IntegerField, models.DecimalField, models.FloatField)):  # fmt: skip
        return 1
    if isinstance(model_field, models.DateTimeField):
        return timezone.now()
    if isinstance(model_field, models.DateField):
        return timezone.localdate()
    if isinstance(model_field, models.TimeField):
        return "10:00"
    if isinstance(model_field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(model_field, models.JSONField):
        return {}
    if isinstance(model_field, models.BinaryField):
        return b""
    if isinstance(model_field, models.EmailField):
        return "qiye@example.cn"
    return f"样{model_field.model._default_manager.count()}"[
        : model_field.max_length or 20
    ]


def a_row_of(model, request, fresh: bool = False):
    """A row of `model`: a builder's, one already there, or one with its required columns."""
    label = model._meta.label
    if label in ADMIN_OBJECTS:
        made = ADMIN_OBJECTS[label](request)
        return made if isinstance(made, model) else model._default_manager.first()
    if not fresh and (found := model._default_manager.order_by("pk").first()):
        return found
    values = {
        f.name: _value_for(f, request)
        for f in model._meta.concrete_fields
        if not (f.primary_key or f.has_default() or f.null or f.blank)
    }
    return model._default_manager.create(**values)


ADMIN_PAYLOADS = ("empty", "oversized strings", "wrong types")


def _admin_fields(model_admin, request, obj) -> dict[str, Field]:
    form_class = model_admin.get_form(request, obj, change=obj is not None)
    fields = fields_of(form_class)
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        fields.update(management_form(formset.get_default_prefix()))
    return fields


# In the embedded lane, to keep the two lanes about as long (tests/conftest.py lane_of).
@pytest.mark.sweep(lane="embedded")
@pytest.mark.parametrize(
    ("model", "model_admin"),
    [pytest.param(m, a, id=m._meta.label) for m, a in _registered()],
)
def test_the_admins_add_and_change_forms_refuse_malformed_input_without_a_server_error(
    request, db, superuser, model, model_admin
):
    obj = a_row_of(model, request)
    assert obj is not None, f"{model._meta.label}: add a builder to ADMIN_OBJECTS"
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    as_superuser = RequestFactory().get("/")
    as_superuser.user = superuser
    info = model._meta.app_label, model._meta.model_name
    pages = [
        (reverse("admin:{}_{}_add".format(*info)), None),
        (reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), obj),
    ]
    problems, tried = [], 0

    for url, instance in pages:
        if not model_admin.has_add_permission(as_superuser) and instance is None:
            continue  # no adding here (a log, a device): nothing to post
        tried += 1
        fields = _admin_fields(model_admin, as_superuser, instance)
        sane = {n: _sane(spec) for n, spec in fields.items()}
        payloads = [
            (p, d)
            for p, d in _payloads(fields, sane, admin=True)
            if p in ADMIN_PAYLOADS
        ]
        outcomes = [post_and_watch(client, url, p, data=d) for p, d in payloads]
        outcomes.append(
            post_and_watch(
                client, url, TOO_MANY_FIELDS, body=_too_many_fields_body(fields)
            )
        )
        for outcome in outcomes:
            # The admin saves with a redirect; anything else is the form shown again.
            outcome.refused = outcome.status != 302
            if outcome.problem():
                problems.append(f"{url} {outcome.problem()}")

    assert tried, f"neither the add nor the change form of {model._meta.label} opened"
    assert problems == []
