"""The members' monthly news: new policies and coming activities, for members who ask.

A member subscribes on their page (NewsSubscription). On the first of each month beat runs
`plan_monthly_news`: when the month has something to say (policies published the month
before, public activities coming this month) it writes one NewsletterDelivery per
subscriber who is still a member and has an address (a unique row per user and month, so
a second run plans nothing new) and enqueues one small task each. A task claims its row
before sending, as the weekly digests do (publicity/digests.py), so a redelivered task
never sends twice.

Every e-mail carries a signed link that unsubscribes without logging in, also named in
the List-Unsubscribe header; with an https site the mail programs' one-click button
(RFC 8058, List-Unsubscribe-Post) posts to the same address.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from chamber.emails import make_message
from chamber.models import User
from chamber.roles import roles_of
from chamber.tasks import enqueue_after_commit
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


def unsubscribe(*, user: User, now: datetime | None = None) -> bool:
    """Stop the monthly news; True when this call stopped it (False: it was not running)."""
    return bool(
        NewsSubscription.objects.filter(user=user, is_active=True).update(
            is_active=False, unsubscribed_at=now or timezone.now()
        )
    )


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
    return (
        User.objects.filter(
            is_active=True,
            news_subscription__is_active=True,
            member__isnull=False,
        )
        .exclude(member__enterprise__status=Enterprise.Status.LEFT)
        .exclude(email="")
    )


# --- planning and sending -----------------------------------------------------------------------


@transaction.atomic
def plan_monthly_news(*, month: date, now: datetime | None = None) -> list[int]:
    """Write the month's deliveries and enqueue the pending ones after commit.

    A month with nothing new plans nothing. Constant queries, whatever the number of
    subscribers; running it again plans nothing new and re-enqueues only what is still
    pending.
    """
    from publicity.tasks import send_monthly_news

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
    pending = list(
        NewsletterDelivery.objects.filter(
            month=month,
            status=NewsletterDelivery.Status.PENDING,
            sent_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for pk in pending:
        enqueue_after_commit(send_monthly_news, pk)
    return pending


def send_news(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one delivery once, even if its task is delivered twice; True when this call sent it.

    Without a message (unsubscribed since, or nothing left to tell) the row ends as
    "nothing to send any more"."""
    rows = NewsletterDelivery.objects.select_related(
        "user__news_subscription", "user__member__enterprise"
    )
    return deliveries.send_once(rows, delivery_id, now=now, build=build_message)


def mark_failed(*, delivery_id: int, error: str) -> None:
    """After the last retry: the row shows as failed in the admin, where staff resend it."""
    deliveries.mark_failed(NewsletterDelivery, delivery_id, error=error)


@transaction.atomic
def resend_news(*, delivery: NewsletterDelivery) -> NewsletterDelivery:
    """Staff send a month's news to one member again; a new task claims it."""
    from publicity.tasks import send_monthly_news

    deliveries.reset_for_resend(delivery)
    enqueue_after_commit(send_monthly_news, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def build_message(
    delivery: NewsletterDelivery, *, now: datetime
) -> EmailMultiAlternatives | None:
    """The e-mail of one delivery in the member's language; None when it is no longer wanted
    (unsubscribed, no longer a member) or the month has nothing left to tell."""
    user = delivery.user
    if not (
        user.is_active
        and user.email
        and is_subscribed(user)
        and roles_of(user).member is not None
    ):
        return None
    contents = month_contents(month=delivery.month, now=now)
    if not contents:
        return None
    url = unsubscribe_url(user)
    context = {
        "recipient": user,
        "delivery": delivery,
        "previous_month": _previous_month(delivery.month),
        "policies": contents.policies,
        "activities": contents.activities,
        "policies_path": reverse("publicity:kind", args=[POLICY_KIND]),
        "activities_path": reverse("activities:list"),
        "settings_path": reverse("publicity:news_settings"),
        "unsubscribe_url": url,
    }
    message = make_message("monthly-news", [user.email], context, user.language)
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    # RFC 8058: mail programs post to the link themselves only when it is https.
    if url.startswith("https://"):
        message.extra_headers["List-Unsubscribe-Post"] = ONE_CLICK
    return message
