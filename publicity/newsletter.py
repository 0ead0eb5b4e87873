"""The members' monthly news: new policies and coming activities, for members who ask.

A member subscribes on their page (NewsSubscription). On the first of each month beat runs
`plan_monthly_news`: when the month has something to say (policies published the month
before, public activities coming this month) it writes one NewsletterDelivery per
subscriber who is still a member and has an address (a unique row per user and month, so
a second run plans nothing new) and, in the same transaction, hands each one's e-mail to
the outbox, as the weekly digests do (publicity/deliveries.py): the outbox sends it once.

Every e-mail carries a signed link that unsubscribes without logging in; the page behind
it also takes the mail programs' one-click post (RFC 8058, List-Unsubscribe-Post).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from chamber import outbox
from chamber.models import OutgoingMessage, User
from chamber.roles import roles_of
from chamber.workdays import start_of_day
from members.models import Enterprise
from publicity import deliveries
from publicity.models import Article, NewsletterDelivery, NewsSubscription

POLICY_KIND = "policy"
# The e-mail lists at most this many of each; the rest are a click away on the site.
MAX_POLICIES = 30
MAX_ACTIVITIES = 30
UNSUBSCRIBE_SALT = "publicity.newsletter.unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class MonthContents:
    """What one month's e-mail tells: last month's policies, this month's activities."""

    policies: list[Article]
    activities: list[Activity]

    def __bool__(self) -> bool:
        return bool(self.policies or self.activities)


# --- subscribing ----------------------------------------------------------------------------


@transaction.atomic
def subscribe(*, user: User, now: datetime | None = None) -> NewsSubscription:
    """Ask for the monthly news; subscribing again after leaving starts a new subscription."""
    now = now or timezone.now()
    subscription, created = NewsSubscription.objects.select_for_update().get_or_create(
        user=user, defaults={"subscribed_at": now}
    )
    if not created and not subscription.is_active:
        subscription.is_active = True
        subscription.subscribed_at = now
        subscription.unsubscribed_at = None
        subscription.save(
            update_fields=["is_active", "subscribed_at", "unsubscribed_at"]
        )
    return subscription


@transaction.atomic
def unsubscribe(*, user: User, now: datetime | None = None) -> bool:
    """Stop the monthly news; True when this call stopped it (False: it was not running).

    A month's e-mail still waiting in the outbox is cancelled too."""
    stopped = NewsSubscription.objects.filter(user=user, is_active=True).update(
        is_active=False, unsubscribed_at=now or timezone.now()
    )
    if stopped:
        outbox.cancel(
            OutgoingMessage.objects.filter(
                pk__in=NewsletterDelivery.objects.filter(
                    user=user, message__isnull=False
                ).values("message")
            )
        )
    return bool(stopped)


def is_subscribed(user: User) -> bool:
    subscription = getattr(user, "news_subscription", None)
    return subscription is not None and subscription.is_active


# --- the signed link ----------------------------------------------------------------------------


def unsubscribe_token(user: User) -> str:
    """A token naming the user, signed with the site's key and a salt of its own.

    It has no expiry: the link in a years-old e-mail must still stop the e-mails. Using it
    twice changes nothing the second time.
    """
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_token(token: str) -> User | None:
    """The user a token names, or None when it was altered, cut short or signed elsewhere."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return User.objects.select_related("news_subscription").filter(pk=pk).first()


def unsubscribe_url(user: User) -> str:
    """The absolute address of the user's unsubscribe page (e-mails have no request)."""
    path = reverse("publicity:news_unsubscribe", args=[unsubscribe_token(user)])
    return settings.SITE_URL + path


def masked_email(address: str) -> str:
    """w***@example.com: enough for its owner to recognise, little for anyone else."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else ""


# --- what a month's e-mail says --------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def month_contents(*, month: date, now: datetime | None = None) -> MonthContents:
    """The e-mail of `month` (its first day): the policies published in the month before,
    and the published public activities of `month` that have not started yet. Two queries.

    Calendar months do not overlap, so a policy is in exactly one month's e-mail, whenever
    in the month the e-mail goes out.
    """
    now = now or timezone.now()
    month = month_of(month)
    begins = start_of_day(month)
    policies = list(
        Article.objects.published(now=now)
        .filter(
            kind__code=POLICY_KIND,
            published_at__gte=start_of_day(_previous_month(month)),
            published_at__lt=begins,
        )
        .order_by("-published_at", "-pk")[:MAX_POLICIES]
    )
    activities = list(
        Activity.objects.published()
        .filter(
            is_public=True,
            starts_at__gte=max(begins, now),
            starts_at__lt=start_of_day(_next_month(month)),
        )
        .select_related("series", "platform")
        .order_by("starts_at", "pk")[:MAX_ACTIVITIES]
    )
    return MonthContents(policies=policies, activities=activities)


def subscribers() -> QuerySet[User]:
    """Users who get the monthly news: subscribed, still members, active, with an address."""
    return User.objects.filter(
        is_active=True,
        news_subscription__is_active=True,
        member__enterprise__status__in=Enterprise.MEMBER_STATUSES,
    ).exclude(email="")


# --- planning and sending -----------------------------------------------------------------------


@transaction.atomic
def plan_monthly_news(*, month: date, now: datetime | None = None) -> list[int]:
    """Write the month's deliveries and hand the pending ones to the outbox.

    A month with nothing new plans nothing. One transaction, constant queries whatever
    the number of subscribers; running it again plans nothing new and hands over only
    what is still pending. Returns the deliveries handed over now.
    """
    now = now or timezone.now()
    month = month_of(month)
    if not month_contents(month=month, now=now):
        return []
    NewsletterDelivery.objects.bulk_create(
        [
            NewsletterDelivery(user_id=pk, month=month)
            for pk in subscribers().values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    pending = list(_pending().filter(month=month))
    _hand_over(pending, now=now)
    return [d.pk for d in pending]


@transaction.atomic
def hand_over_news(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Hand one pending delivery's e-mail to the outbox; True when a message was
    written. Without one (unsubscribed since, or nothing left to tell) the row ends as
    "nothing to send any more"; one handed over already is left alone."""
    pending = list(_pending().filter(pk=delivery_id))
    return bool(_hand_over(pending, now=now or timezone.now()))


@transaction.atomic
def resend_news(*, delivery: NewsletterDelivery, now: datetime | None = None) -> int:
    """Staff send a month's news to one member again: its failed or cancelled message
    goes out once more through the outbox; one never handed over is handed over now.
    Never to a member who unsubscribed. Returns how many messages were queued."""
    if not is_subscribed(delivery.user):
        return 0
    if delivery.message_id is not None:
        return outbox.resend(OutgoingMessage.objects.filter(pk=delivery.message_id))
    return int(hand_over_news(delivery_id=delivery.pk, now=now))


def _pending() -> QuerySet[NewsletterDelivery]:
    """Deliveries not handed over yet, locked, with what their e-mail reads."""
    return (
        NewsletterDelivery.objects.filter(status=NewsletterDelivery.Status.PENDING)
        .select_related("user__news_subscription", "user__member__enterprise")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def _hand_over(pending: list[NewsletterDelivery], *, now: datetime) -> list[int]:
    return deliveries.hand_over(
        pending,
        build_messages(pending, now=now),
        key="monthly-news:",
        recipient=lambda delivery: delivery.user,
    )


def build_messages(
    rows: list[NewsletterDelivery], *, now: datetime
) -> dict[int, deliveries.Built]:
    """The e-mail of each delivery (its template and context, by the delivery's id); None
    when it is no longer wanted (unsubscribed, no longer a member) or the month has
    nothing left to tell. Each month's contents are read once, whatever the number."""
    contents: dict[date, MonthContents] = {}
    built: dict[int, deliveries.Built] = {}
    for delivery in rows:
        user = delivery.user
        if delivery.month not in contents:
            contents[delivery.month] = month_contents(month=delivery.month, now=now)
        told = contents[delivery.month]
        wanted = (
            user.is_active
            and user.email
            and is_subscribed(user)
            and roles_of(user).member is not None
        )
        if not (wanted and told):
            built[delivery.pk] = None
            continue
        url = unsubscribe_url(user)
        headers = {"List-Unsubscribe": f"<{url}>"}
        # RFC 8058: mail programs post to the link themselves only when it is https.
        if url.startswith("https://"):
            headers["List-Unsubscribe-Post"] = ONE_CLICK
        built[delivery.pk] = (
            "monthly-news",
            {
                "delivery": delivery,
                "previous_month": _previous_month(delivery.month),
                "policies": told.policies,
                "activities": told.activities,
                "policies_path": reverse("publicity:kind", args=[POLICY_KIND]),
                "activities_path": reverse("activities:list"),
                "settings_path": reverse("publicity:news_settings"),
                "unsubscribe_url": url,
            },
            headers,
        )
    return built


def build_message(delivery: NewsletterDelivery, *, now: datetime) -> deliveries.Built:
    """The e-mail of one delivery (its template and context); None when it is no longer
    wanted or the month has nothing left to tell."""
    return build_messages([delivery], now=now)[delivery.pk]
