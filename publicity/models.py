"""Publicity: articles (policies, exemplary firms, business stories, news) and the weekly
e-mail digests to officials.

The digests come first: every Monday, after the weekly dispatch of petitions, each official
with open petitions gets one e-mail of what waits for them. One DigestDelivery row per
recipient and week is planned, and its e-mail handed to the outbox (chamber.outbox) in the
same transaction, so a repeated step never sends twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber.records import ImmutableRecord
from chamber.uploads import StoredUpload


class ArticleKind(models.Model):
    """A kind of article (惠企政策, 优企案例, 西市商业风云, news); staff add more."""

    code = models.SlugField(
        pgettext_lazy("identifier", "code"), max_length=30, unique=True
    )
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=30)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("article kind")
        verbose_name_plural = _("article kinds")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now()
        )


class Article(models.Model):
    """A piece of the publicity week: a policy that benefits firms, a firm's story, news."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    kind = models.ForeignKey(
        ArticleKind,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("kind"),
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    cover = models.ForeignKey(
        "Picture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover picture"),
    )
    awareness = models.ManyToManyField(
        "activities.Awareness",
        blank=True,
        related_name="articles",
        verbose_name=_("five kinds of awareness"),
    )
    enterprise = models.ForeignKey(
        "members.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("featured enterprise"),
    )
    campaign = models.ForeignKey(
        "activities.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("campaign"),
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=12,
        choices=Status,
        default=Status.DRAFT,
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A time in the future publishes it then."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        indexes = [
            # Lists of published articles by kind, newest first (and the digest's policies).
            models.Index(
                fields=["kind", "status", "published_at"], name="article_kind_published"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Whatever the editor (or an import) sends, only harmless HTML is stored.
        from publicity.html import sanitise

        self.body = sanitise(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publicity:article", args=[self.pk])


class DigestPreference(models.Model):
    """What an official wants in their weekly digest; the petitions part cannot be switched off."""

    official = models.OneToOneField(
        "chamber.Official",
        on_delete=models.CASCADE,
        related_name="digest_preference",
        verbose_name=_("official"),
    )
    include_articles = models.BooleanField(
        _("include the week's policies"),
        default=True,
        help_text=_("The petitions waiting for you are always in the digest."),
    )

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return str(self.official)


class OutboxDelivery(models.Model):
    """A planned e-mail (a digest, a month's news): pending until its message is written
    to the outbox (chamber.OutgoingMessage), which then tells whether it was sent; or
    nothing to send, when there was nothing left to say by then."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        IN_OUTBOX = "outbox", _("in the outbox")
        NOTHING = "nothing", _("nothing to send any more")

    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
    )
    message = models.OneToOneField(
        "chamber.OutgoingMessage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outgoing message"),
    )

    class Meta:
        abstract = True
        constraints = [
            # In the outbox exactly when its message is written.
            models.CheckConstraint(
                condition=models.Q(status="outbox", message__isnull=False)
                | (~models.Q(status="outbox") & models.Q(message__isnull=True)),
                name="%(class)s_in_outbox_has_message",
            ),
        ]

    @property
    def state(self) -> str:
        """What staff and the recipient read: the message's state once in the outbox
        (queued, sent, failed…); select `message` with the delivery."""
        if self.message_id is not None:
            return self.message.get_status_display()
        return self.get_status_display()


class DigestDelivery(OutboxDelivery):
    """One weekly digest to one official (or leader), handed to the outbox when planned."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("department's petitions")
        LEADER = "leader", _("escalations to the leaders")

    official = models.ForeignKey(
        "chamber.Official",
        on_delete=models.PROTECT,
        related_name="digest_deliveries",
        verbose_name=_("official"),
    )
    week_start = models.DateField(_("week of"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    class Meta(OutboxDelivery.Meta):
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-week_start", "official_id"]
        constraints = [
            *OutboxDelivery.Meta.constraints,
            # One digest per recipient, week and kind: a repeated step never sends twice.
            models.UniqueConstraint(
                fields=["official", "week_start", "kind"], name="one_digest_per_week"
            ),
        ]
        indexes = [
            # Planning hands the week's pending deliveries over; the staff dashboard
            # lists those never handed over.
            models.Index(fields=["status", "week_start"], name="digest_status_week"),
        ]

    def __str__(self) -> str:
        return f"{self.official} · {self.week_start:%Y-%m-%d}"


def _image_path(instance, filename: str) -> str:
    from chamber.uploads import random_upload_path

    return random_upload_path("publicity/images", filename)


def _showcase_photo_path(instance, filename: str) -> str:
    from chamber.uploads import random_upload_path

    return random_upload_path("publicity/showcases", filename)


class Picture(StoredUpload):
    """A picture of an article (its cover or one in its body), checked by content on upload.

    Served at an unguessable address (`key`), so a draft's pictures are not found by counting.
    """

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("picture"), upload_to=_image_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta(StoredUpload.Meta):
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")

    def get_absolute_url(self) -> str:
        return reverse("publicity:picture", args=[self.key])


class Showcase(models.Model):
    """An enterprise's public page: edited by its members, shown once staff approve it.

    The public sees the last approved text (`public_*`), so a member's pending edit never
    reaches the site before a member of staff has read it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    enterprise = models.OneToOneField(
        "members.Enterprise",
        on_delete=models.PROTECT,
        related_name="showcase",
        verbose_name=_("enterprise"),
    )
    introduction = models.TextField(_("introduction"), max_length=3000)
    products = models.TextField(_("products and services"), max_length=2000, blank=True)
    website = models.URLField(_("website"), blank=True)
    public_introduction = models.TextField(_("published introduction"), blank=True)
    public_products = models.TextField(_("published products"), blank=True)
    public_website = models.URLField(_("published website"), blank=True)
    is_listed = models.BooleanField(
        _("show on the public site"),
        default=True,
        help_text=_("Untick to take the page off the site at once."),
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.CharField(_("note from the staff"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise showcase")
        verbose_name_plural = _("enterprise showcases")
        ordering = ["enterprise__name"]

    def __str__(self) -> str:
        return str(self.enterprise)

    def get_absolute_url(self) -> str:
        return reverse("publicity:showcase", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.is_listed and self.approved_at is not None


class ShowcasePhoto(StoredUpload):
    """A photo of a showcase; public once staff approve the showcase it was sent with."""

    showcase = models.ForeignKey(
        Showcase,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("showcase"),
    )
    file = models.FileField(_("photo"), upload_to=_showcase_photo_path, max_length=200)
    is_approved = models.BooleanField(_("approved"), default=False)

    class Meta(StoredUpload.Meta):
        verbose_name = _("showcase photo")
        verbose_name_plural = _("showcase photos")

    def get_absolute_url(self) -> str:
        return reverse("publicity:showcase_photo", args=[self.pk])


class NewsSubscription(models.Model):
    """A member's wish for the monthly e-mail of new policies and coming activities."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="news_subscription",
        verbose_name=_("user"),
    )
    is_active = models.BooleanField(_("subscribed"), default=True)
    subscribed_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("news subscription")
        verbose_name_plural = _("news subscriptions")

    def __str__(self) -> str:
        return str(self.user)


class NewsletterDelivery(OutboxDelivery):
    """One monthly news e-mail to one member, handed to the outbox when planned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="newsletter_deliveries",
        verbose_name=_("user"),
    )
    month = models.DateField(_("month"))
    created_at = models.DateTimeField(
        _("planned at"), default=timezone.now, editable=False
    )

    class Meta(OutboxDelivery.Meta):
        verbose_name = _("monthly news delivery")
        verbose_name_plural = _("monthly news deliveries")
        ordering = ["-month", "user_id"]
        constraints = [
            *OutboxDelivery.Meta.constraints,
            models.UniqueConstraint(
                fields=["user", "month"], name="one_newsletter_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.month:%Y-%m}"


class TransparencySwitch(ImmutableRecord):
    """晾晒: a leader turns the public page of the departments' 三率 on or off. Each turn
    is a record (who, when); the latest says whether the page is public."""

    is_public = models.BooleanField(_("public"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("switched by"),
    )
    created_at = models.DateTimeField(
        _("switched at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("transparency switch")
        verbose_name_plural = _("transparency switches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.is_public}"
