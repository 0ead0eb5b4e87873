"""The pages the benchmark measures, shared by bench/sessions.py, queries.py and load.py.

CATALOGUE holds every page of the portal: one entry per URL name a role reaches with a
GET (and a few names twice, with a query string or as a second role), each with

- `role`: who asks: anonymous, or one of the demo logins of seed_demo in LOGINS;
- `kind`: the house standard it is held to: "public" and "member" (at least 0.25 of
  `/bench/bare/`'s requests per second, p99 under 25 ms), "info" (staff, official and
  leader work pages: 0.10 and 50 ms), "file" (downloads, PDFs, Excel and Word files,
  calendars, pictures: measured, no target), and the bench's own "baseline" (the bare
  template view every ratio is taken against) and "probe" (the bare view with a
  member's session: what being logged in costs before a page does anything; the issue
  asks at least 0.5 of bare);
- `args`: a resolver that finds the page's objects in the bench database (the demo
  district × 12 of bench/generate.py and the petitions of bench/petitions.py) and
  returns the URL's kwargs; it raises Missing when the data has none.

NOT_PAGES names every other URL name with the reason it is not measured (POST-only
actions, redirects, token links that need a fresh token, the admin).
tests/test_bench_pages.py fails when a URL name is in neither, so a new page cannot be
left out of the benchmark.

`resolve_pages("core")` gives the 14 pages of the default run (CORE),
`resolve_pages("all")` the whole catalogue (BENCH_PAGES=all in bench/run.sh).

    .venv/bin/python bench/pages.py prepare

makes, through the portal's own services, the few objects that exist only after
someone acts and the generators leave out (PREPARE: a guest's petition, a batch, a
monthly topic, uploads, a check-in at a service-month session, a year's certificates,
a made download, a petition registered from the duty log, the transparency page
published by a leader); bench/run.sh runs it after the data.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

# role -> the demo login of seed_demo that plays it (password chamber-demo)
LOGINS = {
    "member": "demo-member",
    "representative": "demo-rep",
    "official": "demo-official",
    "staff": "demo-staff",
    "leader": "demo-leader",
}
ROLES = ("anonymous", *LOGINS)
KINDS = ("baseline", "probe", "public", "member", "info", "file")

BASELINE = "/bench/bare/"
# The bench's own URL names (bench/urls.py), not the portal's.
BENCH_NAMES = {"bench_bare"}


class Missing(Exception):
    """The bench data holds no object the page needs."""


@dataclass(frozen=True)
class Page:
    name: str  # the URL name, as reverse() takes it
    role: str
    kind: str
    args: Callable[[], dict] | None = None  # the URL's kwargs, found in the bench data
    query: str = ""
    label: str = ""  # tells two entries of one name apart

    @property
    def key(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


# --- resolvers: the objects a page shows, found in the bench database -------------------


def _member(username: str = "demo-member"):
    from members.models import Member

    return Member.objects.select_related("user").get(user__username=username)


def _official():
    from chamber.models import Official

    return Official.objects.get(user__username="demo-official")


def _first(queryset, what: str):
    found = queryset.first()
    if found is None:
        raise Missing(f"no {what} in the bench data")
    return found


def _year() -> dict:
    from django.utils import timezone

    return {"year": timezone.localdate().year}


def _enterprise() -> dict:
    """demo-member's own enterprise."""
    return {"pk": _member().enterprise_id}


def _rep() -> dict:
    """demo-rep, a member of another enterprise holding a title (副会长)."""
    return {"pk": _member("demo-rep").pk}


def _member_year() -> dict:
    return {"pk": _member().pk, **_year()}


def _group() -> dict:
    """demo-member's activity group of the latest year."""
    from groups.models import ActivityGroup

    groups = ActivityGroup.objects.filter(memberships__member=_member())
    return {"pk": _first(groups.order_by("-year", "pk"), "group of demo-member").pk}


def _published_award() -> dict:
    """A published award of demo-member, or of a group demo-member belongs to."""
    from django.db.models import Q

    from groups.models import Award

    member = _member()
    awards = Award.objects.filter(published_at__isnull=False).filter(
        Q(member=member) | Q(group__memberships__member=member)
    )
    return {"pk": _first(awards.order_by("-year", "pk"), "published award").pk}


def _certificate_batch() -> dict:
    from groups.models import CertificateBatch

    batches = CertificateBatch.objects.filter(finished_at__isnull=False, error="")
    return {"pk": _first(batches.order_by("-pk"), "made certificate batch").pk}


def _shift() -> dict:
    """demo-rep's coming duty week (bench/generate.py's seed_demo makes it)."""
    from django.utils import timezone

    from members.models import DutyShift

    shifts = DutyShift.objects.filter(
        representative=_member("demo-rep"), last_day__gte=timezone.localdate()
    )
    return {"pk": _first(shifts.order_by("week_start"), "coming shift of demo-rep").pk}


def _log_entry() -> dict:
    """The latest visit demo-rep recorded (only its recorder and staff see it)."""
    from members.models import DutyLogEntry

    entries = DutyLogEntry.objects.filter(recorded_by=_member("demo-rep").user)
    return {"pk": _first(entries.order_by("-pk"), "duty log entry of demo-rep").pk}


def _appeal() -> dict:
    """demo-rep's log entry with an appeal, not registered as a petition yet."""
    from members.models import DutyLogEntry
    from petitions.models import Petition

    registered = Petition.objects.filter(duty_log_entry__isnull=False)
    entries = (
        DutyLogEntry.objects.filter(shift__representative=_member("demo-rep"))
        .exclude(appeal="")
        .exclude(pk__in=registered.values("duty_log_entry"))
    )
    return {"entry_pk": _first(entries.order_by("-pk"), "appeal of demo-rep").pk}


def _log_attachment() -> dict:
    from members.models import DutyLogAttachment

    attachments = DutyLogAttachment.objects.filter(
        entry__recorded_by=_member("demo-rep").user
    )
    return {"pk": _first(attachments, "attachment of demo-rep's log").pk}


def _rep_feed() -> dict:
    """A live link to demo-rep's duty calendar: made as the 订阅 button makes it (only
    the token's hash is kept, so each resolve makes a new one; the old stops working)."""
    from members.services import feeds

    user = _member("demo-rep").user
    return {"token": feeds.renew_feed(user=user, kind="my_shifts")}


def _member_feed() -> dict:
    """demo-member's calendar of activities, made as the 订阅 button makes it."""
    from members.services import feeds

    return {"token": feeds.renew_feed(user=_member().user, kind="my_activities")}


def _activity() -> dict:
    """The next published public activity (the latest past one if none is coming)."""
    from django.utils import timezone

    from activities.models import Activity

    public = Activity.objects.published().filter(is_public=True)
    coming = public.filter(starts_at__gte=timezone.now()).order_by("starts_at", "pk")
    found = coming.first() or _first(
        public.order_by("-starts_at", "-pk"), "public activity"
    )
    return {"pk": found.pk}


def _session() -> dict:
    """The next consultation day or reception-hall session (its QR opinion form)."""
    from django.utils import timezone

    from petitions import entry

    sessions = entry.sessions()
    coming = sessions.filter(starts_at__gte=timezone.now()).order_by("starts_at", "pk")
    found = coming.first() or _first(sessions.order_by("-starts_at", "-pk"), "session")
    return {"pk": found.pk}


def _self_checkin() -> dict:
    from activities.models import Activity
    from activities.services import self_checkin_token

    kwargs = _activity()
    activity = Activity.objects.get(pk=kwargs["pk"])
    return {**kwargs, "token": self_checkin_token(activity)}


def _platform() -> dict:
    from activities.models import Platform

    return {"pk": _first(Platform.objects.order_by("pk"), "platform").pk}


def _campaign() -> dict:
    from activities.models import Campaign

    return {"pk": _first(Campaign.objects.order_by("pk"), "campaign").pk}


def _activity_photo() -> dict:
    from activities.models import ActivityPhoto

    photos = ActivityPhoto.objects.filter(activity__is_public=True)
    return {"pk": _first(photos.order_by("-pk"), "photo of a public activity").pk}


def _attendance() -> dict:
    """demo-member's attendance at a service-month session: it has a proof."""
    from activities import paper

    attendances = paper.proof_attendances().filter(member=_member())
    return {"pk": _first(attendances.order_by("-pk"), "proof attendance").pk}


def _member_petitions():
    from petitions.models import Petition

    return Petition.objects.filter(enterprise_id=_member().enterprise_id)


def _petition() -> dict:
    """The first petition of demo-member's enterprise."""
    return {"pk": _first(_member_petitions().order_by("pk"), "petition").pk}


def _open_petition() -> dict:
    """An open petition of demo-member's enterprise: one a member may add to."""
    from petitions.models import Petition

    petitions = _member_petitions().exclude(status__in=Petition.ENDED_STATUSES)
    return {"pk": _first(petitions.order_by("-pk"), "open petition").pk}


def _rating_link() -> dict:
    """The signed rating link of demo-member's latest answered petition."""
    from petitions.tokens import rating_token

    answered = _member_petitions().filter(answer_round__gte=1).order_by("-pk")
    petition = _first(answered, "answered petition")
    user = _member().user
    token = rating_token(
        petition_id=petition.pk, answer_round=petition.answer_round, user_id=user.pk
    )
    return {"token": token}


def _department_petition() -> dict:
    """The latest petition dispatched to demo-official's department."""
    from petitions.models import Petition

    petitions = Petition.objects.filter(department_id=_official().department_id)
    return {"pk": _first(petitions.order_by("-pk"), "department's petition").pk}


def _supervised_petition() -> dict:
    """The latest petition of demo-official's department under supervision (督办)."""
    from petitions.models import Petition

    petitions = Petition.objects.filter(
        department_id=_official().department_id, supervised_on__isnull=False
    )
    return {"pk": _first(petitions.order_by("-pk"), "supervised petition").pk}


def _petition_attachment() -> dict:
    from petitions.models import PetitionAttachment

    attachments = PetitionAttachment.objects.filter(
        petition__enterprise_id=_member().enterprise_id
    )
    return {"pk": _first(attachments.order_by("-pk"), "petition attachment").pk}


def _received() -> dict:
    """The confirmation page's signed link of a petition sent from the studio's QR."""
    from petitions import entry
    from petitions.models import Petition

    studio = Petition.objects.filter(channel="duty_studio").order_by("-pk")
    return {"token": entry.received_token(_first(studio, "studio petition"))}


def _registered() -> dict:
    """A petition demo-rep registered from the duty log."""
    from petitions.models import Petition

    petitions = Petition.objects.filter(
        duty_log_entry__shift__representative=_member("demo-rep")
    )
    return {"pk": _first(petitions.order_by("-pk"), "petition demo-rep registered").pk}


def _batch() -> dict:
    from petitions.models import IntakeBatch

    return {"pk": _first(IntakeBatch.objects.order_by("-pk"), "intake batch").pk}


def _escalated() -> dict:
    from petitions.models import Escalation

    latest = _first(Escalation.objects.order_by("-pk"), "escalation")
    return {"pk": latest.petition_id}


def _monthly_report() -> dict:
    from petitions.models import ReviewRun

    runs = ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY)
    return {"pk": _first(runs.order_by("-period_start"), "monthly report").pk}


def _topic() -> dict:
    """A monthly topic (每月一题) demo-official's department leads or takes part in."""
    from django.db.models import Q

    from petitions.models import MonthlyTopic

    department_id = _official().department_id
    topics = MonthlyTopic.objects.filter(
        Q(lead_department_id=department_id) | Q(departments__id=department_id)
    )
    return {"pk": _first(topics.order_by("-pk"), "monthly topic").pk}


def _prospect() -> dict:
    """A non-member enterprise (from a petition sent from the studio's QR)."""
    from members.models import Enterprise

    prospects = Enterprise.objects.filter(status="prospect")
    return {"pk": _first(prospects.order_by("-pk"), "prospect enterprise").pk}


def _message() -> dict:
    from chamber.models import OutgoingMessage

    return {
        "pk": _first(OutgoingMessage.objects.order_by("-pk"), "outgoing message").pk
    }


def _download() -> dict:
    """The latest file demo-staff asked for that a task has made."""
    from chamber.models import Download

    downloads = Download.objects.filter(
        owner__username=LOGINS["staff"], status=Download.Status.DONE
    )
    latest = downloads.order_by("-created_at")
    return {"pk": _first(latest, "made download of demo-staff").pk}


def _article() -> dict:
    from publicity.models import Article

    return {"pk": _first(Article.objects.published().order_by("-pk"), "article").pk}


def _awareness() -> dict:
    from activities.models import Awareness

    return {"code": _first(Awareness.objects.order_by("pk"), "awareness").code}


def _picture() -> dict:
    from publicity.models import Picture

    return {"key": _first(Picture.objects.order_by("pk"), "picture").key}


def _showcase() -> dict:
    """demo-member's own enterprise's showcase, approved."""
    from publicity.models import Showcase

    showcases = Showcase.objects.filter(
        enterprise_id=_member().enterprise_id, status=Showcase.Status.APPROVED
    )
    return {"pk": _first(showcases, "approved showcase of demo-member").pk}


def _showcase_photo() -> dict:
    from publicity.models import Showcase, ShowcasePhoto

    photos = ShowcasePhoto.objects.filter(
        showcase__status=Showcase.Status.APPROVED, is_approved=True
    )
    return {"pk": _first(photos.order_by("pk"), "approved showcase photo").pk}


def _published_transparency() -> dict:
    """The 晾晒 page is public only once a leader published it."""
    from publicity import transparency

    if not transparency.is_public():
        raise Missing("晾晒 (the transparency page) not published by a leader")
    return {}


def _unsubscribe() -> dict:
    from publicity import newsletter

    return {"token": newsletter.unsubscribe_token(_member().user)}


# --- the catalogue ---------------------------------------------------------------------

A, M, R = "anonymous", "member", "representative"
OF, L, S = "official", "leader", "staff"
PUBLIC, MEMBER, INFO, FILE = "public", "member", "info", "file"

# The default run (the 14 pages measured since issue 8), in its order.
CORE = [
    Page("bench_bare", A, "baseline"),
    Page("bench_bare", M, "probe"),
    Page("home", A, PUBLIC),
    Page("login", A, PUBLIC),
    Page("home", M, MEMBER),
    Page("members:directory", M, MEMBER),
    Page("members:directory", M, MEMBER, query="q=营口", label="search"),
    Page("members:profile", M, MEMBER),
    Page("members:enterprise", M, MEMBER, _enterprise),
    Page("members:detail", M, MEMBER, _rep),
    Page("departments", OF, INFO),
    Page("staff_dashboard", S, INFO),
    Page("petitions:leader_home", L, INFO),
    Page("healthz", A, PUBLIC),
]

CATALOGUE = CORE + [
    # --- chamber ------------------------------------------------------------------------
    Page("outbox", S, INFO),
    Page("outbox_detail", S, INFO, _message),
    Page("downloads", S, INFO),
    Page("download", S, INFO, _download),
    Page("download_file", S, FILE, _download),
    Page("channels", M, MEMBER),
    Page("sitemap", A, PUBLIC),
    Page("login_sms", A, PUBLIC),
    Page("second_factor_setup", M, MEMBER),
    Page("password_change", M, MEMBER),
    Page("password_change_done", M, MEMBER),
    Page("password_reset", A, PUBLIC),
    Page("password_reset_done", A, PUBLIC),
    Page("password_reset_complete", A, PUBLIC),
    Page("password_reset_sms", A, PUBLIC),
    # --- members ------------------------------------------------------------------------
    Page("members:enterprise_edit", M, MEMBER, _enterprise),
    Page("members:admit_enterprise", S, INFO, _prospect),
    Page("members:rota", M, MEMBER),
    Page("members:my_shifts", R, MEMBER),
    Page("members:feed", A, FILE, _rep_feed),
    Page("members:staff_rota", S, INFO),
    Page("members:edit_shift", S, INFO, _shift),
    Page("members:duty_log", R, MEMBER),
    Page("members:log_entry", R, MEMBER, _log_entry),
    Page("members:staff_duty_log", S, INFO),
    Page("members:log_attachment", R, FILE, _log_attachment),
    # --- groups -------------------------------------------------------------------------
    Page("groups:mine", M, MEMBER),
    Page("groups:standings", M, MEMBER),
    Page("groups:standings_year", M, MEMBER, _year),
    Page("groups:detail", M, MEMBER, _group),
    Page("groups:member_points", M, MEMBER, _member_year),
    Page("groups:manual_points", S, INFO),
    Page("groups:manage_awards", S, INFO, _year),
    Page("groups:certificate_batches", S, INFO),
    Page("groups:certificate", M, FILE, _published_award),
    Page("groups:certificate_batch", S, FILE, _certificate_batch),
    Page("groups:awards", A, PUBLIC),
    Page("groups:awards_year", A, PUBLIC, _year),
    # --- activities ---------------------------------------------------------------------
    Page("activities:list", A, PUBLIC),
    Page("activities:list", M, MEMBER, label="member"),
    Page("activities:detail", A, PUBLIC, _activity),
    Page("activities:mine", M, MEMBER),
    Page("activities:platforms", A, PUBLIC),
    Page("activities:platform", A, PUBLIC, _platform),
    Page("activities:campaign", A, PUBLIC, _campaign),
    Page("activities:photo", A, FILE, _activity_photo),
    Page("activities:checkin", S, INFO, _activity),
    Page("activities:checkin_qr", S, INFO, _activity),
    Page("activities:signup_poster", S, INFO, _activity),
    Page("activities:signup_poster_pdf", S, FILE, _activity),
    Page("activities:attendance_certificate", M, FILE, _attendance),
    Page("activities:self_checkin", M, MEMBER, _self_checkin),
    Page("activities:attendance_export", S, FILE, _activity),
    Page("activities:calendar", A, FILE),
    Page("activities:activity_calendar", A, FILE, _activity),
    Page("activities:my_calendar", A, FILE, _member_feed),
    Page("activities:duties_now", S, INFO),
    Page("activities:duties", S, INFO, _year),
    # --- petitions ----------------------------------------------------------------------
    Page("petitions:mine", M, MEMBER),
    Page("petitions:submit", M, MEMBER),
    Page("petitions:detail", M, MEMBER, _petition),
    Page("petitions:add_to", M, MEMBER, _open_petition),
    Page(
        "petitions:similar", M, MEMBER, query="title=厂区道路积水&description=雨天积水"
    ),
    Page("petitions:rate_by_link", A, PUBLIC, _rating_link),
    Page("petitions:attachment", M, FILE, _petition_attachment),
    Page("petitions:from_duty_log", R, MEMBER, _appeal),
    Page("petitions:studio", A, PUBLIC),
    Page("petitions:session", A, PUBLIC, _session),
    Page("petitions:received", A, PUBLIC, _received),
    Page("petitions:studio_poster", S, INFO),
    Page("petitions:studio_poster_pdf", S, FILE),
    Page("petitions:session_poster", S, INFO, _session),
    Page("petitions:session_poster_pdf", S, FILE, _session),
    Page("petitions:assignment_sheet", S, FILE, _department_petition),
    Page("petitions:supervision_notice", S, FILE, _supervised_petition),
    Page("petitions:department_assignment_sheet", OF, FILE, _department_petition),
    Page("petitions:department_supervision_notice", OF, FILE, _supervised_petition),
    Page("petitions:opinion_sheets", S, INFO, _session),
    Page("petitions:department_queue", OF, INFO),
    Page("petitions:department_detail", OF, INFO, _department_petition),
    Page("petitions:triage", S, INFO),
    Page("petitions:staff_list", S, INFO),
    Page("petitions:staff_list", S, INFO, query="q=积水", label="search"),
    Page("petitions:staff_new", S, INFO),
    Page("petitions:batch", S, INFO),
    Page("petitions:batch_template", S, FILE),
    Page("petitions:batch_entered", S, INFO, _batch),
    Page("petitions:cycle", S, INFO),
    Page("petitions:staff_detail", S, INFO, _department_petition),
    Page("petitions:leader_home", L, FILE, query="format=xlsx", label="xlsx"),
    Page("petitions:reports", L, INFO),
    Page("petitions:report", L, INFO, _monthly_report),
    Page("petitions:report_export", L, FILE, _monthly_report),
    Page("petitions:report_docx", L, FILE, _monthly_report),
    Page("petitions:escalations", S, INFO),
    Page("petitions:leader_detail", L, INFO, _escalated),
    Page("petitions:registered_detail", R, MEMBER, _registered),
    Page("petitions:topics", OF, INFO),
    Page("petitions:topic_new", S, INFO),
    Page("petitions:topic", OF, INFO, _topic),
    Page("petitions:topic_edit", S, INFO, _topic),
    # --- publicity ----------------------------------------------------------------------
    Page("publicity:home", A, PUBLIC),
    Page("publicity:home", M, MEMBER, label="member"),
    Page("publicity:kind", A, PUBLIC, lambda: {"code": "policy"}),
    Page("publicity:kind_feed", A, PUBLIC, lambda: {"code": "policy"}),
    Page("publicity:tag", A, PUBLIC, _awareness),
    Page("publicity:article", A, PUBLIC, _article),
    Page("publicity:picture", A, FILE, _picture),
    Page("publicity:showcases", A, PUBLIC),
    Page("publicity:showcase", A, PUBLIC, _showcase),
    Page("publicity:showcase_poster", M, MEMBER, _showcase),
    Page("publicity:showcase_photo", A, FILE, _showcase_photo),
    Page("publicity:my_showcase", M, MEMBER),
    Page("publicity:review_showcases", S, INFO),
    Page("publicity:search", A, PUBLIC, query="q=补贴"),
    Page("publicity:transparency", L, INFO),
    Page("publicity:transparency", A, PUBLIC, _published_transparency, label="public"),
    Page("publicity:feed", A, PUBLIC),
    Page("publicity:atom", A, PUBLIC),
    Page("publicity:digest_settings", OF, INFO),
    Page("publicity:news_settings", M, MEMBER),
    Page("publicity:news_unsubscribe", A, PUBLIC, _unsubscribe),
]

POST_ONLY = "a POST-only action (a GET is 405)"
NOT_PAGES = {
    "admin:*": "Django's admin, for staff at their desk: AC-4 checks who reaches it",
    "set_language": "Django's language switch: a POST that redirects",
    "favicon": "a permanent redirect to the static icon (301)",
    "short-link": "an SMS's short link: a redirect to where it points",
    "logout": POST_ONLY,
    "outbox_action": POST_ONLY,
    "outbox_bulk": POST_ONLY,
    "download_again": POST_ONLY,
    "channels_mobile": POST_ONLY,
    "channels_wechat": POST_ONLY,
    "sms-replies": "Tencent Cloud's reply callback: a POST with its own token",
    "wechat-callback": "the 服务号's server callback: not configured in the bench (404)",
    "wechat-dev-bind": "development only (DEBUG): 404 with DEBUG off",
    "second_factor": "redirects to the setup page unless an authenticator is set up",
    "second_factor_backup": "redirects to the code page unless a code was just given",
    "password_reset_confirm": "a reset link: a valid one redirects at once, the form "
    "needs a fresh token by e-mail for each visit",
    "password_reset_sms_set": "only in the minutes after an SMS code: redirects",
    "members:accept_invitation": "an invitation link: a valid one redirects at once "
    "and is used up; it needs a fresh token for each visit",
    "members:add_unavailability": POST_ONLY,
    "members:delete_unavailability": POST_ONLY,
    "members:ask_swap": POST_ONLY,
    "members:accept_swap": POST_ONLY,
    "members:withdraw_swap": POST_ONLY,
    "members:renew_feed": POST_ONLY,
    "members:revoke_feed": POST_ONLY,
    "members:generate_rota": POST_ONLY,
    "groups:correct": POST_ONLY,
    "groups:confirm_award": POST_ONLY,
    "groups:publish_awards": POST_ONLY,
    "groups:make_certificates": POST_ONLY,
    "activities:sign_up": POST_ONLY,
    "activities:cancel": POST_ONLY,
    "activities:undo_checkin": POST_ONLY,
    "activities:colleague_present": POST_ONLY,
    "activities:renew_my_calendar": POST_ONLY,
    "activities:revoke_my_calendar": POST_ONLY,
    "petitions:rate": POST_ONLY,
    "petitions:answer_request": POST_ONLY,
    "petitions:department_clock": POST_ONLY,
    "petitions:staff_clock": POST_ONLY,
    "petitions:department_action": POST_ONLY,
    "petitions:staff_action": POST_ONLY,
    "petitions:instruct": POST_ONLY,
    "petitions:topic_close": POST_ONLY,
    "petitions:topic_task_done": POST_ONLY,
    "petitions:assignment_sheets": "a day's or week's 交办单: made by a task, the GET "
    "redirects to its download page (measured as `download`)",
    "petitions:supervision_notices": "a day's or week's 督办通知单: made by a task, the "
    "GET redirects to its download page (measured as `download`)",
    "petitions:report_pdf": "the report as PDF: made by a task, the GET redirects to "
    "its download page (measured as `download`)",
    "publicity:picture_upload": POST_ONLY,
    "publicity:approve_showcase": POST_ONLY,
    "publicity:return_showcase": POST_ONLY,
    "publicity:transparency_switch": POST_ONLY,
    "publicity:resend_digest": POST_ONLY,
    "publicity:topic_article": POST_ONLY,
}


def catalogued(name: str) -> bool:
    """Whether a URL name is a page of the catalogue or named in NOT_PAGES."""
    if name.startswith("admin:"):
        return True
    return name in NOT_PAGES or any(page.name == name for page in CATALOGUE)


def uncovered(names) -> list[str]:
    """URL names neither measured nor explained in NOT_PAGES."""
    return sorted({name for name in names if not catalogued(name)})


def stale(names) -> list[str]:
    """Catalogue and NOT_PAGES entries whose URL name is gone."""
    known = set(names) | BENCH_NAMES
    listed = {page.name for page in CATALOGUE} | set(NOT_PAGES) - {"admin:*"}
    return sorted(listed - known)


# --- resolving -------------------------------------------------------------------------


def url_safe(path: str) -> str:
    """The path as a client sends it: non-ASCII text percent-encoded."""
    return quote(path, safe="/?=&%:")


def resolve(page: Page) -> dict:
    """The page with its path; `missing` says why it has none. Needs Django set up."""
    from django.db import DatabaseError
    from django.urls import reverse

    row = {"key": page.key, "name": page.name, "role": page.role, "kind": page.kind}
    try:
        kwargs = page.args() if page.args else {}
    except Missing as exc:
        return {**row, "path": page.key, "url": None, "missing": str(exc)}
    except DatabaseError as exc:  # a table the bench database lacks (not migrated)
        reason = f"the bench database: {str(exc).splitlines()[0]}"
        return {**row, "path": page.key, "url": None, "missing": reason}
    path = reverse(page.name, kwargs=kwargs) + (f"?{page.query}" if page.query else "")
    return {**row, "path": path, "url": url_safe(path)}


def resolve_pages(which: str = "core") -> list[dict]:
    """The default run's pages ("core") or every page ("all"), with their paths."""
    if which not in ("core", "all"):
        raise ValueError(f"BENCH_PAGES is core or all, not {which!r}")
    return [resolve(page) for page in (CORE if which == "core" else CATALOGUE)]


# --- what only a user's action makes -----------------------------------------------------

# A whole 1×1 picture, as an upload (the upload checks walk it to its IEND chunk).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00"
    b"\x00\x00\x00:~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _png(name: str):
    from io import BytesIO

    from django.core.files import File

    return File(BytesIO(PNG), name=name)


def _staff_user():
    from chamber.models import User

    return User.objects.get(username=LOGINS["staff"])


def _make_prospect() -> None:
    """A petition sent from the studio's QR by an enterprise that is not a member."""
    from members.credit_code import check_character
    from petitions import services

    first17 = "91210803MC0000001"
    services.submit_guest_petition(
        mobile="13900000099",
        enterprise_name="营口新港物流有限公司",
        credit_code=first17 + check_character(first17),
        area="coastal",
        contact_name="赵经理",
        title="仓储用地审批进度",
        description="希望了解仓储用地审批的进度。",
        channel="duty_studio",
    )


def _make_batch() -> None:
    """Two petitions of demo-member's enterprise entered by staff at once."""
    from petitions import services

    enterprise = _member().enterprise
    rows = [
        services.BatchRow(enterprise=enterprise, title=title, description=text)
        for title, text in [
            ("厂区道路积水", "雨天积水严重，影响出货。"),
            ("道路积水", "厂区门前积水。"),
        ]
    ]
    services.enter_batch(
        key="bench-pages", rows=rows, channel="consultation_day", actor=_staff_user()
    )


def _make_topic() -> None:
    """This month's topic, led by demo-official's department, with one task."""
    from django.utils import timezone

    from petitions import topics
    from petitions.models import Petition

    department = _official().department
    topics.save_topic(
        actor=_staff_user(),
        month=timezone.localdate(),
        title="融资难题集中破解",
        lead_department=department,
        departments=[],
        problems="贷款审批慢\n抵押物认定难",
        petitions=Petition.objects.filter(department=department).order_by("-pk")[:3],
        tasks=[
            {
                "text": "召开银企对接会",
                "department": department,
                "owner": "",
                "due_on": timezone.localdate(),
            }
        ],
    )


def _make_petition_attachment() -> None:
    from petitions import services
    from petitions.models import Petition

    member = _member()
    petition = Petition.objects.get(**_petition())
    services.attach_files(
        petition=petition, files=[_png("现场照片.png")], actor=member.user
    )


def _make_log_attachment() -> None:
    from chamber.uploads import check_upload
    from members.models import DutyLogAttachment, DutyLogEntry

    entry = DutyLogEntry.objects.get(**_log_entry())
    DutyLogAttachment.store_all([check_upload(_png("名片.png"))], entry=entry)


def _make_activity_photo() -> None:
    """A write-up photo, through the form of the activity's admin page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.forms import ActivityPhotoForm
    from activities.models import Activity, ActivityPhoto

    activity = Activity.objects.get(**_activity())
    form = ActivityPhotoForm(
        data={"caption": "合影", "sort_order": 0},
        files={"image": SimpleUploadedFile("合影.png", PNG, content_type="image/png")},
        instance=ActivityPhoto(activity=activity),
    )
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    form.save()


def _make_attendance() -> None:
    """demo-member checked in at a service-month session, during its window."""
    from datetime import timedelta

    from activities import services
    from activities.models import Activity, Campaign

    sessions = Activity.objects.published().filter(
        campaign__kind=Campaign.Kind.SERVICE_MONTH
    )
    activity = _first(sessions.order_by("starts_at"), "service-month session")
    services.check_in(
        activity=activity,
        member=_member(),
        actor=_staff_user(),
        now=activity.starts_at + timedelta(minutes=5),
    )


def _make_certificate_batch() -> None:
    """A year's certificates asked for by staff and made (as its task does)."""
    from groups import services
    from groups.models import Award

    published = Award.objects.filter(published_at__isnull=False)
    year = _first(published.order_by("-year"), "published award").year
    batch = services.request_certificate_batch(year=year, actor=_staff_user())
    services.build_certificate_batch(batch=batch)


def _make_download() -> None:
    """A file demo-staff asked for (the staff list's Excel of a search), made."""
    from chamber import downloads
    from petitions.downloads import PETITIONS_XLSX

    download = downloads.request_download(
        owner=_staff_user(),
        kind=PETITIONS_XLSX,
        parameters={"filters": {"q": ["积水"]}},
    )
    downloads.build(download.pk)


def _record_appeal():
    """A visit with an appeal in demo-rep's latest started duty week, recorded by staff
    (who may record for any week that has started)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from members.models import DutyShift, Enterprise
    from members.services import duty_log

    rep, now = _member("demo-rep"), timezone.now()
    others = Enterprise.objects.filter(status="active").exclude(
        pk__in=[rep.enterprise_id, _member().enterprise_id]
    )
    visitor = _first(others.order_by("pk"), "other member enterprise")
    started = DutyShift.objects.filter(
        representative=rep, week_start__lte=timezone.localdate()
    )
    shift = _first(started.order_by("-week_start"), "started shift of demo-rep")
    end = datetime.combine(shift.week_start + timedelta(days=4), time(16))
    visited_at = min(now, timezone.make_aware(end))
    return duty_log.record_visit(
        member=None,
        shift=shift,
        actor=_staff_user(),
        visitor_name="王经理",
        visitor_enterprise=visitor.name,
        enterprise=visitor,
        subject="冷库用电价格",
        appeal="希望协调冷库执行农业生产用电价格。",
        visited_at=visited_at,
    )


def _make_appeal() -> None:
    """An appeal in demo-rep's week not registered yet (`petitions:from_duty_log`)."""
    _record_appeal()


def _make_registered() -> None:
    """An appeal registered as a petition by demo-rep."""
    from petitions import services

    services.petition_from_duty_log(
        entry=_record_appeal(),
        actor=_member("demo-rep").user,
        title="冷库用电价格",
        description="希望协调冷库执行农业生产用电价格。",
    )


def _make_transparency_public() -> None:
    """demo-leader publishes the departments' figures (晾晒), as on its page."""
    from chamber.models import User
    from publicity import transparency

    transparency.switch(actor=User.objects.get(username=LOGINS["leader"]), public=True)


# resolver -> what makes its object through the portal's own services, as a user would
PREPARE = [
    (_prospect, _make_prospect),
    (_batch, _make_batch),
    (_topic, _make_topic),
    (_petition_attachment, _make_petition_attachment),
    (_log_attachment, _make_log_attachment),
    (_activity_photo, _make_activity_photo),
    (_attendance, _make_attendance),
    (_certificate_batch, _make_certificate_batch),
    (_download, _make_download),
    (_registered, _make_registered),
    (_appeal, _make_appeal),
    (_published_transparency, _make_transparency_public),
]
# Pages whose role gets them only in a state PREPARE makes (the access matrix, read by
# tests/test_bench_pages.py, has the default state).
AFTER_PREPARE = {
    "publicity:transparency[public]": "public once a leader published it",
}


def prepare() -> None:
    """Make, through the portal's own services, the objects the generators leave out
    (they exist only after someone acts: a guest's petition, a batch, a topic, uploads,
    a check-in, a certificate batch, a made download); each only when the bench data
    has none. Idempotent. bench/run.sh runs it after the data."""
    from django.db import DatabaseError, transaction

    for resolver, make in PREPARE:
        try:
            resolver()
            print(f"  {make.__name__[6:]}: there already", file=sys.stderr)
            continue
        except Missing:
            pass
        except DatabaseError as exc:
            print(f"  {make.__name__[6:]}: {str(exc).splitlines()[0]}", file=sys.stderr)
            continue
        try:
            with transaction.atomic():
                make()
            resolver()
        except Exception as exc:  # a service's refusal, a missing table: say which
            name = type(exc).__name__
            print(f"  {make.__name__[6:]}: not made: {name}: {exc}", file=sys.stderr)
        else:
            print(f"  {make.__name__[6:]}: made", file=sys.stderr)


def setup_django() -> None:
    """Django with the normal settings and the benchmark's URLs (as bench/wsgi.py)."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    django.setup()


if __name__ == "__main__":
    if sys.argv[1:] != ["prepare"]:
        raise SystemExit("usage: python bench/pages.py prepare")
    setup_django()
    prepare()
