"""AC-2: another party's object is a 404, whatever the URL, the method or the role.

One world of two parties, A and B. Each has an enterprise with a member and a
representative (a member of the enterprise holding a duty title), and a department with
an official. Each enterprise has petitions dispatched to its own department (one new,
one in progress, one answered; each with a picture), and each representative has duty
weeks, a duty-log entry with a file, declared days off and an open swap. Each member is
signed up for an activity and checked in at another, has a points entry, and has sent a
showcase with a photo for approval; each official has a failed weekly digest.

Every URL that names an object (an id, a token, a key) is in TARGETS, or in OUTSIDE with
the reason it is not a party's object; a new object URL in neither fails the suite, as a
new URL without a row fails tests/test_access_matrix.py. Each target is requested, in
both directions (B's personas on A's object, then A's on B's), with the method it takes,
the valid data of its form and downloads included:

- the personas the URL serves (a member on an enterprise page, an official on a
  department page, ...) get 404: never a 403 that confirms the object exists, never
  a 200;
- the personas it does not serve get exactly what they get for an id that does not
  exist: the role check comes first, and its 403 says nothing about the object
  (tests/test_access_matrix.py checks those 403s role by role);
- the portal's tables, the stored files and the outbox are as they were.

Where the table names the owner, A's owner then makes the same request and gets the
page (200), or changes something: the refused request would have worked for its owner.
Ids named in a form rather than the URL (a showcase's photos) and the private calendar
links have their own tests below.
"""

import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from activities import services as activities
from activities.models import Campaign
from chamber import downloads
from chamber.models import Download, OutgoingMessage
from chamber.uploads import check_picture, check_upload
from groups import services as points
from groups.models import Award
from members.models import DutyLogAttachment
from members.services import feeds, rota
from petitions import services, topics
from petitions.downloads import PETITIONS_XLSX
from petitions.models import PetitionAttachment
from publicity import showcases
from publicity.models import DigestDelivery
from tests.factories import (
    ActivityFactory,
    AwardKindFactory,
    DepartmentFactory,
    DutyLogEntryFactory,
    DutyShiftFactory,
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
    RepresentativeFactory,
    StaffFactory,
    UnavailabilityFactory,
)
from tests.support.access import changed_tables, fingerprint, walk
from tests.support.access_matrix import EXCLUDED_PREFIXES
from tests.support.db import kept_for_the_module
from tests.support.department_pages import FULL_POST, dispatched
from tests.support.pictures import png

INTRUDERS = ("member", "representative", "official")
# URL parameters that name an object; the others name a year, a kind or an action.
OBJECT_PARAMS = {"pk", "entry_pk", "kind_pk", "token", "key", "uidb64"}
OTHER_PARAMS = {"year", "code", "kind", "action"}
NO_SUCH_ID = 2_000_000_000

# A sweep of every object URL: one lane runs it (tests/conftest.py lane_of).
pytestmark = pytest.mark.sweep(lane="embedded")


def _png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def _monday(weeks: int):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


# --- the world of two parties ----------------------------------------------------------------


def _party(letter: str, index: int, staff) -> SimpleNamespace:
    """A party's people and objects. `index` keeps the two parties' duty weeks apart."""
    enterprise = EnterpriseFactory(name=f"{letter}公司")
    member = MemberFactory(enterprise=enterprise, user__full_name=f"{letter}会员")
    rep = RepresentativeFactory(enterprise=enterprise, user__full_name=f"{letter}代表")
    department = DepartmentFactory(name=f"西市区{letter}局")
    official = OfficialFactory(department=department, user__full_name=f"{letter}科长")
    p = SimpleNamespace(
        enterprise=enterprise,
        member=member,
        representative=rep,
        department=department,
        official=official,
    )

    # Petitions of the enterprise, at the department: new, in progress, answered.
    p.new = dispatched(staff, department, f"{letter}：新派单", enterprise=enterprise)
    p.signed = dispatched(staff, department, f"{letter}：办理中", enterprise=enterprise)
    services.sign_petition(petition=p.signed, actor=official.user)
    p.answered = dispatched(
        staff, department, f"{letter}：已答复", enterprise=enterprise
    )
    services.sign_petition(petition=p.answered, actor=official.user)
    services.record_department_reply(
        petition=p.answered, actor=official.user, outcome="resolved", reply="已办结。"
    )
    services.answer_petition(petition=p.answered, actor=staff, answer="已协调解决。")
    for petition in (p.new, p.signed, p.answered):
        PetitionAttachment.store_all(
            [check_upload(_png("现场.png"))],
            petition_id=petition.pk,
            uploaded_by=member.user,
        )
    p.attachment = p.new.attachments.get()

    # The department leads a monthly topic (每月一题) covering the new petition.
    month = timezone.localdate().replace(day=1) + timedelta(days=32 * index)
    p.topic = topics.save_topic(
        actor=staff,
        month=month.replace(day=1),
        title=f"{letter}：融资难题",
        lead_department=department,
        departments=[],
        problems="贷款审批慢",
        petitions=[p.new],
        tasks=[
            {
                "text": f"{letter}：银企对接",
                "department": department,
                "owner": "",
                "due_on": timezone.localdate(),
            }
        ],
    )
    p.task = p.topic.tasks.get()

    # The representative: a past week with a log entry and its file, two coming weeks
    # (one free to swap, one with an open swap), and days declared unavailable.
    week = DutyShiftFactory(week_start=_monday(-index), representative=rep)
    p.log_entry = DutyLogEntryFactory(
        shift=week, enterprise=enterprise, appeal=f"{letter}：希望协调电力增容。"
    )
    (p.log_file,) = DutyLogAttachment.store_all(
        [check_upload(_png("来访.png"))], entry_id=p.log_entry.pk
    )
    registered = DutyLogEntryFactory(
        shift=week, enterprise=enterprise, appeal=f"{letter}：希望协调用地指标。"
    )
    p.registered = services.petition_from_duty_log(
        entry=registered,
        actor=rep.user,
        title=f"{letter}：用地指标",
        description="希望协调用地指标。",
    )
    p.coming_week = DutyShiftFactory(
        week_start=_monday(1 + 2 * index), representative=rep
    )
    swapped = DutyShiftFactory(week_start=_monday(2 + 2 * index), representative=rep)
    p.swap = rota.ask_swap(shift=swapped, member=rep)
    p.days_off = UnavailabilityFactory(
        member=rep, starts_on=_monday(8 + index), ends_on=_monday(8 + index)
    )

    # The member: a registration, a check-in, points, a showcase waiting for approval.
    p.registration = activities.sign_up(activity=ActivityFactory(), member=member)
    p.attendance = activities.check_in(
        activity=ActivityFactory(starts_at=timezone.now()), member=member, actor=staff
    )
    p.points = points.record_manual_points(
        member=member, points=5, reason="协助筹办会客厅", actor=staff
    )
    # Paper of the member's own: a published award's certificate (荣誉证书) and the
    # proof of a service-month session attended (参加活动证明).
    p.award = points.confirm_award(
        kind=AwardKindFactory(name="优秀会员", awarded_to="member"),
        year=timezone.localdate().year - 1,
        actor=staff,
        member=member,
        override_reason="年度表现突出",
    )
    Award.objects.filter(pk=p.award.pk).update(published_at=timezone.now())
    service_month = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name=f"{letter}：服务月",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    p.proof = activities.check_in(
        activity=ActivityFactory(starts_at=timezone.now(), campaign=service_month),
        member=member,
        actor=staff,
    )
    showcase = showcases.showcase_of(enterprise)
    showcase.introduction = f"{letter}公司主营港口物流。"
    p.showcase = showcases.save_showcase(
        showcase=showcase,
        actor=member.user,
        photos=[check_picture(_png("仓库.png"))],
        remove_photo_ids=[],
        submit=True,
    )
    p.photo = p.showcase.photos.get()

    # Files the official asked for (chamber/downloads.py): one made, one that failed
    # (its owner may ask for it again).
    p.download = downloads.build(
        downloads.request_download(
            owner=official.user, kind=PETITIONS_XLSX, parameters={}
        ).pk
    )
    p.failed_download = Download.objects.create(
        owner=official.user,
        kind=PETITIONS_XLSX,
        status=Download.Status.FAILED,
        error="模板有误",
    )

    # The official's weekly digest, failed: staff may send it again.
    p.digest = DigestDelivery.objects.create(
        official=official,
        week_start=_monday(0),
        kind=DigestDelivery.Kind.DEPARTMENT,
        status=DigestDelivery.Status.IN_OUTBOX,
        message=OutgoingMessage.objects.create(
            key=f"weekly-digest:idor-{official.pk}",
            kind="weekly-digest",
            user=official.user,
            address=official.user.email,
            subject="周报",
            status=OutgoingMessage.Status.FAILED,
            attempts=6,
            last_error="SMTP 451",
        ),
    )
    return p


@pytest.fixture(scope="module")
def two_parties(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two parties, made once for the module, with their files in a folder of its own."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), kept_for_the_module(django_db_blocker):
        staff = StaffFactory()
        yield (
            media,
            {
                "a": _party("甲", 0, staff),
                "b": _party("乙", 1, staff),
                "staff": staff,
            },
        )


@pytest.fixture
def world(db, two_parties, settings, tmp_path):
    """The two parties, in a savepoint; each test gets a copy of their files to change."""
    media, parties = two_parties
    settings.MEDIA_ROOT = tmp_path / "media"
    shutil.copytree(media, settings.MEDIA_ROOT)
    return parties


# --- what is requested -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One request of an object URL: whose object, how, and who may reach it."""

    name: str
    kwargs: Callable[[SimpleNamespace], dict]
    method: str = "GET"
    data: dict = field(default_factory=dict)
    label: str = ""
    # The intruders' roles the URL serves: these must get a 404.
    serves: tuple[str, ...] = ()
    # Who on the owning side gets the page or makes the change ("" for no check).
    owner: str = ""

    @property
    def id(self) -> str:
        label = f"[{self.label}]" if self.label else ""
        return f"{self.name}{label}-{self.method}"


# What the clock's forms take (petitions/forms_clock.py): a request to the enterprise,
# an extension to a date well after any due date here, a decision, a return visit.
CLOCK_POST = {
    "request": "请补充营业执照复印件",
    "reason": "需现场踏勘",
    "proposed_due": (timezone.localdate() + timedelta(days=120)).isoformat(),
    "decision": "refuse",
    "note": "理由不充分",
    "way": "phone",
    "spoke_with": "王经理",
    "solved": "solved",
    "rating": "satisfied",
}

MEMBERS = (
    "member",
    "representative",
)  # a representative is a member of their enterprise
EVERYONE = INTRUDERS

TARGETS = [
    # --- members ---
    Target(
        "members:enterprise",
        lambda p: {"pk": p.enterprise.pk},
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "members:enterprise_edit",
        lambda p: {"pk": p.enterprise.pk},
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "members:enterprise_edit",
        lambda p: {"pk": p.enterprise.pk},
        "POST",
        {"introduction": "改写的介绍", "phone": "0417-1234567"},
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "members:delete_unavailability",
        lambda p: {"pk": p.days_off.pk},
        "POST",
        serves=("representative",),
        owner="representative",
    ),
    Target(
        "members:ask_swap",
        lambda p: {"pk": p.coming_week.pk},
        "POST",
        {"reason": "出差"},
        serves=("representative",),
        owner="representative",
    ),
    Target(
        "members:withdraw_swap",
        lambda p: {"pk": p.swap.pk},
        "POST",
        serves=("representative",),
        owner="representative",
    ),
    Target("members:edit_shift", lambda p: {"pk": p.coming_week.pk}, owner="staff"),
    Target(
        "members:edit_shift",
        lambda p: {"pk": p.coming_week.pk},
        "POST",
        {"representative": "", "note": "改派"},
        owner="staff",
    ),
    Target(
        "members:log_entry",
        lambda p: {"pk": p.log_entry.pk},
        serves=("representative",),
        owner="representative",
    ),
    Target(
        "members:log_entry",
        lambda p: {"pk": p.log_entry.pk},
        "POST",
        {"note": "改写"},
        serves=("representative",),
    ),
    Target(
        "members:log_attachment",
        lambda p: {"pk": p.log_file.pk},
        label="download",
        serves=("representative",),
        owner="representative",
    ),
    # --- groups ---
    Target(
        "groups:correct",
        lambda p: {"pk": p.points.pk},
        "POST",
        {"reason": "重复记分"},
        owner="staff",
    ),
    Target(
        "groups:certificate",
        lambda p: {"pk": p.award.pk},
        label="download",
        serves=MEMBERS,
        owner="member",
    ),
    # --- activities ---
    Target(
        "activities:attendance_certificate",
        lambda p: {"pk": p.proof.pk},
        label="download",
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "activities:cancel",
        lambda p: {"pk": p.registration.pk},
        "POST",
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "activities:undo_checkin",
        lambda p: {"pk": p.attendance.pk},
        "POST",
        {"reason": "误签"},
        owner="staff",
    ),
    Target("activities:colleague_present", lambda p: {"pk": p.registration.pk}, "POST"),
    # --- petitions ---
    Target(
        "petitions:detail", lambda p: {"pk": p.new.pk}, serves=MEMBERS, owner="member"
    ),
    Target(
        "petitions:rate",
        lambda p: {"pk": p.answered.pk},
        "POST",
        {"solved": "solved", "rating": "satisfied", "comment": "满意"},
        serves=MEMBERS,
        owner="member",
    ),
    # 待企业补充: the enterprise answers the department's request (none is open here:
    # the intruders are refused before the service is asked).
    Target(
        "petitions:answer_request",
        lambda p: {"pk": p.signed.pk},
        "POST",
        {"answer": "营业执照复印件已上传。"},
        serves=MEMBERS,
    ),
    Target(
        "petitions:add_to", lambda p: {"pk": p.new.pk}, serves=MEMBERS, owner="member"
    ),
    Target(
        "petitions:add_to",
        lambda p: {"pk": p.new.pk},
        "POST",
        {"title": "补充", "description": "补充现场照片说明。"},
        serves=MEMBERS,
        owner="member",
    ),
    Target(
        "petitions:attachment",
        lambda p: {"pk": p.attachment.pk},
        label="download",
        serves=EVERYONE,
        owner="official",
    ),
    Target(
        "petitions:from_duty_log",
        lambda p: {"entry_pk": p.log_entry.pk},
        serves=("representative",),
        owner="representative",
    ),
    Target(
        "petitions:from_duty_log",
        lambda p: {"entry_pk": p.log_entry.pk},
        "POST",
        {"title": "电力增容", "description": "希望协调电力增容。"},
        serves=("representative",),
        owner="representative",
    ),
    Target(
        "petitions:department_detail",
        lambda p: {"pk": p.new.pk},
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:department_action",
        lambda p: {"pk": p.new.pk, "action": "sign"},
        "POST",
        label="sign",
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:department_action",
        lambda p: {"pk": p.new.pk, "action": "return"},
        "POST",
        FULL_POST,
        label="return",
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:department_action",
        lambda p: {"pk": p.signed.pk, "action": "progress"},
        "POST",
        FULL_POST,
        label="progress",
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:department_action",
        lambda p: {"pk": p.signed.pk, "action": "reply"},
        "POST",
        FULL_POST,
        label="reply",
        serves=("official",),
        owner="official",
    ),
    # 待企业补充 and 延期: the department asks the enterprise, or asks for more time.
    *[
        Target(
            "petitions:department_clock",
            lambda p, action=action: {"pk": p.signed.pk, "action": action},
            "POST",
            CLOCK_POST,
            label=action,
            serves=("official",),
            owner="official",
        )
        for action in ("ask", "extension")
    ],
    Target(
        "petitions:registered_detail",
        lambda p: {"pk": p.registered.pk},
        serves=("representative",),
        owner="representative",
    ),
    Target("petitions:staff_detail", lambda p: {"pk": p.new.pk}, owner="staff"),
    # Paper (issue 21): the department prints its own petitions' sheets only. The
    # new petition is not supervised: its 督办通知单 is a 404 for its owner too.
    Target(
        "petitions:department_assignment_sheet",
        lambda p: {"pk": p.new.pk},
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:department_supervision_notice",
        lambda p: {"pk": p.new.pk},
        serves=("official",),
    ),
    Target("petitions:assignment_sheet", lambda p: {"pk": p.new.pk}, owner="staff"),
    Target("petitions:supervision_notice", lambda p: {"pk": p.signed.pk}),
    *[
        Target(
            "petitions:staff_action",
            lambda p, action=action: {"pk": p.new.pk, "action": action},
            "POST",
            {"note": "备注", "basis": "不属实", "answer": "已答复", "reason": "重复"},
            label=action,
            owner="staff" if action == "note" else "",
        )
        for action in (
            "accept",
            "dispatch",
            "answer",
            "send_back",
            "reject",
            "merge",
            "note",
        )
    ],
    # 待企业补充, 延期 and 回访 on the staff's page of a petition.
    *[
        Target(
            "petitions:staff_clock",
            lambda p, action=action: {"pk": p.signed.pk, "action": action},
            "POST",
            CLOCK_POST,
            label=action,
            owner="staff" if action == "ask" else "",
        )
        for action in ("ask", "close", "extension", "visit")
    ],
    # --- publicity ---
    Target(
        "publicity:showcase_photo",
        lambda p: {"pk": p.photo.pk},
        label="download",
        serves=EVERYONE,
        owner="member",
    ),
    Target(
        "publicity:showcase_poster",
        lambda p: {"pk": p.showcase.pk},
        serves=EVERYONE,
        owner="member",
    ),
    Target(
        "publicity:approve_showcase",
        lambda p: {"pk": p.showcase.pk},
        "POST",
        owner="staff",
    ),
    Target(
        "publicity:return_showcase",
        lambda p: {"pk": p.showcase.pk},
        "POST",
        {"note": "请补充照片"},
        owner="staff",
    ),
    Target(
        "publicity:resend_digest", lambda p: {"pk": p.digest.pk}, "POST", owner="staff"
    ),
    # A file made by a task is its owner's alone: anyone else's is a 404.
    Target(
        "download",
        lambda p: {"pk": p.download.pk},
        serves=INTRUDERS,
        owner="official",
    ),
    Target(
        "download_again",
        lambda p: {"pk": p.failed_download.pk},
        "POST",
        serves=INTRUDERS,
        owner="official",
    ),
    Target(
        "download_file",
        lambda p: {"pk": p.download.pk},
        serves=INTRUDERS,
        owner="official",
    ),
    # 每月一题: an official reads and marks done the topics their department takes part in.
    Target(
        "petitions:topic",
        lambda p: {"pk": p.topic.pk},
        serves=("official",),
        owner="official",
    ),
    Target(
        "petitions:topic_task_done",
        lambda p: {"pk": p.task.pk},
        "POST",
        {"note": "已完成。"},
        serves=("official",),
        owner="official",
    ),
]

# Object URLs that are not one party's object, and why they are left out here.
OUTSIDE = {
    "sms-replies": "Tencent Cloud's reply callback; the token is the chamber's secret, "
    "not a party's object",
    "wechat-dev-bind": "development only (DEBUG); the signed bind token is the key "
    "(test_wechat_callback)",
    "members:detail": "the member directory is shared by design: names and titles",
    "members:accept_invitation": "the signed link is the key (tests/members)",
    "members:accept_swap": "an open swap is offered to every representative",
    "members:feed": "the link is the key: test_a_feed_shows_only_its_owners_things",
    "activities:my_calendar": "the link is the key: test_a_feed_shows_only_its_owners_things",
    "password_reset_confirm": "the signed link is the key (AU-6)",
    "petitions:rate_by_link": "the signed link is the key (test_pages_member)",
    "publicity:news_unsubscribe": "the signed link is the key (test_news)",
    "activities:self_checkin": "the door's QR link, the same for every member",
    "petitions:leader_detail": "every district leader reads every escalated petition; "
    "the other roles are refused by role (access matrix)",
    "petitions:instruct": "every district leader instructs on every escalated "
    "petition; the other roles are refused by role (access matrix)",
    # Product decision (docs/checks.md gap 6): the groups compete in the open, so every
    # member sees every group's page and every member's points history.
    "groups:detail": "open to every member by design",
    "groups:member_points": "open to every member by design",
    # The chamber's own objects, the same for every party (AC-1 checks the roles).
    "outbox_detail": "the chamber's outbox, staff only",
    "outbox_action": "the chamber's outbox, staff only",
    "groups:confirm_award": "the chamber's award kinds, staff only",
    "activities:detail": "the chamber's activities",
    "activities:sign_up": "the chamber's activities, open to every member",
    "activities:platform": "the chamber's platforms, public",
    "activities:campaign": "the chamber's campaigns, public",
    "activities:photo": "photos of the chamber's activities, public",
    "activities:checkin": "the chamber's activities, staff only",
    "activities:checkin_qr": "the chamber's activities, staff only",
    "activities:attendance_export": "the chamber's activities, staff only",
    "activities:activity_calendar": "the chamber's activities",
    "petitions:report": "the chamber's reports, leaders and staff",
    "petitions:batch_entered": "the chamber's intake batches, staff only (access "
    "matrix)",
    "petitions:topic_edit": "the chamber's monthly topics: staff and leaders change "
    "every one; the other roles are refused by role (access matrix)",
    "petitions:topic_close": "the chamber's monthly topics: staff and leaders "
    "conclude every one; the other roles are refused by role (access matrix)",
    "publicity:topic_article": "the chamber's monthly topics, staff only",
    "petitions:report_export": "the chamber's reports, leaders and staff",
    "petitions:report_pdf": "the chamber's reports, leaders and staff",
    "petitions:report_docx": "the chamber's reports, leaders and staff",
    "publicity:article": "the chamber's articles",
    "publicity:picture": "the editor's pictures, public by their key",
    "publicity:showcase": "only approved showcases have a page, public to all",
    "petitions:session": "a session's opinion form (its QR code), open to everyone",
    "petitions:session_poster": "the chamber's sessions, staff only",
    "petitions:opinion_sheets": "the chamber's sessions, staff only",
    "petitions:received": "the signed link is the key "
    "(tests/petitions/test_entry_points.py)",
    "activities:signup_poster": "the chamber's activities, staff only",
    "activities:signup_poster_pdf": "the chamber's activities, staff only",
    "petitions:session_poster_pdf": "the chamber's sessions, staff only",
    "groups:certificate_batch": "the chamber's batches of certificates, staff only",
    "members:admit_enterprise": "a non-member enterprise belongs to no party; staff "
    "only (access matrix)",
}


# --- the URL patterns ------------------------------------------------------------------------


def object_urls(resolver) -> dict[str, set[str]]:
    """The named URLs that name an object, and the parameters neither list knows."""
    found, unknown = set(), set()
    for route, name in walk(resolver.url_patterns):
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        unknown |= params - OBJECT_PARAMS - OTHER_PARAMS
        if params & OBJECT_PARAMS:
            found.add(name)
    return {"object urls": found, "unknown parameters": unknown}


def test_every_object_url_is_requested_here_or_left_out_with_a_reason():
    found = object_urls(get_resolver())
    targets = {t.name for t in TARGETS}

    assert found["unknown parameters"] == set()
    assert found["object urls"] - targets - set(OUTSIDE) == set(), "not in TARGETS"
    assert targets & set(OUTSIDE) == set()
    assert (targets | set(OUTSIDE)) - found["object urls"] == set(), "stale rows"


def _a_view(request):
    raise AssertionError("never called")


def test_a_new_object_url_and_a_new_kind_of_parameter_are_both_caught():
    from chamber.urls import urlpatterns

    grown = URLResolver(
        RegexPattern(r"^/"),
        [
            *urlpatterns,
            path("things/<int:pk>/", _a_view, name="thing"),
            path("odd/<int:other>/", _a_view, name="odd"),
        ],
    )
    found = object_urls(grown)

    assert found["object urls"] - {t.name for t in TARGETS} - set(OUTSIDE) == {"thing"}
    assert found["unknown parameters"] == {"other"}


# --- requesting every target as the other party ----------------------------------------------


def _client(who) -> Client:
    client = Client()
    client.force_login(getattr(who, "user", who))
    return client


def _request(client: Client, target: Target, kwargs: dict):
    url = reverse(target.name, kwargs=kwargs)
    if target.method == "POST":
        return client.post(url, target.data)
    return client.get(url, follow=True)  # the member page sends officials on


def _missing(kwargs: dict) -> dict:
    """The same kwargs, naming an object that does not exist."""
    swap = {"token": "x" * 43, "key": uuid.uuid4()}
    return {
        k: (
            uuid.uuid4()
            if isinstance(v, uuid.UUID)
            else swap.get(k, NO_SUCH_ID)
            if k in OBJECT_PARAMS
            else v
        )
        for k, v in kwargs.items()
    }


def _state(media) -> tuple:
    files = sorted(
        (str(f.relative_to(media)), f.stat().st_size)
        for f in media.rglob("*")
        if f.is_file()
    )
    return fingerprint(), files, len(mail.outbox)


def _close(response) -> None:
    """Close a download's file; the test client keeps the connection open, as here."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _answers(client: Client, target: Target, kwargs: dict) -> int:
    response = _request(client, target, kwargs)
    _close(response)
    return response.status_code


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_the_other_party_gets_404_and_changes_nothing(world, settings, target):
    media = settings.MEDIA_ROOT
    clients = {
        side: {role: _client(getattr(world[side], role)) for role in INTRUDERS}
        for side in ("a", "b")
    }
    owner_client = None
    if target.owner:
        owner = world["staff"] if target.owner == "staff" else None
        owner_client = _client(owner or getattr(world["a"], target.owner))
    before = _state(media)
    wrong = []

    for owner_side, intruder_side in (("a", "b"), ("b", "a")):
        kwargs = target.kwargs(world[owner_side])
        for role, client in clients[intruder_side].items():
            got = _answers(client, target, kwargs)
            if role in target.serves:
                expected = 404
            else:
                expected = _answers(client, target, _missing(kwargs))
                assert expected in (403, 404), f"{role}: {expected} for a missing id"
            if got != expected:
                wrong.append(f"{role} of {intruder_side}: {got}, not {expected}")

    assert wrong == []
    changed = _state(media)
    assert changed_tables(before[0], changed[0]) == []
    assert changed[1:] == before[1:], "files or mail changed"
    if owner_client is None:
        return
    response = _request(owner_client, target, target.kwargs(world["a"]))
    _close(response)
    if target.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert changed_tables(before[0], fingerprint()) != []


# --- ids named in a form, not in the URL -----------------------------------------------------


@pytest.mark.parametrize("role", MEMBERS)
def test_removing_another_enterprises_showcase_photo_is_a_404(world, settings, role):
    intruder = getattr(world["b"], role)
    client = _client(intruder)
    own = world["b"].photo
    before = _state(settings.MEDIA_ROOT)

    response = client.post(
        reverse("publicity:my_showcase"),
        {
            "introduction": "乙公司主营港口物流。",
            "remove_photos": [world["a"].photo.pk, own.pk],
        },
    )

    assert response.status_code == 404
    assert changed_tables(before[0], fingerprint()) == []
    assert _state(settings.MEDIA_ROOT)[1:] == before[1:]


# --- links that are their own key ------------------------------------------------------------


def _feed_text(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_feed_shows_only_its_owners_things(world):
    a, b = world["a"], world["b"]
    weeks = {
        side: reverse(
            "members:feed",
            args=[feeds.renew_feed(user=p.representative.user, kind="my_shifts")],
        )
        for side, p in (("a", a), ("b", b))
    }
    activity_feeds = {
        side: reverse(
            "activities:my_calendar",
            args=[feeds.renew_feed(user=p.member.user, kind="my_activities")],
        )
        for side, p in (("a", a), ("b", b))
    }
    registered = {"a": a.registration.activity, "b": b.registration.activity}

    for mine, theirs in (("a", "b"), ("b", "a")):
        shifts = _feed_text(weeks[mine])
        calendar = _feed_text(activity_feeds[mine])

        assert f"duty-shift-{world[mine].coming_week.pk}@" in shifts
        assert f"duty-shift-{world[theirs].coming_week.pk}@" not in shifts
        assert registered[mine].title in calendar
        assert registered[theirs].title not in calendar
