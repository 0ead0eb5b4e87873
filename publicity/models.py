"""Publicity: articles (policies, exemplary firms, business stories, news) and the weekly
e-mail digests to officials.

The digests come first: every Monday, after the weekly dispatch of petitions, each official
with open petitions gets one e-mail of what waits for them. One DigestDelivery row per
recipient and week is claimed before sending, so a repeated task never sends twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.Model):
    """A kind of article (惠企政策, 优企案例, 西市商业风云, news); staff add more."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
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
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
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
        _("status"), max_length=12, choices=Status, default=Status.DRAFT
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


class DigestDelivery(models.Model):
    """One weekly digest to one official (or leader): claimed, sent, or failed after retries."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("department's petitions")
        LEADER = "leader", _("escalations to the leaders")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    official = models.ForeignKey(
        "chamber.Official",
        on_delete=models.PROTECT,
        related_name="digest_deliveries",
        verbose_name=_("official"),
    )
    week_start = models.DateField(_("week of"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-week_start", "official_id"]
        constraints = [
            # One digest per recipient, week and kind: a repeated step never sends twice.
            models.UniqueConstraint(
                fields=["official", "week_start", "kind"], name="one_digest_per_week"
            ),
        ]
        indexes = [
            # The staff dashboard lists the failed deliveries.
            models.Index(fields=["status", "week_start"], name="digest_status_week"),
        ]

    def __str__(self) -> str:
        return f"{self.official} · {self.week_start:%Y-%m-%d}"
