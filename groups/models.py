"""Activity groups per year (组别负责制), the points ledger that opens at 100, and awards."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from chamber.records import ImmutableRecord

# Every member opens each year at this balance (以百分为起点).
OPENING_POINTS = 100


class Scale(models.TextChoices):
    """How big an activity is; rules and the yearly group duty depend on it."""

    LARGE = "large", _("large")
    MEDIUM = "medium", _("medium")
    SMALL = "small", _("small")


class ActivityGroup(models.Model):
    """A group of member enterprises for one year (第1小组, 第2小组, …)."""

    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=50, blank=True
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("activity group")
        verbose_name_plural = _("activity groups")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], name="one_group_number_per_year"
            )
        ]

    def __str__(self) -> str:
        label = _("Group %(n)d") % {"n": self.number}
        return f"{self.year} {label}{f' · {self.name}' if self.name else ''}"

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    @property
    def label(self) -> str:
        return str(_("Group %(n)d") % {"n": self.number})


class GroupMembership(models.Model):
    """A member's place in one group for a year; a member belongs to exactly one group a year."""

    group = models.ForeignKey(
        ActivityGroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("group"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("member"),
    )
    year = models.PositiveIntegerField(_("year"), editable=False)
    is_leader = models.BooleanField(_("group leader"), default=False)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["-is_leader", "member__user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                name="one_group_per_member_per_year",
                violation_error_message=_(
                    "This member is already in a group that year."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.group}"

    def save(self, *args, **kwargs) -> None:
        # The year is the group's; stored here so the database can keep one group a year.
        self.year = self.group.year
        super().save(*args, **kwargs)


class PointRuleQuerySet(models.QuerySet):
    def active_in(self, year: int):
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=year),
            Q(active_until__isnull=True) | Q(active_until__gte=year),
        )


class PointRule(models.Model):
    """A way to earn (or lose) points; staff add rules as data (the "+N" of the method)."""

    class AppliesTo(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        PARTICIPANT = "participant", _("participant")
        GROUP = "group", _("every member of the organising group")
        MANUAL = "manual", _("manual award by staff")

    code = models.SlugField(
        pgettext_lazy("identifier", "code"), max_length=40, unique=True
    )
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=100)
    points = models.IntegerField(_("points"), help_text=_("May be negative."))
    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo)
    scale = models.CharField(
        _("activity scale"),
        max_length=10,
        choices=Scale,
        blank=True,
        help_text=_("Leave empty for any scale."),
    )
    activity_type_code = models.SlugField(
        _("activity type code"),
        max_length=40,
        blank=True,
        help_text=_("The code of an activity type, or empty for any type."),
    )
    active_from = models.PositiveIntegerField(_("from year"), null=True, blank=True)
    active_until = models.PositiveIntegerField(_("until year"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return pgettext("punctuation", "%(text)s (%(aside)s)") % {
            "text": self.name,
            "aside": f"{self.points:+d}",
        }


class PointsEntry(ImmutableRecord):
    """One line of a member's points for a year: never edited or deleted; corrected by a reversal."""

    class Source(models.TextChoices):
        ACTIVITY = "activity", _("activity")
        MANUAL = "manual", _("manual award")
        CORRECTION = "correction", _("correction")

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="points_entries",
        verbose_name=_("member"),
    )
    year = models.PositiveIntegerField(_("year"))
    rule = models.ForeignKey(
        PointRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("rule"),
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=12, choices=Source)
    # The activity (or other object) that earned the points: an id, not a key, so the
    # ledger does not depend on the activities app, which depends on it.
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_label = models.CharField(_("from"), max_length=200, blank=True)
    # 0 for the first award of a rule for a source; 1 after that award was reversed and
    # earned again (an attendance undone, then marked again), and so on.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0, editable=False)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )  # null = the system
    created_at = models.DateTimeField(
        _("recorded at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["created_at", "pk"]
        indexes = [
            # Standings sum a year's entries per member.
            models.Index(fields=["year", "member"], name="points_year_member"),
        ]
        constraints = [
            # A double submit or a retried task cannot award the same thing twice.
            models.UniqueConstraint(
                fields=["member", "year", "rule", "source", "source_id", "attempt"],
                condition=Q(
                    rule__isnull=False, source_id__isnull=False, reverses__isnull=True
                ),
                name="one_award_per_rule_member_source",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="points_entry_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d} {self.reason}"


class AwardKind(models.Model):
    """A year-end award (最具活力组, 优秀会员, …); staff add kinds as data."""

    class For(models.TextChoices):
        GROUP = "group", _("a group")
        MEMBER = "member", _("a member")

    class RankBy(models.TextChoices):
        TOTAL = "total", _("total points")
        AVERAGE = "average", _("average points per member")

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=50, unique=True
    )
    awarded_to = models.CharField(_("awarded to"), max_length=10, choices=For)
    rank_by = models.CharField(
        _("ranked by"), max_length=10, choices=RankBy, default=RankBy.TOTAL
    )
    winners = models.PositiveIntegerField(_("number of winners"), default=1)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("award kind")
        verbose_name_plural = _("award kinds")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    """A confirmed winner of an award for a year; published awards are public."""

    kind = models.ForeignKey(
        AwardKind,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("award"),
    )
    year = models.PositiveIntegerField(_("year"))
    group = models.ForeignKey(
        ActivityGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("group"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("member"),
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    override_reason = models.CharField(
        _("why not the proposed candidate"), max_length=200, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-year", "kind__sort_order", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, member__isnull=True)
                | Q(group__isnull=True, member__isnull=False),
                name="award_goes_to_a_group_or_a_member",
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "group"],
                condition=Q(group__isnull=False),
                name="one_award_per_kind_year_group",
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "member"],
                condition=Q(member__isnull=False),
                name="one_award_per_kind_year_member",
            ),
        ]

    def __str__(self) -> str:
        return pgettext("punctuation", "%(label)s: %(value)s") % {
            "label": f"{self.year} {self.kind}",
            "value": self.group or self.member,
        }


class CertificateBatch(models.Model):
    """All certificates of a year's published awards as one PDF, made by a task."""

    year = models.PositiveIntegerField(_("year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(
        _("requested at"), default=timezone.now, editable=False
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    content = models.BinaryField(_("PDF"), editable=False, default=b"")
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("batch of certificates")
        verbose_name_plural = _("batches of certificates")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} · {timezone.localtime(self.requested_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("groups:certificate_batch", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.finished_at is not None and not self.error
