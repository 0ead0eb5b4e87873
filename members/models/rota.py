"""The representatives' weekly duty rota (轮周坐班), swaps, reminders, feeds and the duty log."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from chamber import workdays
from chamber.records import ImmutableRecord
from chamber.uploads import StoredUpload, random_upload_path
from members.models.people import Enterprise, Member


class DutyStudio(models.Model):
    """The representatives' studio (代表人士工作室) where the representative on duty sits."""

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("duty studio")
        verbose_name_plural = _("duty studio")

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class WeekSpan:
    """A duty week's first and last working day, written one way on every page and e-mail:
    "2026-03-02 to 03-06" (the year again only when the week runs into the next)."""

    first: date
    last: date

    @property
    def first_text(self) -> str:
        return f"{self.first:%Y-%m-%d}"

    @property
    def last_text(self) -> str:
        same_year = self.last.year == self.first.year
        return f"{self.last:%m-%d}" if same_year else f"{self.last:%Y-%m-%d}"

    def __str__(self) -> str:
        return gettext("%(first)s to %(last)s") % {
            "first": self.first_text,
            "last": self.last_text,
        }


class DutyShiftQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(week_start__year=year)

    def between(self, first: date, last: date):
        """Shifts whose week starts from `first` to `last`."""
        return self.filter(week_start__range=(first, last))


class DutyShift(models.Model):
    """One duty week: the representative who sits in the studio on its working days."""

    class Source(models.TextChoices):
        GENERATED = "generated", _("generated")
        MANUAL = "manual", _("set by staff")
        SWAP = "swap", _("swapped")

    week_start = models.DateField(_("week of"), unique=True, help_text=_("The Monday."))
    first_day = models.DateField(_("first working day"))
    last_day = models.DateField(_("last working day"))
    representative = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_shifts",
        verbose_name=_("representative"),
    )
    source = models.CharField(
        _("assigned by"), max_length=10, choices=Source, default=Source.GENERATED
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["week_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day"))
                & models.Q(first_day__gte=models.F("week_start")),
                name="shift_days_inside_week",
            )
        ]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def span(self) -> WeekSpan:
        """The working days of the week by today's calendar (chamber.workdays), as shown."""
        found = workdays.week_span(self.week_start)
        return WeekSpan(*found) if found else WeekSpan(self.first_day, self.last_day)

    def has_started(self, on: date) -> bool:
        return self.first_day <= on

    def is_fixed(self, on: date) -> bool:
        """Kept when the rota is generated again: served, started, swapped or set by staff."""
        return self.has_started(on) or self.source != self.Source.GENERATED


class ShiftChange(ImmutableRecord):
    """One immutable step in a shift's history: who was on duty before and after, and why."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("generated")
        MANUAL = "manual", _("changed by staff")
        SWAP = "swap", _("swapped")

    shift = models.ForeignKey(
        DutyShift,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("shift"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    from_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )  # null = the system
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("shift change")
        verbose_name_plural = _("shift changes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.shift} {self.get_kind_display()}"


class Unavailability(models.Model):
    """Days a representative has declared they cannot sit in the studio."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="unavailabilities",
        verbose_name=_("representative"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="unavailability_ends_after_start",
                violation_error_message=_(
                    "The last day cannot be before the first day."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class SwapRequest(models.Model):
    """A representative asks another to take their duty week."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a taker")
        ACCEPTED = "accepted", _("taken")
        LAPSED = "lapsed", _("lapsed")
        CANCELLED = "cancelled", _("withdrawn")

    shift = models.ForeignKey(
        DutyShift,
        on_delete=models.PROTECT,
        related_name="swap_requests",
        verbose_name=_("shift"),
    )
    requested_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.OPEN,
    )
    accepted_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    created_at = models.DateTimeField(
        _("asked at"), default=timezone.now, editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at"]
        constraints = [
            # A second request for the same week would let two takers win.
            models.UniqueConstraint(
                fields=["shift"],
                condition=models.Q(status="open"),
                name="one_open_swap_per_shift",
                violation_error_message=_(
                    "This week already has an open swap request."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.get_status_display()}"


class ShiftReminder(models.Model):
    """A duty reminder planned for one representative, shift and kind; its message is the
    outbox's `rota-reminder:<pk>`, so it is sent once whatever the retries."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week_before", _("a week before")
        LAST_WORKING_DAY = "last_day", _("on the last working day before")
        SWAP_LAPSED = "swap_lapsed", _("swap request lapsed")

    shift = models.ForeignKey(
        DutyShift, on_delete=models.CASCADE, related_name="reminders"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("shift reminder")
        verbose_name_plural = _("shift reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "member", "kind"],
                name="one_reminder_per_shift_member_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.kind}"


class CalendarFeed(models.Model):
    """A private calendar (iCalendar) link; only the hash of its secret token is stored."""

    class Kind(models.TextChoices):
        MY_SHIFTS = "my_shifts", _("my duty weeks")
        WHOLE_ROTA = "whole_rota", _("the whole rota")
        MY_ACTIVITIES = "my_activities", _("my activities")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_user_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()}"


class DutyLogEntry(models.Model):
    """A visitor received by the representative on duty, and the appeal (诉求) they brought.

    An entry with an appeal becomes a petition from the channel "duty studio" once the
    petitions app exists; that app owns the link (a key to this entry), not this one.
    """

    shift = models.ForeignKey(
        DutyShift,
        on_delete=models.PROTECT,
        related_name="log_entries",
        verbose_name=_("duty week"),
    )
    visitor_name = models.CharField(_("visitor"), max_length=50)
    visitor_enterprise = models.CharField(
        _("visitor's enterprise"), max_length=100, blank=True
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_log_entries",
        verbose_name=_("member enterprise"),
    )
    visitor_phone = models.CharField(_("visitor's phone"), max_length=30, blank=True)
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    subject = models.CharField(_("what about"), max_length=200)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    appeal = models.TextField(
        _("appeal"),
        max_length=5000,
        blank=True,
        help_text=_(
            "What the visitor asks the chamber or the government to do, if anything."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(
        _("recorded at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["-visited_at", "-pk"]
        indexes = [
            # Staff list the log newest first, filtered by week.
            models.Index(fields=["shift", "visited_at"], name="dutylog_shift_visited"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_name} · {self.subject}"

    @property
    def has_appeal(self) -> bool:
        return bool(self.appeal.strip())


def _attachment_path(instance: "DutyLogAttachment", filename: str) -> str:
    return random_upload_path("duty-log", filename)


class DutyLogAttachment(StoredUpload):
    """A file brought by a visitor (a letter, a photo, an opinion form), checked by content."""

    entry = models.ForeignKey(
        DutyLogEntry,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("duty log entry"),
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)

    class Meta(StoredUpload.Meta):
        pass
