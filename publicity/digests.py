"""The weekly e-mail digests to officials and leaders (STYLE B7, B8).

Monday's weekly dispatch of petitions (petitions.review) enqueues the task
"publicity.tasks.plan_weekly_digests" by name after it commits; `plan_weekly_digests`
then writes one DigestDelivery per recipient and week
(a unique row, so a second run plans nothing new) and enqueues one small task each. A task
claims its row before sending (a conditional update), so a redelivered task never sends
twice; a failed send gives the claim back for the retry, and after the last retry the row
shows as failed on the staff dashboard, where staff can send it again.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from chamber import workdays
from chamber.emails import make_message
from chamber.models import Official
from chamber.tasks import enqueue_after_commit
from petitions.models import Escalation, Petition, Section, section_q
from publicity import deliveries
from publicity.models import Article, DigestDelivery

POLICY_KIND = "policy"


# The leaders' digest lists the oldest open escalations; the page has them all.
LEADER_DIGEST_ROWS = 50


# What a department's digest lists, in its order: the sections of the official's queue
# that wait for the department (petitions.models.Section, one meaning everywhere).
DIGEST_SECTIONS = (Section.OVERDUE, Section.DUE_THIS_WEEK, Section.NEW)


def _listed_at(department_ref, on: date) -> Q:
    """What a department's digest lists on day `on` (`department_sections`)."""
    listed = Q()
    for section in DIGEST_SECTIONS:
        listed |= section_q(section, on)
    return Q(department_id=department_ref) & listed


@transaction.atomic
def plan_weekly_digests(*, week_start: date) -> list[int]:
    """Write the week's deliveries (officials whose department has something to list,
    leaders when something is escalated) and enqueue the pending ones after commit. Constant queries, whatever the
    number of officials; running it again plans nothing new and re-enqueues only what is
    still pending."""
    from publicity.tasks import send_weekly_digest

    officials = (
        Official.objects.filter(is_active=True, user__is_active=True)
        .exclude(user__email="")
        .filter(
            Q(department__isnull=False)
            & Exists(
                Petition.objects.filter(
                    _listed_at(
                        OuterRef("department_id"), max(week_start, timezone.localdate())
                    )
                )
            )
        )
        .values_list("pk", flat=True)
    )
    rows = [
        DigestDelivery(
            official_id=pk, week_start=week_start, kind=DigestDelivery.Kind.DEPARTMENT
        )
        for pk in officials
    ]
    if Escalation.objects.exclude(
        petition__status__in=Petition.ENDED_STATUSES
    ).exists():
        leaders = (
            Official.objects.filter(
                is_leader=True, is_active=True, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("pk", flat=True)
        )
        rows += [
            DigestDelivery(
                official_id=pk, week_start=week_start, kind=DigestDelivery.Kind.LEADER
            )
            for pk in leaders
        ]
    DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    pending = list(
        DigestDelivery.objects.filter(
            week_start=week_start,
            status=DigestDelivery.Status.PENDING,
            sent_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for pk in pending:
        enqueue_after_commit(send_weekly_digest, pk)
    return pending


def send_digest(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one delivery once, even if its task is delivered twice; True when this call sent it."""
    rows = DigestDelivery.objects.select_related(
        "official__user", "official__department"
    )
    return deliveries.send_once(rows, delivery_id, now=now, build=build_message)


def mark_failed(*, delivery_id: int, error: str) -> None:
    """After the last retry: the staff dashboard shows it, staff can send it again."""
    deliveries.mark_failed(DigestDelivery, delivery_id, error=error)


@transaction.atomic
def resend_digest(*, delivery: DigestDelivery) -> DigestDelivery:
    """Staff send a failed (or sent) digest again; a new task claims it."""
    from publicity.tasks import send_weekly_digest

    deliveries.reset_for_resend(delivery)
    enqueue_after_commit(send_weekly_digest, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def build_message(delivery: DigestDelivery, *, now: datetime):
    """The e-mail of one delivery in the recipient's language; None when nothing waits any more."""
    official, user = delivery.official, delivery.official.user
    on = timezone.localdate(now)
    if delivery.kind == DigestDelivery.Kind.LEADER:
        open_escalations = Escalation.objects.exclude(
            petition__status__in=Petition.ENDED_STATUSES
        )
        escalations = list(
            open_escalations.select_related(
                "petition", "petition__enterprise", "department"
            ).order_by("petition__created_at", "pk")[:LEADER_DIGEST_ROWS]
        )
        if not escalations:
            return None
        total = (
            len(escalations)
            if len(escalations) < LEADER_DIGEST_ROWS
            else open_escalations.count()
        )
        context = {
            "escalations": escalations,
            "total": total,
            "more": total - len(escalations),
            "path": reverse("petitions:escalations"),
        }
        return make_message(
            "leader-digest",
            [user.email],
            {"recipient": user, "delivery": delivery, **context},
            user.language,
        )
    sections = department_sections(department_id=official.department_id, on=on)
    if not any(sections.values()):
        return None
    include_articles = getattr(
        getattr(official, "digest_preference", None), "include_articles", True
    )
    policies = (
        list(
            Article.objects.published(now=now)
            .filter(
                kind__code=POLICY_KIND,
                published_at__gte=workdays.start_of_day(
                    delivery.week_start - timedelta(days=7)
                ),
            )
            .order_by("-published_at")[:10]
        )
        if include_articles
        else []
    )
    context = {
        "recipient": user,
        "delivery": delivery,
        "department": official.department,
        "sections": sections,
        # the official's queue heads its sections with the same words
        "headings": {section: capfirst(section.label) for section in DIGEST_SECTIONS},
        "policies": policies,
        "include_articles": include_articles,
        "path": reverse("petitions:department_queue"),
        "settings_path": reverse("publicity:digest_settings"),
    }
    return make_message("weekly-digest", [user.email], context, user.language)


def department_sections(*, department_id: int, on: date) -> dict[str, list]:
    """A department's petitions waiting for it, by `Section`: overdue, due this week,
    new (to sign for), as the official's queue shows them on day `on`.

    Each petition carries `working_days` (left, or overdue) and `reply_path` (straight to
    its page, where the reply form is). One query, whatever the number of petitions.
    """
    rows = list(
        Petition.objects.filter(_listed_at(department_id, on))
        .select_related("enterprise")
        .order_by("due_on", "pk")
    )
    sections = {section: [] for section in DIGEST_SECTIONS}
    if not rows:
        return sections
    counter = workdays.WorkingDayCounter(
        min(min(p.due_on for p in rows), on), max(max(p.due_on for p in rows), on)
    )
    for p in rows:
        p.reply_path = reverse("petitions:department_detail", args=[p.pk])
        if p.due_on < on:
            p.working_days = counter.between(p.due_on, on)
        else:
            p.working_days = counter.between(on, p.due_on)
        sections[p.section(on)].append(p)
    return sections
