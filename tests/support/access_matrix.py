"""The URL access matrix (CHECKS.md AC-1): for every named URL, what each role gets.

One row per URL name (namespaced, as `reverse` takes it), one or more cases per row:
the kwargs (a dict, or a builder taking pytest's `request` so it can ask for the
personas of tests/conftest.py), the method, and one expected status per role in
ROLES order. tests/test_access_matrix.py requests every case as every role and
checks that every named URL outside /admin/ and /i18n/ has a row here, and that
every row still names a URL.

The statuses are read from the views' decorators and the product rules, not recorded
from responses:

- `staff_required`, `member_required`, `role_required(...)`: anonymous users are sent
  to log in (302), logged-in users without the role get 403;
- a member reaches only their own enterprise's objects, an official only the
  petitions dispatched to their department, a representative only their own duty
  weeks and log entries: anything else is 404, never a 403 that confirms it exists;
- public pages (the news site, activities, awards) and links that carry their own
  key (calendar feeds, rating, unsubscribe, invitation and reset links) answer 200
  to everyone, logged in or not;
- POST-only actions: a GET is 405, an empty POST by a role that may act redirects
  (or 400 where the view answers JSON), by any other role it is refused.

The personas (tests/conftest.py): member = Alice (甲公司); representative = a member
of another enterprise holding a duty title; official = an official of a department;
leader = a district leader (no department); staff = the secretariat; superuser = a
staff user with every permission (its fixture is in tests/test_access_matrix.py).
A superuser has no role beyond staff in the portal's pages: the roles come from the
data (chamber/roles.py), so it gets what staff get.

Where the code differs from the rule, the case carries `xfail` with the reason; the
test is then xfail(strict=True), so fixing the code makes it fail until the mark goes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.support.page_catalogue import (
    BAD_TOKEN,
    _a_batch,
    _a_campaign,
    _a_daily_run,
    _a_failed_message,
    _a_group,
    _a_guest_petition_received,
    _a_monthly_report,
    _a_non_member_enterprise,
    _a_petition,
    _a_petition_the_rep_registered,
    _a_platform,
    _a_published_article,
    _a_rating_link,
    _a_shift,
    _a_staff_download,
    _a_staff_download_made,
    _a_topic,
    _alice,
    _alices_enterprise,
    _alices_unsubscribe_token,
    _an_activity,
    _an_appeal_of_the_reps_week,
    _an_approved_showcase,
    _an_escalated_petition,
)

ROLES = (
    "anonymous",
    "member",
    "representative",
    "official",
    "leader",
    "staff",
    "superuser",
)
# The fixture each logged-in role logs in as.
PERSONA_FIXTURES = {
    "member": "alice",
    "representative": "rep",
    "official": "official",
    "leader": "leader",
    "staff": "staff",
    "superuser": "superuser",
}
# Route prefixes left out: the admin (AC-4 covers it) and Django's own language switch.
EXCLUDED_PREFIXES = ("admin/", "i18n/")

PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar"
PDF = "application/pdf"


@dataclass(frozen=True)
class Case:
    """One request of a URL, with the status each role must get."""

    expect: tuple[int, ...]  # one status per role, in ROLES order
    kwargs: dict | Callable = field(default_factory=dict)
    method: str = "GET"
    label: str = ""
    query: str = ""
    # Where a redirect leads: a URL name (the Location is resolved) or a path prefix.
    # A string applies to every logged-in role; a dict names roles ("*": the others).
    # Anonymous redirects lead to the login page unless the dict names "anonymous".
    goes_to: str | dict = ""
    content_type: str = ""  # what a 200 must be (downloads, feeds, exports)
    # role -> why the code answers something else than the rule: a strict xfail.
    xfail: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert len(self.expect) == len(ROLES), self
        assert set(self.xfail) <= set(ROLES), self

    def status_for(self, role: str) -> int:
        return self.expect[ROLES.index(role)]

    def kwargs_for(self, request) -> dict:
        return self.kwargs(request) if callable(self.kwargs) else dict(self.kwargs)

    def target_for(self, role: str) -> str:
        """The URL name (or path prefix) a redirect of this role must lead to."""
        if isinstance(self.goes_to, dict) and role in self.goes_to:
            return self.goes_to[role]
        if role == "anonymous":
            return "login"
        if isinstance(self.goes_to, dict):
            return self.goes_to.get("*", "")
        return self.goes_to


def row(*expect: int) -> tuple[int, ...]:
    return expect


#                     anon member  rep  official leader staff superuser
PUBLIC = row(200, 200, 200, 200, 200, 200, 200)
LOGGED_IN = row(302, 200, 200, 200, 200, 200, 200)
STAFF_ONLY = row(302, 403, 403, 403, 403, 200, 200)
MEMBERS_AND_STAFF = row(302, 200, 200, 403, 403, 200, 200)
MEMBERS_ONLY = row(302, 200, 200, 403, 403, 403, 403)
REPRESENTATIVES_ONLY = row(302, 403, 200, 403, 403, 403, 403)
REPRESENTATIVES_AND_STAFF = row(302, 403, 200, 403, 403, 200, 200)
OFFICIALS_ONLY = row(302, 403, 403, 200, 403, 403, 403)
OFFICIALS_AND_LEADERS = row(302, 403, 403, 200, 200, 403, 403)
LEADERS_AND_STAFF = row(302, 403, 403, 403, 200, 200, 200)
DEPARTMENTS_PAGE = row(302, 403, 403, 200, 200, 200, 200)
# POST-only actions with an empty POST: the roles that may act are redirected.
STAFF_ACTION = row(302, 403, 403, 403, 403, 302, 302)
MEMBER_ACTION = row(302, 302, 302, 403, 403, 403, 403)
REPRESENTATIVE_ACTION = row(302, 403, 302, 403, 403, 403, 403)
# Alice's own object: the representative is a member of another enterprise.
ALICES_OWN = row(302, 200, 404, 403, 403, 403, 403)
# Recorded by the representative persona: only they and staff.
REPS_OWN_RECORD = row(302, 404, 200, 404, 404, 200, 200)

# --- builders of the objects the URLs name ------------------------------------------------


def _a_supervised_petition(request) -> dict:
    """Alice's petition at the official's department, put under supervision (督办)."""
    from petitions.models import Petition

    kwargs = _a_petition(request)
    Petition.objects.filter(**kwargs).update(supervised_on=timezone.localdate())
    return kwargs


def _a_petition_dispatched_today(request) -> dict:
    """The batch print of today's dispatches (no kwargs: the day is in the query)."""
    _a_petition(request)
    return {}


def _upload(name: str = "照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _a_valid_reset_link(request) -> dict:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.factories import UserFactory

    user = UserFactory()
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _a_valid_invitation(request) -> dict:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from members.invitations import invitation_token_generator
    from tests.factories import MemberFactory

    user = MemberFactory().user
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": invitation_token_generator.make_token(user),
    }


def _bob(request) -> dict:
    return {"pk": request.getfixturevalue("bob").pk}


def _reps_unavailability(request) -> dict:
    from tests.factories import UnavailabilityFactory

    return {"pk": UnavailabilityFactory(member=request.getfixturevalue("rep")).pk}


def _reps_open_swap(request) -> dict:
    from members.models import DutyShift
    from members.services import rota

    shift = DutyShift.objects.get(**_a_shift(request))
    return {"pk": rota.ask_swap(shift=shift, member=shift.representative).pk}


def _another_reps_open_swap(request) -> dict:
    """Next week belongs to another representative, who asks for a swap."""
    from members.models import DutyShift
    from members.services import rota
    from tests.factories import RepresentativeFactory

    shift = DutyShift.objects.get(**_a_shift(request))
    shift.representative = RepresentativeFactory()
    shift.save(update_fields=["representative"])
    return {"pk": rota.ask_swap(shift=shift, member=shift.representative).pk}


def _a_feed_token(fixture: str, kind: str) -> Callable:
    def build(request) -> dict:
        from members.services import feeds

        who = request.getfixturevalue(fixture)
        return {"token": feeds.renew_feed(user=getattr(who, "user", who), kind=kind)}

    return build


def _a_reps_log_entry(request) -> dict:
    return {"pk": _an_appeal_of_the_reps_week(request)["entry_pk"]}


def _a_reps_log_attachment(request) -> dict:
    from chamber.uploads import check_upload
    from members.models import DutyLogAttachment

    entry = _a_reps_log_entry(request)["pk"]
    (stored,) = DutyLogAttachment.store_all([check_upload(_upload())], entry_id=entry)
    return {"pk": stored.pk}


def _this_year(request) -> dict:
    return {"year": timezone.localdate().year}


def _alices_year(request) -> dict:
    return {**_alice(request), **_this_year(request)}


def _a_points_entry(request) -> dict:
    from groups import services

    entry = services.record_manual_points(
        member=request.getfixturevalue("alice"),
        points=5,
        reason="协助筹办会客厅",
        actor=request.getfixturevalue("staff"),
    )
    return {"pk": entry.pk}


def _an_award_kind(request) -> dict:
    from tests.factories import AwardKindFactory

    return {**_this_year(request), "kind_pk": AwardKindFactory().pk}


def _a_members_only_activity(request) -> dict:
    from activities.models import Activity

    found = _an_activity(request)
    Activity.objects.filter(**found).update(is_public=False)
    return found


def _alices_registration(request) -> dict:
    from activities import services
    from activities.models import Activity

    registration = services.sign_up(
        activity=Activity.objects.get(**_an_activity(request)),
        member=request.getfixturevalue("alice"),
    )
    return {"pk": registration.pk}


def _alices_colleague(request) -> dict:
    """A colleague Alice signed up for a service-month session."""
    from activities import services
    from activities.models import Activity

    activity = Activity.objects.get(**_an_activity(request))
    activity.campaign_id = _a_campaign(request)["pk"]
    activity.save(update_fields=["campaign"])
    registration = services.sign_up(
        activity=activity,
        member=request.getfixturevalue("alice"),
        attendee_name="张会计",
    )
    return {"pk": registration.pk}


def _alices_attendance(request) -> dict:
    from activities import services
    from activities.models import Activity

    activity = Activity.objects.get(**_an_activity(request))
    attendance = services.check_in(
        activity=activity,
        member=request.getfixturevalue("alice"),
        actor=request.getfixturevalue("staff"),
        now=activity.starts_at,  # within the check-in window
    )
    return {"pk": attendance.pk}


def _alices_service_month_attendance(request) -> dict:
    """Alice checked in at a service-month session: she has its proof of attendance."""
    from activities.models import Activity

    found = _alices_attendance(request)
    Activity.objects.filter(attendances__pk=found["pk"]).update(
        campaign_id=_a_campaign(request)["pk"]
    )
    return found


def _alices_award(request, *, published: bool = True) -> dict:
    """Alice's 优秀会员 award of last year (published: it has a certificate)."""
    from groups import services
    from groups.models import Award
    from tests.factories import AwardKindFactory

    award = services.confirm_award(
        kind=AwardKindFactory(name="优秀会员", awarded_to="member"),
        year=timezone.localdate().year - 1,
        actor=request.getfixturevalue("staff"),
        member=request.getfixturevalue("alice"),
        override_reason="年度表现突出",
    )
    if published:
        Award.objects.filter(pk=award.pk).update(published_at=timezone.now())
    return {"pk": award.pk}


def _alices_unpublished_award(request) -> dict:
    return _alices_award(request, published=False)


def _a_made_certificate_batch(request) -> dict:
    from groups import services
    from groups.models import Award, CertificateBatch

    year = Award.objects.get(**_alices_award(request)).year
    batch = CertificateBatch.objects.create(
        year=year, requested_by=request.getfixturevalue("staff")
    )
    return {"pk": services.build_certificate_batch(batch=batch).pk}


def _a_photo_of_a_public_activity(request) -> dict:
    from activities.forms import ActivityPhotoForm
    from activities.models import Activity, ActivityPhoto

    form = ActivityPhotoForm(
        data={"caption": "合影", "sort_order": 0},
        files={"image": _upload("合影.png")},
        instance=ActivityPhoto(activity=Activity.objects.get(**_an_activity(request))),
    )
    assert form.is_valid(), form.errors
    return {"pk": form.save().pk}


def _a_self_checkin_link(request) -> dict:
    from activities import services
    from activities.models import Activity

    activity = Activity.objects.get(**_an_activity(request))
    return {"pk": activity.pk, "token": services.self_checkin_token(activity)}


def _an_attachment_of_alices_petition(request) -> dict:
    """A picture sent with Alice's petition, which went to the official's department."""
    from chamber.uploads import check_upload
    from petitions.models import PetitionAttachment

    petition = _a_petition(request)["pk"]
    (stored,) = PetitionAttachment.store_all(
        [check_upload(_upload("积水.png"))],
        petition_id=petition,
        uploaded_by=request.getfixturevalue("alice").user,
    )
    return {"pk": stored.pk}


def _petition_action(action: str) -> Callable:
    def build(request) -> dict:
        return {**_a_petition(request), "action": action}

    return build


def _an_awareness(request) -> dict:
    from activities.models import Awareness

    found, _created = Awareness.objects.get_or_create(
        code="innovation", defaults={"name": "创新意识"}
    )
    return {"code": found.code}


def _a_picture(request) -> dict:
    from publicity import services

    picture = services.store_picture(
        upload=_upload("厂区全景.png"), actor=request.getfixturevalue("staff")
    )
    return {"key": picture.key}


def _alices_showcase_waiting(request):
    """Alice's enterprise sent its showcase, with a photo, for approval."""
    from chamber.uploads import check_picture
    from publicity import showcases

    alice = request.getfixturevalue("alice")
    showcase = showcases.showcase_of(alice.enterprise)
    showcase.introduction = "甲公司主营港口物流。"
    return showcases.save_showcase(
        showcase=showcase,
        actor=alice.user,
        photos=[check_picture(_upload("仓库.png"))],
        remove_photo_ids=[],
        submit=True,
    )


def _a_showcase_waiting_for_approval(request) -> dict:
    return {"pk": _alices_showcase_waiting(request).pk}


def _a_photo_waiting_for_approval(request) -> dict:
    return {"pk": _alices_showcase_waiting(request).photos.get().pk}


def _an_approved_photo(request) -> dict:
    from publicity import showcases

    showcase = _alices_showcase_waiting(request)
    showcases.approve_showcase(
        showcase=showcase, actor=request.getfixturevalue("staff")
    )
    return {"pk": showcase.photos.get().pk}


def _a_failed_digest(request) -> dict:
    from chamber.models import OutgoingMessage
    from publicity.models import DigestDelivery

    today = timezone.localdate()
    official = request.getfixturevalue("official")
    delivery = DigestDelivery.objects.create(
        official=official,
        week_start=today - timedelta(days=today.weekday()),
        kind=DigestDelivery.Kind.DEPARTMENT,
        status=DigestDelivery.Status.IN_OUTBOX,
        message=OutgoingMessage.objects.create(
            key=f"weekly-digest:matrix-{official.pk}",
            kind="weekly-digest",
            user=official.user,
            address=official.user.email,
            subject="周报",
            status=OutgoingMessage.Status.FAILED,
            attempts=6,
            last_error="SMTP 451",
        ),
    )
    return {"pk": delivery.pk}


def _a_topic_of_another_department(request) -> dict:
    """A monthly topic the official persona's department takes no part in."""
    from petitions.models import MonthlyTopic
    from tests.factories import DepartmentFactory

    found = _a_topic(request)
    MonthlyTopic.objects.filter(**found).update(lead_department=DepartmentFactory())
    return found


def _a_task_of_the_topic(request) -> dict:
    from petitions.models import TopicTask

    return {"pk": TopicTask.objects.get(topic_id=_a_topic(request)["pk"]).pk}


def _a_short_link(request) -> dict:
    from chamber.models import ShortLink

    link = ShortLink.objects.create(
        code="Ab3dE6xY",
        url="/petitions/",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {"code": link.code}


def _a_wechat_bind_token(request) -> dict:
    from chamber.wechat_binding import bind_token

    return {"token": bind_token(request.getfixturevalue("alice").user)}


# --- the matrix -----------------------------------------------------------------------------

# An anonymous visitor is sent to log in, or gets a public page (200). These cases do
# otherwise on purpose; tests/test_access_matrix.py checks that no other case does.
ANONYMOUS_EXCEPTIONS = {
    "favicon": "a permanent redirect to the static icon, for everyone",
    "logout": "logging out leads home, logged in or not",
    "password_reset_confirm[valid link]": "Django moves the token into the session",
    "members:accept_invitation[valid link]": "the token moves into the session",
    "activities:detail[members only]": "not on the public site: not found",
    "activities:activity_calendar[members only]": "not on the public site: not found",
    "publicity:showcase_photo[waiting for approval]": "not public yet: not found",
    "publicity:transparency": "晾晒 not published by a leader yet: not found",
    "short-link": "an SMS's short link leads where it points, for anyone who has it",
    "sms-replies[wrong token]": "Tencent Cloud's reply callback: a wrong token is not found",
    "wechat-callback": "the 服务号's callback, not configured in the tests: not found",
    "wechat-dev-bind": "development only (DEBUG): not found",
}

MATRIX: dict[str, list[Case]] = {
    # --- chamber ----------------------------------------------------------------------
    "home": [Case(PUBLIC)],
    "staff_dashboard": [Case(STAFF_ONLY)],
    "outbox": [
        Case(STAFF_ONLY),
        Case(STAFF_ONLY, label="filtered", query="status=failed&q=alice"),
    ],
    "outbox_detail": [Case(STAFF_ONLY, _a_failed_message)],
    "outbox_action": [
        Case(
            STAFF_ACTION,
            lambda request: {**_a_failed_message(request), "action": "resend"},
            method="POST",
            goes_to="outbox_detail",
        )
    ],
    "outbox_bulk": [
        Case(STAFF_ACTION, {"action": "resend"}, method="POST", goes_to="outbox")
    ],
    "departments": [Case(DEPARTMENTS_PAGE)],
    # Files made by a task (chamber/downloads.py): the staff persona's own; anyone
    # else's is a 404, the superuser's too.
    "downloads": [Case(LOGGED_IN)],
    "download": [Case(row(302, 404, 404, 404, 404, 200, 404), _a_staff_download)],
    "download_again": [
        Case(
            row(302, 404, 404, 404, 404, 302, 404),
            _a_staff_download,
            method="POST",
            goes_to="download",
        )
    ],
    "download_file": [
        Case(
            row(302, 404, 404, 404, 404, 200, 404),
            _a_staff_download_made,
            content_type=XLSX,
        )
    ],
    "channels": [Case(LOGGED_IN)],
    "channels_mobile": [
        Case(row(302, 302, 302, 302, 302, 302, 302), method="POST", goes_to="channels")
    ],
    "channels_wechat": [
        Case(row(302, 302, 302, 302, 302, 302, 302), method="POST", goes_to="channels")
    ],
    "short-link": [
        Case(
            row(302, 302, 302, 302, 302, 302, 302),
            _a_short_link,
            goes_to={"anonymous": "/petitions/", "*": "/petitions/"},
        )
    ],
    "sms-replies": [
        Case(
            row(404, 404, 404, 404, 404, 404, 404),
            {"token": "wrong-token"},
            method="POST",
            label="wrong token",
        )
    ],
    # Their POSTs: tests/chamber/test_wechat_callback.py.
    "wechat-callback": [Case(row(404, 404, 404, 404, 404, 404, 404))],
    "wechat-dev-bind": [
        Case(row(404, 404, 404, 404, 404, 404, 404), _a_wechat_bind_token)
    ],
    "sitemap": [Case(PUBLIC, content_type="application/xml")],
    "healthz": [Case(PUBLIC, content_type="application/json")],
    "favicon": [
        Case(
            row(301, 301, 301, 301, 301, 301, 301),
            goes_to={"anonymous": "/static/img/favicon", "*": "/static/img/favicon"},
        )
    ],
    # Logged in already: staff (and superusers, who are staff) go to their dashboard,
    # district leaders to their overview.
    "login": [
        Case(
            row(200, 302, 302, 302, 302, 302, 302),
            goes_to={
                "leader": "petitions:leader_home",
                "staff": "staff_dashboard",
                "superuser": "staff_dashboard",
                "*": "home",
            },
        )
    ],
    "logout": [
        Case(
            row(302, 302, 302, 302, 302, 302, 302),
            method="POST",
            goes_to={"anonymous": "home", "*": "home"},
        )
    ],
    # The second factor (chamber/views_second_factor.py), for anyone logged in. The
    # personas have no authenticator and have given no code in their session: the
    # code page sends them to set one up, new backup codes first ask for a code.
    "second_factor": [
        Case(row(302, 302, 302, 302, 302, 302, 302), goes_to="second_factor_setup")
    ],
    "second_factor_setup": [Case(LOGGED_IN)],
    "second_factor_backup": [
        Case(row(302, 302, 302, 302, 302, 302, 302), goes_to="second_factor")
    ],
    "password_change": [Case(LOGGED_IN)],
    "password_change_done": [Case(LOGGED_IN)],
    "password_reset": [Case(PUBLIC)],
    "password_reset_done": [Case(PUBLIC)],
    "password_reset_confirm": [
        Case(PUBLIC, BAD_TOKEN, label="bad link"),
        Case(
            row(302, 302, 302, 302, 302, 302, 302),
            _a_valid_reset_link,
            label="valid link",
            goes_to={
                "anonymous": "password_reset_confirm",
                "*": "password_reset_confirm",
            },
        ),
    ],
    "password_reset_complete": [Case(PUBLIC)],
    # 短信验证码登录 (chamber/views_sms_login.py): logged in already, the same landing
    # pages as "login"; the SMS reset, and setting a password without the old one
    # outside the minutes after an SMS login, lead to the password change page.
    "login_sms": [
        Case(
            row(200, 302, 302, 302, 302, 302, 302),
            goes_to={
                "leader": "petitions:leader_home",
                "staff": "staff_dashboard",
                "superuser": "staff_dashboard",
                "*": "home",
            },
        )
    ],
    "password_reset_sms": [
        Case(row(200, 302, 302, 302, 302, 302, 302), goes_to="password_change")
    ],
    "password_reset_sms_set": [
        Case(row(302, 302, 302, 302, 302, 302, 302), goes_to="password_change")
    ],
    # --- members ----------------------------------------------------------------------
    # The directory is shared by design: members see each other's names and titles.
    "members:directory": [Case(MEMBERS_AND_STAFF)],
    "members:detail": [Case(MEMBERS_AND_STAFF, _bob)],
    "members:profile": [Case(MEMBERS_ONLY)],
    "members:enterprise": [Case(ALICES_OWN, _alices_enterprise)],
    "members:enterprise_edit": [Case(ALICES_OWN, _alices_enterprise)],
    # Staff invite a non-member enterprise (非会员企业) to join from its petition.
    "members:admit_enterprise": [Case(STAFF_ONLY, _a_non_member_enterprise)],
    "members:accept_invitation": [
        Case(PUBLIC, BAD_TOKEN, label="bad link"),
        Case(
            row(302, 302, 302, 302, 302, 302, 302),
            _a_valid_invitation,
            label="valid link",
            goes_to={
                "anonymous": "members:accept_invitation",
                "*": "members:accept_invitation",
            },
        ),
    ],
    "members:rota": [Case(MEMBERS_AND_STAFF)],
    "members:my_shifts": [Case(REPRESENTATIVES_ONLY)],
    "members:add_unavailability": [
        Case(REPRESENTATIVE_ACTION, method="POST", goes_to="members:my_shifts")
    ],
    "members:delete_unavailability": [
        Case(
            REPRESENTATIVE_ACTION,
            _reps_unavailability,
            method="POST",
            goes_to="members:my_shifts",
        )
    ],
    "members:ask_swap": [
        Case(
            REPRESENTATIVE_ACTION, _a_shift, method="POST", goes_to="members:my_shifts"
        )
    ],
    "members:accept_swap": [
        Case(
            REPRESENTATIVE_ACTION,
            _another_reps_open_swap,
            method="POST",
            goes_to="members:my_shifts",
        )
    ],
    "members:withdraw_swap": [
        Case(
            REPRESENTATIVE_ACTION,
            _reps_open_swap,
            method="POST",
            goes_to="members:my_shifts",
        )
    ],
    # The representative's own weeks, or (staff) the whole rota; the other kind is 404.
    "members:renew_feed": [
        Case(
            row(302, 403, 302, 403, 403, 404, 404),
            {"kind": "my_shifts"},
            method="POST",
            label="my_shifts",
            goes_to="members:my_shifts",
        ),
        Case(
            row(302, 403, 404, 403, 403, 302, 302),
            {"kind": "whole_rota"},
            method="POST",
            label="whole_rota",
            goes_to="members:staff_rota",
        ),
    ],
    "members:revoke_feed": [
        Case(
            row(302, 403, 302, 403, 403, 404, 404),
            {"kind": "my_shifts"},
            method="POST",
            label="my_shifts",
            goes_to="members:my_shifts",
        ),
        Case(
            row(302, 403, 404, 403, 403, 302, 302),
            {"kind": "whole_rota"},
            method="POST",
            label="whole_rota",
            goes_to="members:staff_rota",
        ),
    ],
    # The secret link is the key: no session needed (AC-6 tests wrong tokens).
    "members:feed": [
        Case(
            PUBLIC,
            _a_feed_token("rep", "my_shifts"),
            label="my_shifts",
            content_type=ICS,
        ),
        Case(
            PUBLIC,
            _a_feed_token("staff", "whole_rota"),
            label="whole_rota",
            content_type=ICS,
        ),
    ],
    "members:staff_rota": [Case(STAFF_ONLY)],
    "members:generate_rota": [
        Case(STAFF_ACTION, method="POST", goes_to="members:staff_rota")
    ],
    "members:edit_shift": [Case(STAFF_ONLY, _a_shift)],
    "members:duty_log": [Case(REPRESENTATIVES_AND_STAFF)],
    "members:log_entry": [Case(REPS_OWN_RECORD, _a_reps_log_entry)],
    "members:staff_duty_log": [Case(STAFF_ONLY)],
    "members:log_attachment": [
        Case(REPS_OWN_RECORD, _a_reps_log_attachment, content_type="image/png")
    ],
    # --- groups -----------------------------------------------------------------------
    # Staff have no group of their own: sent to the standings.
    "groups:mine": [
        Case(row(302, 200, 200, 403, 403, 302, 302), goes_to="groups:standings")
    ],
    "groups:standings": [Case(MEMBERS_AND_STAFF)],
    "groups:standings_year": [Case(MEMBERS_AND_STAFF, _this_year)],
    # Groups mix enterprises: every member sees every group's page.
    "groups:detail": [Case(MEMBERS_AND_STAFF, _a_group)],
    # Points are open among members, by design: the groups compete in the open and
    # "everyone can see why points changed" (groups/services.py). Officials see none.
    "groups:member_points": [
        Case(row(302, 200, 200, 403, 403, 200, 200), _alices_year)
    ],
    "groups:manual_points": [Case(STAFF_ONLY)],
    "groups:correct": [
        Case(
            STAFF_ACTION,
            _a_points_entry,
            method="POST",
            goes_to="groups:member_points",
        )
    ],
    "groups:manage_awards": [Case(STAFF_ONLY, _this_year)],
    "groups:confirm_award": [
        Case(
            STAFF_ACTION,
            _an_award_kind,
            method="POST",
            goes_to="groups:manage_awards",
        )
    ],
    "groups:publish_awards": [
        Case(STAFF_ACTION, _this_year, method="POST", goes_to="groups:manage_awards")
    ],
    "groups:awards": [Case(PUBLIC)],
    # 荣誉证书: a published award's winner (or a member of the winning group) and staff;
    # an unpublished award has no certificate, for anyone (tests/groups/test_certificates.py).
    "groups:certificate": [
        Case(
            row(302, 200, 404, 403, 403, 200, 200),
            _alices_award,
            label="published",
            content_type=PDF,
        ),
        Case(
            row(302, 404, 404, 403, 403, 404, 404),
            _alices_unpublished_award,
            label="unpublished",
        ),
    ],
    "groups:certificate_batches": [Case(STAFF_ONLY)],
    "groups:make_certificates": [
        Case(
            STAFF_ACTION,
            _this_year,
            method="POST",
            goes_to="groups:certificate_batches",
        )
    ],
    "groups:certificate_batch": [
        Case(STAFF_ONLY, _a_made_certificate_batch, content_type=PDF)
    ],
    "groups:awards_year": [Case(PUBLIC, _this_year)],
    # --- activities -------------------------------------------------------------------
    "activities:list": [Case(PUBLIC)],
    "activities:detail": [
        Case(PUBLIC, _an_activity, label="public"),
        Case(
            row(404, 200, 200, 404, 404, 200, 200),
            _a_members_only_activity,
            label="members only",
        ),
    ],
    "activities:sign_up": [
        Case(MEMBER_ACTION, _an_activity, method="POST", goes_to="activities:detail")
    ],
    "activities:cancel": [
        Case(
            row(302, 302, 404, 403, 403, 403, 403),
            _alices_registration,
            method="POST",
            goes_to="activities:detail",
        )
    ],
    "activities:mine": [Case(MEMBERS_ONLY)],
    "activities:platforms": [Case(PUBLIC)],
    "activities:platform": [Case(PUBLIC, _a_platform)],
    "activities:campaign": [Case(PUBLIC, _a_campaign)],
    "activities:photo": [
        Case(PUBLIC, _a_photo_of_a_public_activity, content_type="image/png")
    ],
    "activities:checkin": [Case(STAFF_ONLY, _an_activity)],
    "activities:checkin_qr": [Case(STAFF_ONLY, _an_activity)],
    "activities:signup_poster": [Case(STAFF_ONLY, _an_activity)],
    "activities:signup_poster_pdf": [
        Case(STAFF_ONLY, _an_activity, content_type=PDF),
        Case(STAFF_ONLY, _an_activity, query="size=a3", label="A3", content_type=PDF),
    ],
    # 参加活动证明: Alice's own (a service-month session) and staff.
    "activities:attendance_certificate": [
        Case(
            row(302, 200, 404, 403, 403, 200, 200),
            _alices_service_month_attendance,
            content_type=PDF,
        )
    ],
    "activities:self_checkin": [Case(MEMBERS_ONLY, _a_self_checkin_link)],
    "activities:undo_checkin": [
        Case(
            STAFF_ACTION,
            _alices_attendance,
            method="POST",
            goes_to="activities:checkin",
        )
    ],
    "activities:colleague_present": [
        Case(
            STAFF_ACTION,
            _alices_colleague,
            method="POST",
            goes_to="activities:checkin",
        )
    ],
    "activities:attendance_export": [Case(STAFF_ONLY, _an_activity, content_type=XLSX)],
    "activities:calendar": [Case(PUBLIC, content_type=ICS)],
    "activities:activity_calendar": [
        Case(PUBLIC, _an_activity, label="public", content_type=ICS),
        Case(
            row(404, 200, 200, 404, 404, 200, 200),
            _a_members_only_activity,
            label="members only",
            content_type=ICS,
        ),
    ],
    "activities:my_calendar": [
        Case(PUBLIC, _a_feed_token("alice", "my_activities"), content_type=ICS)
    ],
    "activities:renew_my_calendar": [
        Case(MEMBER_ACTION, method="POST", goes_to="activities:mine")
    ],
    "activities:revoke_my_calendar": [
        Case(MEMBER_ACTION, method="POST", goes_to="activities:mine")
    ],
    "activities:duties_now": [Case(STAFF_ONLY)],
    "activities:duties": [Case(STAFF_ONLY, _this_year)],
    # --- petitions --------------------------------------------------------------------
    "petitions:mine": [Case(MEMBERS_ONLY)],
    "petitions:submit": [Case(MEMBERS_ONLY)],
    # Staff and the department are sent to their own page of the petition.
    "petitions:detail": [
        Case(
            row(302, 200, 404, 302, 404, 302, 302),
            _a_petition,
            goes_to={
                "official": "petitions:department_detail",
                "staff": "petitions:staff_detail",
                "superuser": "petitions:staff_detail",
            },
        )
    ],
    # A refused rating comes back on the petition's page with what was typed (200).
    "petitions:rate": [
        Case(row(302, 200, 404, 403, 403, 403, 403), _a_petition, method="POST")
    ],
    # 待企业补充, 延期 and 回访 (petitions/views_clock.py): the enterprise answers, the
    # department and staff act; a refused form comes back on the page (200).
    "petitions:answer_request": [
        Case(row(302, 200, 404, 403, 403, 403, 403), _a_petition, method="POST")
    ],
    "petitions:department_clock": [
        Case(
            row(302, 403, 403, 200, 403, 403, 403),
            _petition_action("extension"),
            method="POST",
        )
    ],
    "petitions:staff_clock": [
        Case(
            row(302, 403, 403, 403, 403, 200, 200),
            _petition_action("visit"),
            method="POST",
        )
    ],
    # No login needed: the signed link is the key.
    "petitions:rate_by_link": [Case(PUBLIC, _a_rating_link)],
    # 重复诉求: a member adds to their own enterprise's open petition (the representative
    # belongs to another enterprise); the suggestions while typing are their own.
    "petitions:add_to": [Case(ALICES_OWN, _a_petition)],
    "petitions:similar": [Case(MEMBERS_ONLY, content_type="application/json")],
    # The QR entry points: anyone who scans gets the form (a member writes as their
    # enterprise, anyone else as a non-member with an SMS code); the posters are staff's.
    "petitions:studio": [Case(PUBLIC)],
    "petitions:session": [Case(PUBLIC, _an_activity)],
    "petitions:received": [Case(PUBLIC, _a_guest_petition_received)],
    "petitions:studio_poster": [Case(STAFF_ONLY)],
    "petitions:session_poster": [Case(STAFF_ONLY, _an_activity)],
    "petitions:studio_poster_pdf": [
        Case(STAFF_ONLY, content_type=PDF),
        Case(STAFF_ONLY, query="size=a3", label="A3", content_type=PDF),
    ],
    "petitions:session_poster_pdf": [Case(STAFF_ONLY, _an_activity, content_type=PDF)],
    "petitions:attachment": [
        Case(
            row(302, 200, 404, 200, 404, 200, 200),
            _an_attachment_of_alices_petition,
            content_type="image/png",
        )
    ],
    "petitions:from_duty_log": [
        Case(REPRESENTATIVES_AND_STAFF, _an_appeal_of_the_reps_week)
    ],
    # Paper (issue 21): 交办单 and 督办通知单 of a petition, for staff and for its
    # department; a day's of them as one PDF (none: back to the board); a session's
    # numbered opinion forms.
    "petitions:assignment_sheet": [Case(STAFF_ONLY, _a_petition, content_type=PDF)],
    "petitions:supervision_notice": [
        Case(STAFF_ONLY, _a_supervised_petition, content_type=PDF)
    ],
    "petitions:department_assignment_sheet": [
        Case(OFFICIALS_ONLY, _a_petition, content_type=PDF)
    ],
    "petitions:department_supervision_notice": [
        Case(OFFICIALS_ONLY, _a_supervised_petition, content_type=PDF)
    ],
    "petitions:assignment_sheets": [
        Case(
            row(302, 403, 403, 403, 403, 302, 302),
            _a_petition_dispatched_today,
            goes_to="download",  # made by a task (chamber/downloads.py)
        ),
        Case(
            row(302, 403, 403, 403, 403, 302, 302),
            label="none that day",
            query="day=2020-01-01&span=day",
            goes_to="petitions:triage",
        ),
    ],
    "petitions:supervision_notices": [
        Case(
            row(302, 403, 403, 403, 403, 302, 302),
            label="none that day",
            query="day=2020-01-01&span=day",
            goes_to="petitions:triage",
        ),
    ],
    "petitions:opinion_sheets": [Case(STAFF_ONLY, _an_activity)],
    "petitions:department_queue": [Case(OFFICIALS_ONLY)],
    "petitions:department_detail": [Case(OFFICIALS_ONLY, _a_petition)],
    "petitions:department_action": [
        Case(
            row(302, 403, 403, 302, 403, 403, 403),
            _petition_action("progress"),
            method="POST",
            goes_to="petitions:department_detail",
        )
    ],
    "petitions:triage": [Case(STAFF_ONLY)],
    "petitions:staff_list": [
        Case(STAFF_ONLY, label="page"),
        Case(
            row(302, 403, 403, 403, 403, 302, 302),
            label="xlsx",
            query="format=xlsx",
            goes_to="download",  # made by a task (chamber/downloads.py)
        ),
    ],
    "petitions:staff_new": [Case(STAFF_ONLY)],
    "petitions:batch": [Case(STAFF_ONLY)],
    "petitions:batch_template": [Case(STAFF_ONLY, content_type=XLSX)],
    # 重复诉求: a batch's petitions, each flagged with its likely repeats.
    "petitions:batch_entered": [Case(STAFF_ONLY, _a_batch)],
    "petitions:cycle": [Case(STAFF_ONLY)],
    "petitions:staff_detail": [Case(STAFF_ONLY, _a_petition)],
    "petitions:staff_action": [
        Case(
            STAFF_ACTION,
            _petition_action("note"),
            method="POST",
            goes_to="petitions:staff_detail",
        )
    ],
    # The leader's overview (领导看板) and its tables as an Excel file.
    "petitions:leader_home": [
        Case(LEADERS_AND_STAFF),
        Case(LEADERS_AND_STAFF, label="xlsx", query="format=xlsx", content_type=XLSX),
    ],
    "petitions:reports": [Case(LEADERS_AND_STAFF)],
    # Leaders read the monthly and quarterly reports; the daily runs are staff's.
    "petitions:report": [
        Case(LEADERS_AND_STAFF, _a_monthly_report, label="monthly"),
        Case(row(302, 403, 403, 403, 404, 200, 200), _a_daily_run, label="daily"),
    ],
    "petitions:report_export": [
        Case(LEADERS_AND_STAFF, _a_monthly_report, label="monthly", content_type=XLSX),
        Case(row(302, 403, 403, 403, 404, 404, 404), _a_daily_run, label="daily"),
    ],
    # The same report as PDF and Word (issue 21).
    "petitions:report_pdf": [
        Case(
            row(302, 403, 403, 403, 302, 302, 302),
            _a_monthly_report,
            label="monthly",
            goes_to="download",  # made by a task (chamber/downloads.py)
        ),
        Case(row(302, 403, 403, 403, 404, 404, 404), _a_daily_run, label="daily"),
    ],
    "petitions:report_docx": [
        Case(
            LEADERS_AND_STAFF,
            _a_monthly_report,
            label="monthly",
            content_type="application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document",
        ),
        Case(row(302, 403, 403, 403, 404, 404, 404), _a_daily_run, label="daily"),
    ],
    "petitions:escalations": [Case(LEADERS_AND_STAFF)],
    "petitions:leader_detail": [Case(LEADERS_AND_STAFF, _an_escalated_petition)],
    # Only a leader writes a 批示 (staff and officials read it: 403); an empty one is
    # refused with the page shown again, so nothing typed is lost (200).
    "petitions:instruct": [
        Case(
            row(302, 403, 403, 403, 200, 403, 403),
            _an_escalated_petition,
            method="POST",
        )
    ],
    "petitions:registered_detail": [
        Case(REPRESENTATIVES_ONLY, _a_petition_the_rep_registered)
    ],
    # 每月一题: staff and leaders pick and conclude; the officials of the departments
    # taking part read it and mark its tasks done; another department's topic is 404.
    "petitions:topics": [
        Case(DEPARTMENTS_PAGE),
        Case(DEPARTMENTS_PAGE, label="overdue tasks", query="overdue=1"),
    ],
    "petitions:topic_new": [Case(LEADERS_AND_STAFF)],
    "petitions:topic": [
        Case(DEPARTMENTS_PAGE, _a_topic, label="led by the official's department"),
        Case(
            row(302, 403, 403, 404, 200, 200, 200),
            _a_topic_of_another_department,
            label="another department's",
        ),
    ],
    "petitions:topic_edit": [Case(LEADERS_AND_STAFF, _a_topic)],
    # An empty result is refused with a message, back on the topic's page.
    "petitions:topic_close": [
        Case(
            row(302, 403, 403, 403, 302, 302, 302),
            _a_topic,
            method="POST",
            goes_to="petitions:topic",
        )
    ],
    "petitions:topic_task_done": [
        Case(
            row(302, 403, 403, 302, 302, 302, 302),
            _a_task_of_the_topic,
            method="POST",
            goes_to="petitions:topic",
        )
    ],
    # --- publicity --------------------------------------------------------------------
    "publicity:home": [Case(PUBLIC)],
    "publicity:kind": [Case(PUBLIC, {"code": "policy"})],
    "publicity:kind_feed": [
        Case(PUBLIC, {"code": "policy"}, content_type="application/rss+xml")
    ],
    "publicity:tag": [Case(PUBLIC, _an_awareness)],
    "publicity:article": [Case(PUBLIC, _a_published_article)],
    # The editor's upload answers JSON: no file is a 400 for staff.
    "publicity:picture_upload": [
        Case(row(302, 403, 403, 403, 403, 400, 400), method="POST")
    ],
    "publicity:picture": [Case(PUBLIC, _a_picture, content_type="image/png")],
    "publicity:showcases": [Case(PUBLIC)],
    "publicity:showcase": [Case(PUBLIC, _an_approved_showcase)],
    "publicity:showcase_photo": [
        Case(PUBLIC, _an_approved_photo, label="approved", content_type="image/png"),
        # Before approval only the enterprise's members and staff see it.
        Case(
            row(404, 200, 404, 404, 404, 200, 200),
            _a_photo_waiting_for_approval,
            label="waiting for approval",
            content_type="image/png",
        ),
    ],
    # The share code of a showcase: its enterprise's members and staff (Bob's here;
    # Alice's own, waiting for approval, she gets too).
    "publicity:showcase_poster": [
        Case(row(302, 404, 404, 404, 404, 200, 200), _an_approved_showcase),
        Case(
            row(302, 200, 404, 404, 404, 200, 200),
            _a_showcase_waiting_for_approval,
            label="own",
        ),
    ],
    "publicity:my_showcase": [Case(MEMBERS_ONLY)],
    "publicity:review_showcases": [Case(STAFF_ONLY)],
    "publicity:approve_showcase": [
        Case(
            STAFF_ACTION,
            _a_showcase_waiting_for_approval,
            method="POST",
            goes_to="publicity:review_showcases",
        )
    ],
    "publicity:return_showcase": [
        Case(
            STAFF_ACTION,
            _a_showcase_waiting_for_approval,
            method="POST",
            goes_to="publicity:review_showcases",
        )
    ],
    "publicity:search": [Case(PUBLIC, query="q=补贴")],
    "publicity:feed": [Case(PUBLIC, content_type="application/rss+xml")],
    "publicity:atom": [Case(PUBLIC, content_type="application/atom+xml")],
    "publicity:digest_settings": [Case(OFFICIALS_AND_LEADERS)],
    "publicity:resend_digest": [
        Case(STAFF_ACTION, _a_failed_digest, method="POST", goes_to="staff_dashboard")
    ],
    # 晾晒: off until a leader publishes it; leaders and staff see the preview.
    "publicity:transparency": [Case(row(404, 404, 404, 404, 200, 200, 200))],
    "publicity:transparency_switch": [
        Case(
            row(302, 403, 403, 403, 302, 403, 403),
            method="POST",
            goes_to="publicity:transparency",
        )
    ],
    # 每月一题's article: a draft, opened in the administration.
    "publicity:topic_article": [
        Case(STAFF_ACTION, _a_topic, method="POST", goes_to="/admin/publicity/article/")
    ],
    "publicity:news_settings": [Case(MEMBERS_ONLY)],
    "publicity:news_unsubscribe": [Case(PUBLIC, _alices_unsubscribe_token)],
}


def case_id(name: str, case: Case) -> str:
    return f"{name}[{case.label}]" if case.label else name


def all_cases() -> list[tuple[str, Case]]:
    return [(name, case) for name, cases in MATRIX.items() for case in cases]
