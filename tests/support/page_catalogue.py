"""The page templates, each with its URL, the objects it shows and what each persona
gets (tests/test_templates.py renders them all; tests/support/access_matrix.py builds its cases
from the same objects), and what every page must hold.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.utils import timezone

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
LANGUAGES = ["zh-hans", "en"]
PERSONAS = ["anonymous", "member", "representative", "official", "leader", "staff"]
# The user each persona logs in as: the fixtures of tests/conftest.py.
PERSONA_FIXTURES = {
    "member": "alice",
    "representative": "rep",
    "official": "official",
    "leader": "leader",
    "staff": "staff",
}
ERROR_PAGES = ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"]
# Rendered only as part of another template, or tested with the e-mails.
NOT_PAGES = {"base.html", "base_bare.html"}
# Needs a valid invitation token; tests/members/test_invitations.py renders it in both languages.
NOT_PAGES |= {"members/invitation_accept.html"}
# Django's admin base with the portal's admin stylesheet; every admin page extends it
# (tests/chamber/test_headers.py and the staff journeys of tests/browser/ render them).
NOT_PAGES |= {"admin/base_site.html"}
# Print templates (issue 21): made into PDFs, never served as pages; each kind's tests
# open its PDF (tests/chamber/test_documents.py for the layout they all extend,
# tests/petitions/test_report_documents.py, tests/petitions/test_paper_forms.py,
# tests/groups/test_certificates.py, tests/test_posters_pdf.py).
NOT_PAGES |= {
    f"documents/{path.name}" for path in (TEMPLATES_DIR / "documents").glob("*.html")
}
# The admin change pages of activities and articles with their 发布 / 撤回 buttons;
# tests/activities/test_first_week.py renders and uses them.
NOT_PAGES |= {
    "admin/activities/activity/change_form.html",
    "admin/publicity/article/change_form.html",
}


@dataclass(frozen=True)
class Page:
    url: str
    kwargs: dict | Callable  # a callable takes the pytest request (for fixtures)
    anonymous: int
    member: int  # member, representative, official and leader alike, unless below
    staff: int
    by_persona: dict[str, int] = field(default_factory=dict)

    def status_for(self, persona: str) -> int:
        if persona in self.by_persona:
            return self.by_persona[persona]
        if persona in ("anonymous", "staff"):
            return getattr(self, persona)
        return self.member

    def kwargs_for(self, request) -> dict:
        return self.kwargs(request) if callable(self.kwargs) else self.kwargs


BAD_TOKEN = {"uidb64": "xx", "token": "set-password-bad"}
PAGES = {
    "chamber/home.html": Page("home", {}, 200, 200, 200),
    "chamber/staff_dashboard.html": Page("staff_dashboard", {}, 302, 403, 200),
    "registration/login.html": Page("login", {}, 200, 302, 302),
    "registration/login_sms.html": Page("login_sms", {}, 200, 302, 302),
    "registration/password_change_form.html": Page(
        "password_change", {}, 302, 200, 200
    ),
    "registration/password_change_done.html": Page(
        "password_change_done", {}, 302, 200, 200
    ),
    "registration/password_reset_form.html": Page("password_reset", {}, 200, 200, 200),
    "registration/password_reset_done.html": Page(
        "password_reset_done", {}, 200, 200, 200
    ),
    "registration/password_reset_confirm.html": Page(
        "password_reset_confirm", BAD_TOKEN, 200, 200, 200
    ),
    "registration/password_reset_complete.html": Page(
        "password_reset_complete", {}, 200, 200, 200
    ),
}
NOT_MEMBERS = {"official": 403, "leader": 403}


def _an_expired_short_link(request) -> dict:
    from chamber.models import ShortLink

    ShortLink.objects.create(
        code="Old12345",
        url="http://testserver/petitions/",
        expires_at=timezone.now() - timedelta(days=1),
    )
    return {"code": "Old12345"}


def _a_dev_bind_token(request) -> dict:
    """The development page that binds a made-up WeChat (DEBUG only)."""
    from chamber.wechat_binding import bind_token

    request.getfixturevalue("settings").DEBUG = True
    return {"token": bind_token(request.getfixturevalue("alice").user)}


PAGES.update(
    {
        "chamber/channels.html": Page("channels", {}, 302, 200, 200),
        "chamber/short_link_expired.html": Page(
            "short-link", _an_expired_short_link, 410, 410, 410
        ),
        "chamber/wechat_dev_bind.html": Page(
            "wechat-dev-bind", _a_dev_bind_token, 200, 200, 200
        ),
    }
)


def _a_shift(request) -> dict:
    """A coming duty week of the representative persona."""
    from datetime import timedelta

    from django.utils import timezone

    from chamber import workdays
    from members.models import DutyShift

    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    days = workdays.working_days(monday, monday + timedelta(days=6)) or [monday]
    shift = DutyShift.objects.create(
        week_start=monday,
        first_day=days[0],
        last_day=days[-1],
        representative=request.getfixturevalue("rep"),
    )
    return {"pk": shift.pk}


def _alices_enterprise(request) -> dict:
    return {"pk": request.getfixturevalue("alice").enterprise_id}


PAGES.update(
    {
        "members/member_list.html": Page(
            "members:directory", {}, 302, 200, 200, NOT_MEMBERS
        ),
        "members/member_detail.html": Page(
            "members:detail",
            lambda request: {"pk": request.getfixturevalue("bob").pk},
            302,
            200,
            200,
            NOT_MEMBERS,
        ),
        "members/member_form.html": Page(
            "members:profile", {}, 302, 200, 403, NOT_MEMBERS
        ),
        # Only Alice's own; the representative belongs to another enterprise (404).
        "members/enterprise_detail.html": Page(
            "members:enterprise",
            _alices_enterprise,
            302,
            200,
            403,
            {**NOT_MEMBERS, "representative": 404},
        ),
        "members/enterprise_form.html": Page(
            "members:enterprise_edit",
            _alices_enterprise,
            302,
            200,
            403,
            {**NOT_MEMBERS, "representative": 404},
        ),
        "members/invitation_invalid.html": Page(
            "members:accept_invitation", BAD_TOKEN, 200, 200, 200
        ),
        "members/rota.html": Page("members:rota", {}, 302, 200, 200, NOT_MEMBERS),
        "members/my_shifts.html": Page(
            "members:my_shifts", {}, 302, 403, 403, {"representative": 200}
        ),
        "members/rota_staff.html": Page("members:staff_rota", {}, 302, 403, 200),
        "members/shift_form.html": Page("members:edit_shift", _a_shift, 302, 403, 200),
        "chamber/department_list.html": Page(
            "departments", {}, 302, 403, 200, {"official": 200, "leader": 200}
        ),
    }
)


def _someone_elses_log_entry(request) -> dict:
    from tests.factories import DutyLogEntryFactory

    return {"pk": DutyLogEntryFactory().pk}


PAGES.update(
    {
        # The representative persona has no duty week: the friendly empty state.
        "members/dutylog_list.html": Page(
            "members:duty_log", {}, 302, 403, 200, {"representative": 200}
        ),
        "members/dutylog_detail.html": Page(
            "members:log_entry", _someone_elses_log_entry, 302, 404, 200
        ),
        "members/dutylog_staff_list.html": Page(
            "members:staff_duty_log", {}, 302, 403, 200
        ),
    }
)


def _a_group(request) -> dict:
    from django.utils import timezone

    from groups.models import ActivityGroup, GroupMembership

    group = ActivityGroup.objects.create(year=timezone.localdate().year, number=1)
    GroupMembership.objects.create(
        group=group, member=request.getfixturevalue("alice"), is_leader=True
    )
    return {"pk": group.pk}


def _alice(request) -> dict:
    return {"pk": request.getfixturevalue("alice").pk}


def _alices_year(request) -> dict:
    from django.utils import timezone

    return {**_alice(request), "year": timezone.localdate().year}


PAGES.update(
    {
        "groups/my_group.html": Page("groups:mine", {}, 302, 200, 302, NOT_MEMBERS),
        "groups/standings.html": Page(
            "groups:standings", {}, 302, 200, 200, NOT_MEMBERS
        ),
        "groups/group_detail.html": Page(
            "groups:detail", _a_group, 302, 200, 200, NOT_MEMBERS
        ),
        "groups/member_points.html": Page(
            "groups:member_points", _alices_year, 302, 200, 200, NOT_MEMBERS
        ),
        "groups/manual_points_form.html": Page(
            "groups:manual_points", {}, 302, 403, 200
        ),
        "groups/awards_manage.html": Page(
            "groups:manage_awards", {"year": 2025}, 302, 403, 200
        ),
        "groups/awards_public.html": Page("groups:awards", {}, 200, 200, 200),
        "groups/certificate_batches.html": Page(
            "groups:certificate_batches", {}, 302, 403, 200
        ),
    }
)


def _an_activity(request) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from activities.models import Activity, ActivityType, Platform

    start = timezone.now() + timedelta(days=3)
    activity = Activity.objects.create(
        title="企业家会客厅",
        type=ActivityType.objects.create(code="salon", name="会客厅"),
        platform=Platform.objects.create(kind="base", name="党群活动基地"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=10,
        status="published",
    )
    return {"pk": activity.pk}


def _a_campaign(request) -> dict:
    from django.utils import timezone

    from activities.models import Campaign

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        kind="service_month", name="民营经济体服务月", starts_on=today, ends_on=today
    )
    return {"pk": campaign.pk}


def _a_platform(request) -> dict:
    from activities.models import Platform

    return {"pk": Platform.objects.create(kind="station", name="新媒体活动站").pk}


PAGES.update(
    {
        "activities/activity_list.html": Page("activities:list", {}, 200, 200, 200),
        "activities/activity_detail.html": Page(
            "activities:detail", _an_activity, 200, 200, 200
        ),
        "activities/my_activities.html": Page(
            "activities:mine", {}, 302, 200, 403, NOT_MEMBERS
        ),
        "activities/platform_detail.html": Page(
            "activities:platform", _a_platform, 200, 200, 200
        ),
        "activities/duties.html": Page("activities:duties_now", {}, 302, 403, 200),
        "activities/platform_list.html": Page(
            "activities:platforms", {}, 200, 200, 200
        ),
        "activities/campaign_detail.html": Page(
            "activities:campaign", _a_campaign, 200, 200, 200
        ),
        "activities/checkin_qr.html": Page(
            "activities:checkin_qr", _an_activity, 302, 403, 200
        ),
        # Opened by scanning the door's QR code; tests/activities/test_self_checkin.py.
        "activities/self_checkin.html": Page(
            "activities:self_checkin",
            lambda request: {**_an_activity(request), "token": "not-a-code"},
            302,
            200,
            403,
            NOT_MEMBERS,
        ),
        "activities/checkin.html": Page(
            "activities:checkin", _an_activity, 302, 403, 200
        ),
    }
)


def _a_petition(request) -> dict:
    """Alice's enterprise's petition, answered by the official persona's department."""
    from petitions import services
    from tests.factories import CategoryFactory

    alice, staff = request.getfixturevalue("alice"), request.getfixturevalue("staff")
    official = request.getfixturevalue("official")
    petition = services.submit_petition(
        enterprise=alice.enterprise,
        title="厂区道路积水",
        description="雨天积水严重，影响出货。",
        channel="online",
        submitted_by=alice.user,
    )
    category = CategoryFactory()
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category,
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    services.sign_petition(petition=petition, actor=official.user)
    services.record_progress(
        petition=petition, actor=official.user, note="已现场查看。"
    )
    services.record_department_reply(
        petition=petition,
        actor=official.user,
        outcome="partly",
        reply="已疏通排水管。",
        follow_up_plan="明年春季改造路面。",
    )
    services.answer_petition(
        petition=petition, actor=staff, answer="已疏通排水管，明年改造路面。"
    )
    return {"pk": petition.pk}


def _a_rating_link(request) -> dict:
    from petitions.models import Petition
    from petitions.tokens import rating_token

    petition = Petition.objects.get(**_a_petition(request))
    alice = request.getfixturevalue("alice")
    return {
        "token": rating_token(
            petition_id=petition.pk, answer_round=1, user_id=alice.user_id
        )
    }


def _an_appeal_of_the_reps_week(request) -> dict:
    from tests.factories import DutyLogEntryFactory, DutyShiftFactory, EnterpriseFactory

    shift = DutyShiftFactory(representative=request.getfixturevalue("rep"))
    entry = DutyLogEntryFactory(
        shift=shift, enterprise=EnterpriseFactory(), appeal="希望协调电力增容。"
    )
    return {"entry_pk": entry.pk}


def _an_escalated_petition(request) -> dict:
    """Alice's answered petition, put before the district leaders by the weekly dispatch."""
    from datetime import timedelta

    from django.utils import timezone

    from petitions.models import Escalation, Petition, ReviewRun

    petition = Petition.objects.get(pk=_a_petition(request)["pk"])
    today = timezone.localdate()
    run = ReviewRun.objects.create(
        kind=ReviewRun.Kind.WEEKLY,
        period_start=today - timedelta(days=today.weekday()),
        period_end=today - timedelta(days=today.weekday()) + timedelta(days=6),
    )
    Escalation.objects.create(
        petition=petition,
        run=run,
        reason=Escalation.Reason.OVERDUE,
        period_start=today,
        department=petition.department,
        overdue_working_days=11,
    )
    return {"pk": petition.pk}


def _a_petition_the_rep_registered(request) -> dict:
    """A petition the representative persona registered from their duty log."""
    from members.models import DutyLogEntry
    from petitions import services

    entry = DutyLogEntry.objects.get(
        pk=_an_appeal_of_the_reps_week(request)["entry_pk"]
    )
    petition = services.petition_from_duty_log(
        entry=entry,
        actor=request.getfixturevalue("rep").user,
        title="电力增容",
        description="希望协调电力增容。",
    )
    return {"pk": petition.pk}


def _a_monthly_report(request) -> dict:
    from django.utils import timezone

    from petitions import review

    _a_petition(request)
    return {"pk": review.run_monthly_summary(on=timezone.localdate()).pk}


def _a_topic(request) -> dict:
    """This month's topic (每月一题), led by the official persona's department, covering
    Alice's petition, with one task."""
    from django.utils import timezone

    from petitions import topics
    from petitions.models import Petition

    department = request.getfixturevalue("official").department
    topic = topics.save_topic(
        actor=request.getfixturevalue("staff"),
        month=timezone.localdate(),
        title="融资难题集中破解",
        lead_department=department,
        departments=[],
        problems="贷款审批慢\n抵押物认定难",
        petitions=Petition.objects.filter(**_a_petition(request)),
        tasks=[
            {
                "text": "召开银企对接会",
                "department": department,
                "owner": "",
                "due_on": timezone.localdate(),
            }
        ],
    )
    return {"pk": topic.pk}


def _a_batch(request) -> dict:
    """A batch of two petitions entered by staff (重复诉求: its page flags repeats)."""
    from petitions import services

    alice, staff = request.getfixturevalue("alice"), request.getfixturevalue("staff")
    rows = [
        services.BatchRow(
            enterprise=alice.enterprise,
            title="厂区道路积水",
            description="雨天积水严重。",
        ),
        services.BatchRow(
            enterprise=alice.enterprise,
            title="道路积水",
            description="厂区门前积水。",
        ),
    ]
    batch, _created = services.enter_batch(
        key="batch-templates", rows=rows, channel="consultation_day", actor=staff
    )
    return {"pk": batch.pk}


def _a_daily_run(request) -> dict:

    from django.utils import timezone

    from chamber import workdays
    from petitions import review

    _a_petition(request)
    day = workdays.add_working_days(timezone.localdate(), 1)
    return {"pk": review.run_daily_study(on=day).pk}


def _a_published_article(request) -> dict:
    from publicity import services
    from publicity.models import Article, ArticleKind

    draft = Article.objects.create(
        kind=ArticleKind.objects.get(code="policy"),
        title="稳岗补贴申领指南",
        summary="符合条件的企业可申领稳岗补贴。",
        body="<h2>申领条件</h2><p>依法参保缴费。</p><script>alert(1)</script>",
    )
    services.publish_article(article=draft, actor=request.getfixturevalue("staff"))
    return {"pk": draft.pk}


def _an_approved_showcase(request) -> dict:
    from publicity import showcases

    staff = request.getfixturevalue("staff")
    showcase = showcases.showcase_of(request.getfixturevalue("bob").enterprise)
    showcase.introduction = "乙公司是一家<b>海产品</b>加工企业。"
    showcases.save_showcase(
        showcase=showcase, actor=staff, photos=[], remove_photo_ids=[], submit=True
    )
    showcases.approve_showcase(showcase=showcase, actor=staff)
    return {"pk": showcase.pk}


def _alices_unsubscribe_token(request) -> dict:
    from publicity import newsletter

    return {
        "token": newsletter.unsubscribe_token(request.getfixturevalue("alice").user)
    }


def _a_failed_message(request) -> dict:
    """A notice to Alice the mail server refused for good."""
    from chamber.models import OutgoingMessage

    message = OutgoingMessage.objects.create(
        key="petition-answered:1:1",
        kind="petition-answered",
        user=request.getfixturevalue("alice").user,
        address="alice@example.com",
        subject="您的诉求已答复",
        body_text="您好。\n您的诉求已答复。",
        status=OutgoingMessage.Status.FAILED,
        attempts=1,
        last_error="邮件服务器拒收此地址（550 No such mailbox）。",
    )
    return {"pk": message.pk}


def _a_staff_download(request) -> dict:
    """A file the staff persona asked for, still being made (chamber/downloads.py)."""
    from chamber import downloads
    from petitions.downloads import PETITIONS_XLSX

    download = downloads.request_download(
        owner=request.getfixturevalue("staff"), kind=PETITIONS_XLSX, parameters={}
    )
    return {"pk": download.pk}


def _a_staff_download_made(request) -> dict:
    """The staff persona's file, made."""
    from chamber import downloads

    kwargs = _a_staff_download(request)
    downloads.build(kwargs["pk"])
    return kwargs


PAGES.update(
    {
        # Only its owner (the staff persona) sees a download; anyone else: 404.
        "chamber/download.html": Page("download", _a_staff_download, 302, 404, 200),
        "chamber/downloads.html": Page(
            "downloads",
            lambda request: _a_staff_download(request) and {},
            302,
            200,
            200,
        ),
    }
)


PAGES.update(
    {
        # With a row, so the row's words and buttons render too.
        "chamber/outbox_list.html": Page(
            "outbox", lambda request: _a_failed_message(request) and {}, 302, 403, 200
        ),
        "chamber/outbox_detail.html": Page(
            "outbox_detail", _a_failed_message, 302, 403, 200
        ),
    }
)


# Answered with 400; tests/publicity/test_news.py renders it in both languages.
NOT_PAGES |= {"publicity/news/unsubscribe_invalid.html"}
# Need an authenticator set up (and, for the last two, a verified code):
# tests/chamber/test_second_factor.py renders them.
NOT_PAGES |= {
    "registration/second_factor.html",
    "registration/second_factor_codes.html",
    "registration/second_factor_backup.html",
}
# Only in the minutes after a login by SMS code: tests/chamber/test_sms_login.py renders it.
NOT_PAGES |= {"registration/sms_password.html"}
LEADERSHIP = {"leader": 200}
PAGES.update(
    {
        "petitions/my_petitions.html": Page(
            "petitions:mine", {}, 302, 200, 403, NOT_MEMBERS
        ),
        "petitions/submit.html": Page(
            "petitions:submit", {}, 302, 200, 403, NOT_MEMBERS
        ),
        # The representative belongs to another enterprise; staff and the department
        # are sent to their own page of the petition.
        "petitions/detail.html": Page(
            "petitions:detail",
            _a_petition,
            302,
            200,
            302,
            {"representative": 404, "official": 302, "leader": 404},
        ),
        # No login needed: the signed link is the key.
        "petitions/rate_link.html": Page(
            "petitions:rate_by_link", _a_rating_link, 200, 200, 200
        ),
        "petitions/from_duty_log.html": Page(
            "petitions:from_duty_log",
            _an_appeal_of_the_reps_week,
            302,
            403,
            200,
            {"representative": 200},
        ),
        "petitions/department_queue.html": Page(
            "petitions:department_queue", {}, 302, 403, 403, {"official": 200}
        ),
        "petitions/department_detail.html": Page(
            "petitions:department_detail", _a_petition, 302, 403, 403, {"official": 200}
        ),
        "petitions/triage.html": Page("petitions:triage", {}, 302, 403, 200),
        "petitions/staff_list.html": Page("petitions:staff_list", {}, 302, 403, 200),
        "petitions/staff_new.html": Page("petitions:staff_new", {}, 302, 403, 200),
        "petitions/batch.html": Page("petitions:batch", {}, 302, 403, 200),
        "petitions/batch_entered.html": Page(
            "petitions:batch_entered", _a_batch, 302, 403, 200
        ),
        # 重复诉求: a member adds to their own enterprise's open petition.
        "petitions/add_to.html": Page(
            "petitions:add_to",
            _a_petition,
            302,
            200,
            403,
            {"representative": 404, **NOT_MEMBERS},
        ),
        "petitions/staff_detail.html": Page(
            "petitions:staff_detail", _a_petition, 302, 403, 200
        ),
        "petitions/cycle.html": Page("petitions:cycle", {}, 302, 403, 200),
        "petitions/opinion_sheets.html": Page(
            "petitions:opinion_sheets", _an_activity, 302, 403, 200
        ),
        "petitions/leader_home.html": Page(
            "petitions:leader_home", {}, 302, 403, 200, LEADERSHIP
        ),
        "petitions/reports.html": Page(
            "petitions:reports", {}, 302, 403, 200, LEADERSHIP
        ),
        "petitions/report.html": Page(
            "petitions:report", _a_monthly_report, 302, 403, 200, LEADERSHIP
        ),
        "publicity/home.html": Page("publicity:home", {}, 200, 200, 200),
        "publicity/article_list.html": Page(
            "publicity:kind", {"code": "policy"}, 200, 200, 200
        ),
        "publicity/article_detail.html": Page(
            "publicity:article", _a_published_article, 200, 200, 200
        ),
        "publicity/search.html": Page("publicity:search", {}, 200, 200, 200),
        "publicity/showcase_list.html": Page("publicity:showcases", {}, 200, 200, 200),
        # 晾晒: off by default, so the public gets 404 and leaders and staff a preview.
        "publicity/transparency.html": Page(
            "publicity:transparency", {}, 404, 404, 200, {"leader": 200}
        ),
        "registration/second_factor_setup.html": Page(
            "second_factor_setup", {}, 302, 200, 200
        ),
        "publicity/showcase_detail.html": Page(
            "publicity:showcase", _an_approved_showcase, 200, 200, 200
        ),
        "publicity/my_showcase.html": Page(
            "publicity:my_showcase", {}, 302, 200, 403, NOT_MEMBERS
        ),
        "publicity/news/subscription.html": Page(
            "publicity:news_settings", {}, 302, 200, 403, NOT_MEMBERS
        ),
        "publicity/news/unsubscribe.html": Page(
            "publicity:news_unsubscribe", _alices_unsubscribe_token, 200, 200, 200
        ),
        "publicity/showcase_review.html": Page(
            "publicity:review_showcases", {}, 302, 403, 200
        ),
        "publicity/digest_settings.html": Page(
            "publicity:digest_settings",
            {},
            302,
            403,
            403,
            {"official": 200, "leader": 200},
        ),
        "petitions/escalations.html": Page(
            "petitions:escalations", {}, 302, 403, 200, LEADERSHIP
        ),
        # 每月一题: staff and leaders, and the officials of the departments taking part.
        "petitions/topic_list.html": Page(
            "petitions:topics", {}, 302, 403, 200, {"official": 200, "leader": 200}
        ),
        "petitions/topic_detail.html": Page(
            "petitions:topic", _a_topic, 302, 403, 200, {"official": 200, "leader": 200}
        ),
        "petitions/topic_form.html": Page(
            "petitions:topic_new", {}, 302, 403, 200, LEADERSHIP
        ),
        "petitions/follow.html": Page(
            "petitions:leader_detail", _an_escalated_petition, 302, 403, 200, LEADERSHIP
        ),
    }
)


def _a_guest_petition_received(request) -> dict:
    """The confirmation page of a petition sent from the studio's QR code by an
    enterprise that is not a member (its signed link is the key)."""
    from petitions import entry, services
    from tests.factories import valid_credit_code

    petition = services.submit_guest_petition(
        mobile="13912345678",
        enterprise_name="营口新港物流有限公司",
        credit_code=valid_credit_code(4242),
        area="coastal",
        contact_name="赵经理",
        title="仓储用地审批进度",
        description="希望了解进度。",
        channel="duty_studio",
    )
    return {"token": entry.received_token(petition)}


def _a_non_member_enterprise(request) -> dict:
    from tests.factories import EnterpriseFactory

    return {"pk": EnterpriseFactory(name="营口新港物流有限公司", status="prospect").pk}


# The QR entry points (扫码反映诉求) and their posters: a member writes as their
# enterprise, anyone else as a non-member enterprise (tests/petitions/test_entry_points.py).
PAGES.update(
    {
        "petitions/entry_form.html": Page("petitions:studio", {}, 200, 200, 200),
        "petitions/guest_received.html": Page(
            "petitions:received", _a_guest_petition_received, 200, 200, 200
        ),
        "petitions/entry_poster.html": Page(
            "petitions:studio_poster", {}, 302, 403, 200
        ),
        "activities/signup_poster.html": Page(
            "activities:signup_poster", _an_activity, 302, 403, 200
        ),
        # Bob's showcase: his enterprise's members and staff only.
        "publicity/showcase_poster.html": Page(
            "publicity:showcase_poster", _an_approved_showcase, 302, 404, 200
        ),
        "members/enterprise_admit.html": Page(
            "members:admit_enterprise", _a_non_member_enterprise, 302, 403, 200
        ),
    }
)


class _Assets(HTMLParser):
    """The addresses a page loads: scripts, stylesheets, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def _check_page(html: str, language: str) -> None:
    """In the right language, loading nothing from another origin."""
    parser = _Assets()
    parser.feed(html)
    assert parser.html_lang == language
    for url in parser.urls:
        assert not url.startswith(("http://", "https://", "//")), url
    for marker in ("{%", "%}", "{{", "}}", "INVALID-VARIABLE"):
        assert marker not in html, marker
    if language == "zh-hans":
        assert "西市区工商联" in html
    else:
        assert "Xishi District FIC" in html
