"""Publicity: the news site under load and the weekly digests to 1,000 officials (issue 9).

    .venv/bin/python bench/publicity.py data [--petitions 50000] [--articles 600] [--officials 1000]
    .venv/bin/python bench/publicity.py pages [--repeat 30] [--out FILE] [--sessions FILE]
    .venv/bin/python bench/publicity.py build [--sample 100] [--out FILE]
    .venv/bin/python bench/publicity.py sink --port-file FILE --log FILE
    .venv/bin/python bench/publicity.py send --sink-log FILE --worker-pid PID --sink-pid PID [--out FILE]
    .venv/bin/python bench/publicity.py load --base URL --sessions FILE --queries FILE [--out FILE]
    .venv/bin/python bench/publicity.py report [FILE]

bench/publicity.sh runs them in that order, with the environment of bench/lib.sh
(PostgreSQL database `bench_publicity`, Redis cache and broker, DEBUG off, gunicorn).

data: on a database that bench/generate.py has filled, the petitions of two years
(bench/petitions.py's generator, so each department has the backlog of issue 8), 600
published articles over the last two years (news, policies, exemplary firms and
business stories in the proportions the new-media station publishes them, bodies of
1,000 to 2,000 characters, one or two of the five awarenesses each), and officials
spread evenly over the departments until 1,000 active officials with an address
belong to one (one in nine reads e-mail in English, one in seven has switched the
week's policies off). The digests seed_demo's weekly dispatch planned are deleted:
the run plans this week's from nothing.

pages: the news home, an article page (the newest exemplary firm with an enterprise,
a campaign and tags), the RSS and Atom feeds, a kind's list and a search: queries
(CaptureQueriesContext around the second request of a client that keeps its cookies),
SQL and cache time, size, the chunks the response is made of, the median of --repeat
serial requests in-process, and the cookies for `load` (the member's, for the
logged-in look at the home).

build: in one transaction rolled back at the end, plans this week's digests
(publicity.digests.plan_weekly_digests: its queries at this size, building every digest
and writing it to the outbox) and builds a sample of them in-process again, one at a
time (build_message, then the e-mail rendered and its MIME bytes): queries, SQL, cache
calls, time, size, and the petitions listed (and loaded) per digest; then runs the
outbox's sender (chamber.outbox.deliver: claim, send, mark sent) on some of their
messages with the in-memory mail backend, for its queries.

sink: an SMTP server (aiosmtpd) on a free port of 127.0.0.1 that accepts everything
and writes one JSON line per message (arrival time, recipients, size, subject); it
writes its port to --port-file and runs until SIGTERM.

send: with a real Celery worker running (EMAIL_HOST and EMAIL_PORT pointing at the
sink), enqueues publicity.tasks.plan_weekly_digests for this week through Redis and
waits until every delivery's message is sent (or failed): wall time from the enqueue to
the plan's commit, the first and the last message, time per digest in the worker (the
outbox's claim to sent), retries, what the sink received (duplicates, strangers), and
the CPU the worker, PostgreSQL, Redis, the sink and the rest of the machine used
meanwhile.

load: wrk on each page against the running gunicorn through bench/petitions.py's
`load` (bench/load.py's functions), the bare template view first and last.

report: the tables of docs/performance.md, section "Publicity", from the results.
"""

import argparse
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import petitions as bench_petitions  # noqa: E402
from bench.pages import url_safe  # noqa: E402

DATABASE = "bench_publicity"
TZ = ZoneInfo("Asia/Shanghai")
BASELINE = "/bench/bare/"
LOGINS = {"member": "demo-member"}
EDITOR = "bench-editor"
OFFICIAL_PREFIX = "bench-official-"

# (path, role, kind): "public" pages must reach the house standard; "info" is reported.
# {article}: the newest generated exemplary firm with an enterprise and a campaign.
PAGES = [
    (BASELINE, "anonymous", "baseline"),
    ("/news/", "anonymous", "public"),
    ("/news/articles/{article}/", "anonymous", "public"),
    ("/news/feed/", "anonymous", "public"),
    ("/news/atom/", "anonymous", "public"),
    ("/news/kind/policy/", "anonymous", "public"),
    ("/news/search/?q=补贴", "anonymous", "public"),
    ("/news/", "member", "info"),
]


def setup_django() -> None:
    bench_petitions.setup_django()


def week_start() -> date:
    """Monday of this week, in the site's time zone (the week the digests are for)."""
    from django.utils import timezone

    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def median(values) -> float | None:
    values = list(values)
    return round(statistics.median(values), 2) if values else None


def percentile(values, pct: float) -> float | None:
    values = sorted(values)
    if not values:
        return None
    return round(values[min(len(values) - 1, int(len(values) * pct))], 2)


def write_json(path: Path | None, data) -> None:
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )


# --- data -----------------------------------------------------------------------------------

# The new-media station's mix over two years: mostly news and policies.
ARTICLE_MIX = [("news", 45), ("policy", 30), ("exemplary", 15), ("story", 10)]
PARAGRAPHS = [
    "为深入贯彻落实优化营商环境的各项部署，切实帮助市场主体纾困解难，区工商联会同有关部门梳理了近期出台的惠企政策，"
    "现将主要内容和办理方式介绍如下，请各会员企业结合自身实际用足用好。",
    "本政策适用于在西市区依法登记注册、具有独立法人资格、守法诚信经营的中小微企业和个体工商户，"
    "申报单位近三年内无重大安全生产事故和严重失信行为。",
    "符合条件的企业可通过工商联门户网站在线提交申请材料，也可以到区政务服务中心工商联窗口现场办理，"
    "工作人员将在五个工作日内完成初审并告知审核结果。",
    "补贴资金按照“先申报、后审核、再拨付”的程序执行，审核通过的企业名单将在区政府网站公示七个工作日，"
    "公示无异议后由区财政局直接拨付至企业对公账户。",
    "企业负责人介绍，公司成立之初只有十几名员工，如今已发展成为拥有两百余名职工、年产值过亿元的规模以上企业，"
    "产品远销东北亚和欧洲市场。",
    "在工商联的牵线搭桥下，企业与本地高校建立了产学研合作关系，共同攻克了多项关键技术难题，"
    "先后获得发明专利六项、实用新型专利二十余项。",
    "谈到今后的发展，企业负责人表示，将继续坚持诚信经营、创新驱动，积极参与光彩事业和乡村振兴，"
    "为家乡经济社会发展贡献更多力量。",
    "老街坊们回忆，上世纪八十年代的渤海大街商铺林立、人流如织，是营口人购物休闲的首选之地，"
    "许多老字号至今仍在这里守着一方柜台。",
    "近年来，随着城市更新和消费升级，老商圈迎来了新业态，直播电商、特色餐饮和文创小店纷纷入驻，"
    "吸引了大批年轻消费者前来打卡。",
    "会上，与会企业家围绕融资难、用工难、市场开拓等问题畅所欲言，有关部门负责同志现场进行了解答，"
    "对需要协调解决的事项明确了责任单位和办理时限。",
    "区工商联有关负责同志表示，将持续完善“12345+N”工作机制，把企业诉求办理情况纳入部门考核，"
    "做到件件有回音、事事有着落。",
    "如对政策内容有疑问，请拨打区工商联服务热线0417-2812345咨询，或关注“西市工商联”微信公众号获取最新政策解读。",
]
HEADINGS = ["主要内容", "申报条件", "办理流程", "企业风采", "发展历程", "下一步工作"]
ITEMS = [
    "适用对象：区内会员企业",
    "申报时间：即日起至年底",
    "所需材料：营业执照、申请表、相关证明",
    "办理地点：区政务服务中心工商联窗口",
    "咨询电话：0417-2812345",
]
POSITIONS = ["科员", "科员", "副主任科员", "科长", "副科长", "副局长"]


def article_body(rng: random.Random) -> tuple[str, str]:
    """The body's HTML (1,000 to 2,000 characters) and a summary from its first paragraph."""
    paragraphs = [rng.choice(PARAGRAPHS) for _ in range(rng.randrange(12, 25))]
    parts = []
    for n, paragraph in enumerate(paragraphs):
        if n == 2:
            parts.append(f"<h2>{rng.choice(HEADINGS)}</h2>")
            parts.append(
                "<ul>"
                + "".join(f"<li>{item}</li>" for item in rng.sample(ITEMS, 3))
                + "</ul>"
            )
        parts.append(f"<p>{paragraph}</p>")
    return "".join(parts), paragraphs[0][:80] + "……"


def articles(count: int, seed: int) -> int:
    """`count` published articles over the last two years; none when they exist already."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.utils import timezone

    from activities.models import Awareness, Campaign
    from chamber.models import User
    from members.models import Enterprise
    from publicity.demo import TITLES
    from publicity.html import sanitise
    from publicity.models import Article, ArticleKind

    editor, _created = User.objects.get_or_create(
        username=EDITOR,
        defaults={
            "full_name": "新媒体编辑",
            "is_staff": True,
            "email": f"{EDITOR}@example.com",
            "password": f"{UNUSABLE_PASSWORD_PREFIX}bench",
        },
    )
    if Article.objects.filter(created_by=editor).exists():
        return 0
    rng = random.Random(seed)
    kinds = {k.code: k for k in ArticleKind.objects.all()}
    awareness = list(
        Awareness.objects.order_by("sort_order").values_list("pk", flat=True)
    )
    enterprises = list(
        Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    campaign = (
        Campaign.objects.filter(kind="publicity_week").order_by("-starts_on").first()
    )
    now = timezone.now()
    span = 730 * 86400 - 7200
    times = sorted(
        now - timedelta(days=730) + timedelta(seconds=rng.uniform(0, span))
        for _ in range(count)
    )
    rows = []
    for n, at in enumerate(times):
        code = bench_petitions.pick(rng, ARTICLE_MIX)
        local = at.astimezone(TZ)
        title = f"{rng.choice(TITLES[code])}（{local.year}年{local.month}月）"
        body, summary = article_body(rng)
        rows.append(
            Article(
                kind=kinds[code],
                title=title,
                summary=summary,
                body=sanitise(body),
                enterprise_id=rng.choice(enterprises)
                if code == "exemplary" and enterprises
                else None,
                campaign=campaign if code == "exemplary" and n % 4 == 0 else None,
                status=Article.Status.PUBLISHED,
                published_at=at,
                created_by=editor,
                created_at=at - timedelta(days=1),
            )
        )
    created = Article.objects.bulk_create(rows, batch_size=500)
    if awareness:
        through = Article.awareness.through
        links = [
            through(article_id=a.pk, awareness_id=pk)
            for a in created
            for pk in rng.sample(awareness, rng.randrange(1, 3))
        ]
        through.objects.bulk_create(links, batch_size=1000)
    return len(created)


def officials(target: int) -> int:
    """Officials spread evenly over the active departments until `target` of them would get
    a digest (active, with an address, in a department); returns how many were added."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from bench.generate import person_name
    from chamber.models import Department, Official, User
    from publicity.models import DigestPreference

    departments = list(
        Department.objects.filter(is_active=True).order_by("sort_order", "pk")
    )
    have = (
        Official.objects.filter(
            is_active=True, user__is_active=True, department__isnull=False
        )
        .exclude(user__email="")
        .count()
    )
    first = User.objects.filter(username__startswith=OFFICIAL_PREFIX).count() + 1
    numbers = range(first, first + max(target - have, 0))
    users = User.objects.bulk_create(
        [
            User(
                username=f"{OFFICIAL_PREFIX}{n:05d}",
                full_name=person_name(n + 200_000),
                email=f"{OFFICIAL_PREFIX}{n:05d}@example.com",
                password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
                language="en" if n % 9 == 0 else "zh-hans",
            )
            for n in numbers
        ],
        batch_size=500,
    )
    made = Official.objects.bulk_create(
        [
            Official(
                user=user,
                department=departments[n % len(departments)],
                position=POSITIONS[n % len(POSITIONS)],
            )
            for n, user in zip(numbers, users, strict=True)
        ],
        batch_size=500,
    )
    DigestPreference.objects.bulk_create(
        [
            DigestPreference(official=official, include_articles=n % 7 != 0)
            for n, official in zip(numbers, made, strict=True)
            if n % 7 in (0, 1)
        ],
        batch_size=500,
    )
    return len(made)


def data(args) -> None:
    from django.db import connection, transaction

    from chamber.models import Official
    from petitions.models import Petition
    from publicity.models import Article, DigestDelivery

    if connection.settings_dict["NAME"] != DATABASE:
        raise SystemExit(f"data writes only to the database {DATABASE}")
    started = time.perf_counter()
    # The petitions of issue 8's benchmark, on this database.
    bench_petitions.DATABASE = DATABASE
    bench_petitions.configure(datetime.now(TZ).date())
    bench_petitions.generate(args.petitions, args.seed)
    with transaction.atomic():
        made_articles = articles(args.articles, args.seed)
        made_officials = officials(args.officials)
        # seed_demo's weekly dispatch planned the demo's digests: this run plans its own.
        DigestDelivery.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    waiting = Petition.objects.filter(
        status__in=Petition.WITH_DEPARTMENT, department_replied_at__isnull=True
    ).count()
    print(
        f"+{made_articles} articles ({Article.objects.published().count()} published), "
        f"+{made_officials} officials ({Official.objects.count()} in all), "
        f"{waiting} petitions waiting at departments; "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def scale() -> dict:
    from django.db.models import Count, Q

    from chamber.models import Department, Official
    from petitions.models import Petition
    from publicity.models import Article, DigestPreference

    waiting = Q(
        petitions__status__in=Petition.WITH_DEPARTMENT,
        petitions__department_replied_at__isnull=True,
    )
    departments = list(
        Department.objects.filter(is_active=True)
        .annotate(
            officials_n=Count("officials", distinct=True),
            waiting=Count("petitions", filter=waiting, distinct=True),
        )
        .order_by("sort_order", "pk")
        .values("name", "officials_n", "waiting")
    )
    return {
        "articles_published": Article.objects.published().count(),
        "articles_by_kind": dict(
            Article.objects.published()
            .order_by()
            .values_list("kind__code")
            .annotate(n=Count("pk"))
        ),
        "petitions": Petition.objects.count(),
        "officials": Official.objects.count(),
        "officials_en": Official.objects.filter(user__language="en").count(),
        "officials_without_articles": DigestPreference.objects.filter(
            include_articles=False
        ).count(),
        "leaders": Official.objects.filter(is_leader=True).count(),
        "departments": departments,
    }


# --- pages ----------------------------------------------------------------------------------


def resolve_pages() -> list[dict]:
    from publicity.models import Article

    article = (
        Article.objects.published()
        .filter(
            created_by__username=EDITOR,
            kind__code="exemplary",
            enterprise__isnull=False,
            campaign__isnull=False,
        )
        .order_by("-published_at")
        .values_list("pk", flat=True)
        .first()
    )
    if article is None:
        raise SystemExit(
            "no generated exemplary article: run `publicity.py data` first"
        )
    return [
        {
            "path": path.format(article=article),
            "url": url_safe(path.format(article=article)),
            "role": role,
            "kind": kind,
        }
        for path, role, kind in PAGES
    ]


def pages(repeat: int) -> tuple[dict, dict]:
    """The news pages measured as bench/petitions.py measures its own."""
    return bench_petitions.pages(
        repeat, resolved=resolve_pages(), logins=LOGINS, sizes=scale
    )


# --- digests and their outbox messages -------------------------------------------------------

# A delivery is settled when its message is sent or failed, or it had nothing to send.
SETTLED = ("sent", "failed", "cancelled", "nothing")


def rendered(delivery, built):
    """The e-mail a delivery's built message makes, as the outbox renders it; None for
    nothing to send."""
    from chamber.emails import make_message

    if built is None:
        return None
    name, context = built
    user = delivery.official.user
    return make_message(
        name, [user.email], {"recipient": user, **context}, user.language
    )


def delivery_counts(deliveries) -> dict[str, int]:
    """How many deliveries are in each state: their message's (queued, sending, sent,
    failed, cancelled), or their own without one (pending, nothing). One query."""
    from django.db.models import Count, F
    from django.db.models.functions import Coalesce

    return dict(
        deliveries.order_by()
        .values_list(Coalesce(F("message__status"), F("status")))
        .annotate(n=Count("pk"))
    )


def delivery_rows(deliveries) -> list[dict]:
    """Each delivery with its message's figures under the names the results use:
    status (as `delivery_counts`), attempts, claimed_at and sent_at (the outbox's)."""
    return [
        {
            "kind": r["kind"],
            "status": r["message__status"] or r["status"],
            "attempts": r["message__attempts"] or 0,
            "created_at": r["created_at"],
            "claimed_at": r["message__claimed_at"],
            "sent_at": r["message__sent_at"],
            "official__user__email": r["official__user__email"],
        }
        for r in deliveries.values(
            "kind",
            "status",
            "created_at",
            "official__user__email",
            "message__status",
            "message__attempts",
            "message__claimed_at",
            "message__sent_at",
        )
    ]


# --- digests built in-process ---------------------------------------------------------------


def listed_petitions(department_id: int, on: date, week: date) -> tuple[int, int]:
    """Petitions a department's digest lists, and those its query loads to choose them."""
    from petitions.models import Petition
    from publicity import digests

    sections = digests.department_sections(department_id=department_id, on=on)
    # what department_sections reads: the petitions waiting at the department
    loaded = Petition.objects.filter(
        department_id=department_id,
        status__in=Petition.WITH_DEPARTMENT,
        department_replied_at__isnull=True,
    ).count()
    return sum(len(rows) for rows in sections.values()), loaded


def build(sample: int, sends: int) -> dict:
    """Plan and build digests in one transaction, rolled back: nothing is sent or kept."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from chamber import outbox
    from publicity import digests
    from publicity.models import DigestDelivery

    week = week_start()
    now = timezone.now()
    on = timezone.localdate(now)
    related = ("official__user", "official__department")
    result = {"week_start": week.isoformat(), "on": on.isoformat()}
    with transaction.atomic():
        if DigestDelivery.objects.filter(week_start=week).exists():
            raise SystemExit(f"digests of {week} exist already")
        with (
            CaptureQueriesContext(connection) as captured,
            bench_petitions.QueryTimer() as timer,
        ):
            wall = time.perf_counter()
            pending = digests.plan_weekly_digests(week_start=week)
            wall = time.perf_counter() - wall
        deliveries = list(
            DigestDelivery.objects.filter(pk__in=pending)
            .select_related(*related)
            .order_by("pk")
        )
        kinds = {}
        for d in deliveries:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        result["plan"] = {
            "deliveries": len(pending),
            "by_kind": kinds,
            "queries": bench_petitions.sql_count(captured.captured_queries),
            "wall_ms": round(wall * 1000, 1),
            "sql_ms": timer.ms,
        }
        print(f"  plan: {result['plan']}", file=sys.stderr)
        listed = {
            department: listed_petitions(department, on, week)
            for department in {
                d.official.department_id for d in deliveries if d.kind == "department"
            }
        }
        # A seeded sample of the department digests (every department, both languages,
        # with and without the policies), and every leader's.
        department = [d for d in deliveries if d.kind == "department"]
        chosen = sorted(
            random.Random(9).sample(department, min(sample, len(department)))
            + [d for d in deliveries if d.kind == "leader"],
            key=lambda d: d.pk,
        )
        # Warm-up: templates compiled, catalogues loaded, as in a worker that ran before.
        for language in ("zh-hans", "en"):
            for d in deliveries:
                if d.official.user.language == language:
                    rendered(d, digests.build_message(d, now=now)).message().as_bytes()
                    break
        rows = []
        for d in chosen:
            delivery = DigestDelivery.objects.select_related(*related).get(pk=d.pk)
            with (
                bench_petitions.CacheCalls() as cache_calls,
                CaptureQueriesContext(connection) as captured,
                bench_petitions.QueryTimer() as timer,
            ):
                wall, cpu = time.perf_counter(), time.process_time()
                message = rendered(delivery, digests.build_message(delivery, now=now))
                built = time.perf_counter()
                raw = message.message().as_bytes() if message else b""
                done, cpu = time.perf_counter(), time.process_time() - cpu
            preference = getattr(delivery.official, "digest_preference", None)
            rows.append(
                {
                    "delivery": delivery.pk,
                    "kind": delivery.kind,
                    "department": delivery.official.department.name
                    if delivery.official.department
                    else None,
                    "language": delivery.official.user.language,
                    "include_articles": preference.include_articles
                    if preference
                    else True,
                    "petitions_listed": listed[delivery.official.department_id][0]
                    if delivery.kind == "department"
                    else None,
                    "petitions_loaded": listed[delivery.official.department_id][1]
                    if delivery.kind == "department"
                    else None,
                    "queries": bench_petitions.sql_count(captured.captured_queries),
                    "sql_ms": timer.ms,
                    "cache_calls": cache_calls.count,
                    "build_ms": round((built - wall) * 1000, 2),
                    "mime_ms": round((done - built) * 1000, 2),
                    "cpu_ms": round(cpu * 1000, 2),
                    "bytes": len(raw),
                }
            )
        result["digests"] = rows
        # The outbox's sender (claim, send, mark sent) with the in-memory backend.
        task_queries = []
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            for d in chosen[:sends]:
                message_id = DigestDelivery.objects.get(pk=d.pk).message_id
                if message_id is None:
                    continue  # nothing to send any more
                with CaptureQueriesContext(connection) as captured:
                    sent = outbox.deliver(message_id)
                task_queries.append(
                    {
                        "kind": d.kind,
                        "sent": sent,
                        "queries": bench_petitions.sql_count(captured.captured_queries),
                    }
                )
        result["task"] = task_queries
        result["listed_by_department"] = listed
        transaction.set_rollback(True)
    department = [r for r in rows if r["kind"] == "department"]
    print(
        f"  {len(rows)} digests built: queries {sorted({r['queries'] for r in rows})}, "
        f"build median {median(r['build_ms'] for r in department)} ms "
        f"(max {max((r['build_ms'] for r in department), default=0)}), "
        f"MIME median {median(r['mime_ms'] for r in department)} ms, "
        f"size median {median(r['bytes'] for r in department)} bytes; "
        f"task queries {sorted({t['queries'] for t in task_queries})}",
        file=sys.stderr,
    )
    return result


# --- the SMTP sink --------------------------------------------------------------------------


def sink(port_file: Path, log_path: Path) -> None:
    """Accept every message on a free port of 127.0.0.1; one JSON line per message."""
    from email import policy
    from email.parser import BytesHeaderParser

    from aiosmtpd.controller import Controller

    class AnyPort(Controller):
        # Port 0: the system picks a free port, read back once the server listens.
        def _trigger_server(self):
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    log = log_path.open("a", encoding="utf-8", buffering=1)
    headers = BytesHeaderParser(policy=policy.default)

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            subject = headers.parsebytes(envelope.content)["Subject"]
            log.write(
                json.dumps(
                    {
                        "t": time.time(),
                        "to": list(envelope.rcpt_tos),
                        "bytes": len(envelope.content),
                        "subject": " ".join(str(subject or "").split()),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            return "250 OK"

    # Blocked before the server's thread starts, so that only sigwait below takes them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = AnyPort(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    partial = port_file.with_suffix(".tmp")
    partial.write_text(str(controller.port))
    partial.rename(port_file)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    log.close()


# --- digests through a real worker ----------------------------------------------------------


class RunMeter:
    """Who used the CPUs during the run, in core-seconds: the Celery worker (its main
    process and pool), PostgreSQL (this database), Redis, the SMTP sink, this process,
    and the rest of the machine."""

    def __init__(self, worker_pid: int, sink_pid: int) -> None:
        from bench import load as driver

        self.driver, self.worker_pid, self.sink_pid = driver, worker_pid, sink_pid

    def jiffies(self, pid: int) -> int:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return 0
        fields = raw[raw.rfind(")") + 2 :].split()
        return int(fields[11]) + int(fields[12])

    def __enter__(self) -> "RunMeter":
        self.wall = time.monotonic()
        self.busy = self.driver.busy_jiffies()
        self.before = self.driver.processes(self.worker_pid)
        self.sink0 = self.jiffies(self.sink_pid)
        self.self0 = resource.getrusage(resource.RUSAGE_SELF)
        return self

    def __exit__(self, *exc) -> None:
        hz = self.driver.HZ
        after = self.driver.processes(self.worker_pid)
        busy = (self.driver.busy_jiffies() - self.busy) / hz
        wall = time.monotonic() - self.wall
        me = resource.getrusage(resource.RUSAGE_SELF)
        used = {"worker": 0.0, "database": 0.0, "redis": 0.0}
        names = {"server": "worker", "database": "database", "redis": "redis"}
        for pid, (kind, jiffies) in after.items():
            if kind in names:
                used[names[kind]] += (jiffies - self.before.get(pid, (kind, 0))[1]) / hz
        used["sink"] = (self.jiffies(self.sink_pid) - self.sink0) / hz
        used["bench"] = (
            me.ru_utime + me.ru_stime - self.self0.ru_utime - self.self0.ru_stime
        )
        used["other"] = max(busy - sum(used.values()), 0.0)
        used["machine"] = busy
        self.seconds = {k: round(v, 2) for k, v in used.items()}
        self.cores = {k: round(v / wall, 2) for k, v in used.items()}
        self.wall_s = round(wall, 2)


def send(args) -> dict:
    """Enqueue the week's plan through Redis; wait until the worker sent every digest."""
    from django.utils import timezone

    from bench import load as driver
    from chamber.models import Official
    from publicity import tasks
    from publicity.models import DigestDelivery

    original = driver.postgres_database

    def database(pid):
        name = original(pid)
        if name == DATABASE:
            return "bench"
        return "other-bench" if name == "bench" else name

    driver.postgres_database = database
    week = week_start()
    weekly = DigestDelivery.objects.filter(week_start=week)
    if weekly.exists():
        raise SystemExit(f"digests of {week} exist already")
    sink_log = Path(args.sink_log)
    received_before = (
        len(sink_log.read_text(encoding="utf-8").splitlines())
        if sink_log.exists()
        else 0
    )
    timeline = []
    with RunMeter(args.worker_pid, args.sink_pid) as meter:
        t0 = time.time()
        tasks.plan_weekly_digests.delay(week.isoformat())
        enqueued = time.time() - t0
        deadline = time.monotonic() + args.timeout
        done = False
        while time.monotonic() < deadline:
            counts = delivery_counts(weekly)
            total = sum(counts.values())
            received = (
                len(sink_log.read_text(encoding="utf-8").splitlines()) - received_before
            )
            timeline.append(
                {"s": round(time.time() - t0, 2), **counts, "received": received}
            )
            if total and sum(counts.get(s, 0) for s in SETTLED) == total:
                done = True
                break
            time.sleep(args.poll)
    if not done:
        raise SystemExit(
            f"not every digest was sent in {args.timeout} s: {timeline[-1]}"
        )

    rows = delivery_rows(weekly)
    messages = [
        json.loads(line)
        for line in sink_log.read_text(encoding="utf-8").splitlines()[received_before:]
    ]
    start = datetime.fromtimestamp(t0, tz=timezone.get_current_timezone())

    def since(moment) -> float:
        return round((moment - start).total_seconds(), 2)

    sent = [r for r in rows if r["status"] == "sent"]
    per_digest = [
        (r["sent_at"] - r["claimed_at"]).total_seconds() * 1000
        for r in sent
        if r["claimed_at"] and r["sent_at"]
    ]
    recipients = [address for m in messages for address in m["to"]]
    planned = {r["official__user__email"] for r in rows}
    first_claim = min((r["claimed_at"] for r in sent if r["claimed_at"]), default=None)
    last_sent = max((r["sent_at"] for r in sent), default=None)
    arrivals = sorted(m["t"] - t0 for m in messages)
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    result = {
        "week_start": week.isoformat(),
        "worker_concurrency": args.concurrency,
        "officials": Official.objects.filter(department__isnull=False).count(),
        "deliveries": len(rows),
        "by_kind": kinds,
        "sent": len(sent),
        "failed": sum(1 for r in rows if r["status"] == "failed"),
        "retried": sum(1 for r in rows if r["attempts"] > 1),
        "enqueue_ms": round(enqueued * 1000, 1),
        "planned_s": since(min(r["created_at"] for r in rows)),
        "first_claim_s": since(first_claim) if first_claim else None,
        "first_received_s": round(arrivals[0], 2) if arrivals else None,
        "half_received_s": round(arrivals[len(arrivals) // 2], 2) if arrivals else None,
        "last_received_s": round(arrivals[-1], 2) if arrivals else None,
        "all_sent_s": since(last_sent) if last_sent else None,
        "digests_per_s": round(len(sent) / (last_sent - first_claim).total_seconds(), 1)
        if first_claim and last_sent and last_sent > first_claim
        else None,
        "per_digest_ms": {
            "median": median(per_digest),
            "p90": percentile(per_digest, 0.9),
            "p99": percentile(per_digest, 0.99),
            "max": round(max(per_digest), 1) if per_digest else None,
        },
        "sink": {
            "messages": len(messages),
            "recipients": len(recipients),
            "distinct_recipients": len(set(recipients)),
            "duplicates": len(recipients) - len(set(recipients)),
            "not_planned": sorted(set(recipients) - planned)[:10],
            "planned_not_received": len(
                {r["official__user__email"] for r in sent} - set(recipients)
            ),
            "bytes_median": median(m["bytes"] for m in messages),
            "bytes_max": max((m["bytes"] for m in messages), default=None),
            "bytes_total": sum(m["bytes"] for m in messages),
            "subjects": sorted({m["subject"] for m in messages})[:12],
        },
        "cpu_seconds": meter.seconds,
        "cpu_cores": meter.cores,
        "wall_s": meter.wall_s,
        "timeline": timeline,
    }
    cpu = meter.seconds
    result["cpu_ms_per_digest"] = {
        k: round(cpu[k] * 1000 / len(sent), 2) if sent else None
        for k in ("worker", "database", "redis", "sink")
    }
    print(
        f"  {len(sent)} of {len(rows)} sent ({result['failed']} failed, "
        f"{result['retried']} retried); planned at {result['planned_s']} s, "
        f"first message {result['first_received_s']} s, all sent {result['all_sent_s']} s "
        f"({result['digests_per_s']}/s); per digest median "
        f"{result['per_digest_ms']['median']} ms; sink {len(messages)} messages, "
        f"{result['sink']['duplicates']} duplicates; CPU s {cpu}",
        file=sys.stderr,
    )
    return result


# --- load -----------------------------------------------------------------------------------


def versions(workers: int, concurrency: int) -> dict:
    import aiosmtpd
    import celery
    import django
    import gunicorn

    def out(command):
        try:
            return subprocess.run(
                command, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    redis = out(["redis-cli", "info", "server"]).splitlines()
    return {
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "gunicorn_workers": workers,
        "gunicorn_worker_class": "sync",
        "celery": celery.__version__,
        "celery_worker": f"prefork, concurrency {concurrency}",
        "aiosmtpd": aiosmtpd.__version__,
        "postgresql": out(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                DATABASE,
                "-Atc",
                "show server_version",
            ]
        ),
        "redis": next(
            (
                line.split(":", 1)[1]
                for line in redis
                if line.startswith("redis_version:")
            ),
            "unknown",
        ),
        "git_commit": out(["git", "rev-parse", "--short", "HEAD"]) or "unknown",
        "git_dirty": bool(
            out(["git", "status", "--porcelain", "--untracked-files=no"])
        ),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
    }


def load(args) -> dict:
    """wrk on each page through bench/petitions.py's `load` (bench/load.py's functions)."""
    os.environ["BENCH_VERSIONS"] = json.dumps(versions(args.workers, args.concurrency))
    bench_petitions.DATABASE = DATABASE  # our backends count as the benchmark's
    result = bench_petitions.load(args)
    result["command"] = "bash bench/publicity.sh"
    return result


# --- report ---------------------------------------------------------------------------------


def fmt(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def report(path: Path) -> None:
    """The tables of docs/performance.md, section "Publicity", from a results file."""
    run = json.loads(path.read_text(encoding="utf-8"))
    if "load" in run:
        bench_petitions.report(path)  # the load table, as for the petitions
        print()
    if "queries" in run:
        print(
            "| page | as | status | queries | SQL ms | cache calls | bytes | chunks "
            "| 1 req ms | of which CPU ms |"
        )
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for row in run["queries"]["pages"]:
            print(
                f"| `{row['path']}` | {row['role']} | {row['status']} | {row['queries']} "
                f"| {row['sql_ms']:.2f} | {row['cache_calls']} | {row['bytes']:,} "
                f"| {fmt(row.get('chunks'), ',d')} "
                f"| {fmt(row.get('serial_wall_ms'), '.2f')} "
                f"| {fmt(row.get('serial_cpu_ms'), '.2f')} |"
            )
        print()
        print(json.dumps(run["queries"]["scale"], ensure_ascii=False))
        print()
    if "build" in run:
        build_ = run["build"]
        plan = build_["plan"]
        print(
            f"plan: {plan['deliveries']} deliveries {plan['by_kind']}, {plan['queries']} queries, "
            f"{plan['wall_ms']} ms ({plan['sql_ms']} ms SQL)"
        )
        print()
        print(
            "| digest | built | queries | SQL ms | cache calls | petitions listed (loaded) "
            "| build ms, median (max) "
            "| MIME ms | CPU ms | bytes, median (max) |"
        )
        print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        groups = {}
        for row in build_["digests"]:
            if row["kind"] == "leader":
                label = "leader (escalations)"
            else:
                label = "department, " + (
                    "English" if row["language"] == "en" else "Chinese"
                )
                if not row["include_articles"]:
                    label += ", no policies"
            groups.setdefault(label, []).append(row)
        for label, rows in sorted(groups.items()):
            listed = [r["petitions_listed"] for r in rows if r["petitions_listed"]]
            loaded = [r["petitions_loaded"] for r in rows if r.get("petitions_loaded")]
            print(
                f"| {label} | {len(rows)} | {'/'.join(str(q) for q in sorted({r['queries'] for r in rows}))} "
                f"| {median(r['sql_ms'] for r in rows)} "
                f"| {'/'.join(str(c) for c in sorted({r['cache_calls'] for r in rows}))} "
                f"| {f'{min(listed)}–{max(listed)}' if listed else '–'} "
                f"({f'{min(loaded)}–{max(loaded)}' if loaded else '–'}) "
                f"| {median(r['build_ms'] for r in rows)} ({max(r['build_ms'] for r in rows)}) "
                f"| {median(r['mime_ms'] for r in rows)} | {median(r['cpu_ms'] for r in rows)} "
                f"| {fmt(median(r['bytes'] for r in rows), ',.0f')} ({max(r['bytes'] for r in rows):,}) |"
            )
        print()
        print(
            "the outbox's sender (outbox.deliver, in-memory backend): queries "
            + ", ".join(
                f"{kind} {sorted({t['queries'] for t in build_['task'] if t['kind'] == kind})}"
                for kind in sorted({t["kind"] for t in build_["task"]})
            )
        )
        print()
    if "send" in run:
        s = run["send"]
        print(
            "| deliveries | sent | failed | retried | planned (s) | first message (s) "
            "| half (s) | all sent (s) | digests/s | per digest ms, median / p90 / max "
            "| received | duplicates |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        p = s["per_digest_ms"]
        print(
            f"| {s['deliveries']:,} {s['by_kind']} | {s['sent']:,} | {s['failed']} | {s['retried']} "
            f"| {s['planned_s']} | {s['first_received_s']} | {s['half_received_s']} "
            f"| {s['all_sent_s']} | {s['digests_per_s']} "
            f"| {p['median']} / {p['p90']} / {p['max']} "
            f"| {s['sink']['messages']:,} | {s['sink']['duplicates']} |"
        )
        print()
        print(f"CPU seconds during the run ({s['wall_s']} s): {s['cpu_seconds']}")
        print(f"CPU ms per digest: {s['cpu_ms_per_digest']}")
        print(
            f"sink: {s['sink']['bytes_total']:,} bytes, median {s['sink']['bytes_median']}, "
            f"max {s['sink']['bytes_max']}; not planned {s['sink']['not_planned']}, "
            f"sent but not received {s['sink']['planned_not_received']}"
        )
        for subject in s["sink"]["subjects"][:4]:
            print(f"  {subject}")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("data")
    d.add_argument("--petitions", type=int, default=50_000)
    d.add_argument("--articles", type=int, default=600)
    d.add_argument("--officials", type=int, default=1000)
    d.add_argument("--seed", type=int, default=9)
    p = sub.add_parser("pages")
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--out", type=Path)
    p.add_argument("--sessions", type=Path)
    b = sub.add_parser("build")
    b.add_argument("--sample", type=int, default=100)
    b.add_argument("--sends", type=int, default=20)
    b.add_argument("--out", type=Path)
    k = sub.add_parser("sink")
    k.add_argument("--port-file", type=Path, required=True)
    k.add_argument("--log", type=Path, required=True)
    s = sub.add_parser("send")
    s.add_argument("--sink-log", type=Path, required=True)
    s.add_argument("--worker-pid", type=int, required=True)
    s.add_argument("--sink-pid", type=int, required=True)
    s.add_argument("--concurrency", type=int)
    s.add_argument("--timeout", type=float, default=600)
    s.add_argument("--poll", type=float, default=0.25)
    s.add_argument("--out", type=Path)
    ld = sub.add_parser("load")
    ld.add_argument("--base", required=True)
    ld.add_argument("--sessions", type=Path, required=True)
    ld.add_argument("--queries", type=Path)
    ld.add_argument("--build", type=Path, help="build JSON, merged into --out")
    ld.add_argument("--send", type=Path, help="send JSON, merged into --out")
    ld.add_argument("--out", type=Path)
    ld.add_argument("--threads", type=int, default=2)
    ld.add_argument("--connections", type=int, default=8)
    ld.add_argument("--duration", type=int, default=10)
    ld.add_argument("--warmup", type=int, default=2)
    ld.add_argument("--server-pid", type=int)
    ld.add_argument("--workers", type=int)
    ld.add_argument("--concurrency", type=int)
    ld.add_argument("--attempts", type=int, default=3)
    ld.add_argument("--max-other", type=float, default=0.2)
    r = sub.add_parser("report")
    r.add_argument(
        "path", type=Path, nargs="?", default=ROOT / "bench/results/publicity.json"
    )
    args = parser.parse_args()

    if args.command == "sink":
        sink(args.port_file, args.log)
        return
    if args.command == "report":
        report(args.path)
        return
    if args.command == "load":
        args.base = args.base.rstrip("/")
        result = {"load": load(args)}
        for key in ("queries", "build", "send"):
            source = getattr(args, key)
            if source and source.exists():
                result[key] = json.loads(source.read_text(encoding="utf-8"))
        write_json(args.out, result)
        if args.out:
            report(args.out)
        return

    setup_django()
    if args.command == "data":
        data(args)
    elif args.command == "pages":
        result, sessions = pages(args.repeat)
        print(json.dumps(result["scale"], ensure_ascii=False), file=sys.stderr)
        write_json(args.out, result)
        write_json(args.sessions, sessions)
    elif args.command == "build":
        write_json(args.out, build(args.sample, args.sends))
    elif args.command == "send":
        write_json(args.out, send(args))


if __name__ == "__main__":
    main()
