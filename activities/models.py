"""Activities (活动): types and platforms as data, campaigns, numbered series, sign-up and attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber import method_kinds
from chamber.models import MethodKind
from chamber.uploads import random_upload_path
from groups.models import Scale


class ActivityType(models.Model):
    """A kind of activity (主题活动, 走访, 企业家会客厅, 会诊日, …); staff add new ones."""

    code = models.SlugField(
        pgettext_lazy("identifier", "code"), max_length=40, unique=True
    )
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=50)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Awareness(models.Model):
    """One of the five kinds of awareness (五种意识) an activity or article serves."""

    code = models.SlugField(
        pgettext_lazy("identifier", "code"), max_length=20, unique=True
    )
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=20)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("kind of awareness")
        verbose_name_plural = _("five kinds of awareness")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


def platform_kinds(*, active_only: bool = False) -> list[tuple[str, str]]:
    """The kinds of platform, a list of the method staff keep in the admin (+N), in the
    method's order: the base, stations, small chambers, the out-of-region chamber."""
    return method_kinds.choices(MethodKind.Group.PLATFORM_KIND, active_only=active_only)


def campaign_kinds(*, active_only: bool = False) -> list[tuple[str, str]]:
    """The kinds of campaign (publicity week, service month, …), kept by staff (+N)."""
    return method_kinds.choices(MethodKind.Group.CAMPAIGN_KIND, active_only=active_only)


class Platform(models.Model):
    """Where activities happen and who belongs: the base, stations, small chambers, the Yingkou chamber."""

    class Kind(models.TextChoices):
        BASE = "base", _("party-and-masses activity base")
        STATION = "station", _("activity station")
        SMALL_CHAMBER = "small_chamber", _("in-district small chamber")
        OUTSIDE_CHAMBER = "outside_chamber", _("out-of-region Yingkou chamber")

    class Founding(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("platform founding", "planned")
        PREPARING = "preparing", _("in preparation")
        FOUNDED = "founded", _("founded")

    kind = models.CharField(_("kind"), max_length=20, choices=platform_kinds)
    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=100, unique=True
    )
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    founding_status = models.CharField(
        _("founding status"), max_length=10, choices=Founding, blank=True
    )
    contacts = models.TextField(_("contacts"), max_length=1000, blank=True)
    enterprises = models.ManyToManyField(
        "members.Enterprise",
        blank=True,
        related_name="platforms",
        verbose_name=_("member enterprises"),
    )
    members = models.ManyToManyField(
        "members.Member",
        blank=True,
        related_name="platforms",
        verbose_name=_("members"),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:platform", args=[self.pk])


class Campaign(models.Model):
    """A publicity week or a service month that groups activities (and later articles)."""

    class Kind(models.TextChoices):
        PUBLICITY_WEEK = "publicity_week", _("enterprise publicity week")
        SERVICE_MONTH = "service_month", _("private economy service month")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=campaign_kinds)
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:campaign", args=[self.pk])


method_kinds.register(MethodKind.Group.PLATFORM_KIND, Platform.Kind.choices)
method_kinds.register(MethodKind.Group.CAMPAIGN_KIND, Campaign.Kind.choices)


class Series(models.Model):
    """A numbered series of sessions, such as the entrepreneurs' reception hall (第N期)."""

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=50, unique=True
    )
    description = models.TextField(_("description"), max_length=1000, blank=True)
    last_number = models.PositiveIntegerField(
        _("last number given"),
        default=0,
        help_text=_("Numbers are given in order and never reused."),
    )

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Activity.Status.PUBLISHED)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())


class Activity(models.Model):
    """An activity of the chamber: a visit, a themed event, a reception-hall session, a clinic."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(pgettext_lazy("activity name", "title"), max_length=200)
    type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=pgettext_lazy("activity type", "type"),
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("platform"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("series"),
    )
    session_number = models.PositiveIntegerField(
        _("session number"), null=True, blank=True, editable=False
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    organising_group = models.ForeignKey(
        "groups.ActivityGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organising group"),
    )
    organisers = models.ManyToManyField(
        "members.Member",
        blank=True,
        related_name="organised_activities",
        verbose_name=_("organisers"),
    )
    co_hosts = models.ManyToManyField(
        "chamber.Department",
        blank=True,
        related_name="co_hosted_activities",
        verbose_name=_("co-hosting departments"),
    )
    scale = models.CharField(
        _("scale"), max_length=10, choices=Scale, default=Scale.SMALL
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    signup_opens_at = models.DateTimeField(_("sign-up opens"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("sign-up closes"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    awareness = models.ManyToManyField(
        Awareness,
        blank=True,
        related_name="activities",
        verbose_name=_("kinds of awareness"),
    )
    is_public = models.BooleanField(_("shown on the public site"), default=True)
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
    )
    writeup = models.TextField(_("write-up"), max_length=10000, blank=True)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        indexes = [
            # Public and member lists show published activities by date.
            models.Index(fields=["status", "starts_at"], name="activity_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
            # A series number is given once (第N期), never to two sessions.
            models.UniqueConstraint(
                fields=["series", "session_number"],
                condition=Q(series__isnull=False),
                name="one_session_per_series_number",
            ),
        ]

    def __str__(self) -> str:
        if self.series_id and self.session_number:
            numbered = f"{self.series.name}（第{self.session_number}期）"
            return (
                numbered
                if self.title == self.series.name
                else f"{numbered}{self.title}"
            )
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])


# A member's home page keeps the card of their next activity in the cache
# (activities/templatetags/next_activity.py, chamber/pagecache.py); a registration
# saved or deleted forgets its member's card (activities.apps).
NEXT_ACTIVITY_FRAGMENT = "next-activity"


class Registration(models.Model):
    """A member's place at an activity, or their place on its waiting list."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("activity"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("member"),
    )
    # Empty: the member comes themself. Otherwise a colleague of their enterprise whom the
    # member signs up (the service month's sessions are for enterprises' staff too).
    attendee_name = models.CharField(
        _("attendee (a colleague)"), max_length=50, blank=True
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"), max_length=12, choices=Status
    )
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One live registration per member and activity: a double tap makes no second one.
            models.UniqueConstraint(
                fields=["activity", "member", "attendee_name"],
                condition=~Q(status="cancelled"),
                name="one_live_registration_per_attendee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attendee_name or self.member} · {self.activity}"


class Attendance(models.Model):
    """A member checked in at an activity (time-stamped); undoing it keeps the row, marked undone."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("activity"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("member"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=Q(undone_at__isnull=True),
                name="one_live_attendance_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.activity}"


def _photo_path(instance: "ActivityPhoto", filename: str) -> str:
    return random_upload_path("activities", filename)


class ActivityPhoto(models.Model):
    """A photo of the write-up after an activity, checked by content when uploaded."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("activity"),
    )
    image = models.FileField(_("photo"), upload_to=_photo_path, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(
        pgettext_lazy("file type", "type"), max_length=50, editable=False
    )
    size = models.PositiveIntegerField(
        pgettext_lazy("file size", "size"), editable=False, default=0
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(
        _("uploaded at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.activity} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("activities:photo", args=[self.pk])
