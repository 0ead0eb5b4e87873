"""Enterprise petitions (诉求): intake, triage, dispatch, replies, ratings and the review cycle.

A petition moves through its states only by the services in petitions/services/, and
every move writes one immutable PetitionEvent. A database constraint keeps any petition
from ending (closed, rejected, merged) without an answer to the enterprise, so
事事有着落、件件有回音 holds even for a raw queryset update.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber import method_kinds
from chamber.models import MethodKind
from chamber.records import ImmutableQuerySet, ImmutableRecord
from chamber.times import beijing_date, beijing_minute
from chamber.uploads import StoredUpload, random_upload_path


class Category(models.Model):
    """What a petition is about (financing, land, approvals…), with its time limits; staff add more."""

    code = models.SlugField(
        pgettext_lazy("identifier", "code"), max_length=30, unique=True
    )
    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=30, unique=True
    )
    working_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"),
        default=10,
        help_text=_("Working days a department has to reply to a normal petition."),
    )
    urgent_working_days = models.PositiveSmallIntegerField(
        _("time limit when urgent (working days)"),
        default=3,
        help_text=_("Working days a department has to reply to an urgent petition."),
    )
    is_active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_("Unticked: no longer offered to members."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("petition category")
        verbose_name_plural = _("petition categories")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent_working_days__gte=1)
                & Q(urgent_working_days__lte=models.F("working_days")),
                name="category_urgent_limit_is_shorter",
                violation_error_message=_(
                    "The urgent time limit must be at least one working day and no "
                    "longer than the normal one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def limit(self, priority: str) -> int:
        """The time limit in working days for a petition of this priority."""
        if priority == Petition.Priority.URGENT:
            return self.urgent_working_days
        return self.working_days


class RateTargetQuerySet(models.QuerySet):
    def as_dict(self) -> dict[str, int]:
        """Each rate's target in percent, by the reports' key ("response_rate"…); a rate
        whose row is missing keeps its default. One query."""
        found = dict(self.values_list("rate", "percent"))
        return {
            rate: found.get(rate, default)
            for rate, default in RateTarget.DEFAULTS.items()
        }


class RateTarget(models.Model):
    """What the chamber expects of each department in a month, one row per rate of the
    三率, in percent: a department below any of them is listed for the leaders. Data
    staff edit in the admin (the admin's history records who changed it)."""

    class Rate(models.TextChoices):
        RESPONSE = "response_rate", _("response rate")
        RESOLUTION = "resolution_rate", _("resolution rate")
        SATISFACTION = "satisfaction_rate", _("satisfaction rate")

    DEFAULTS = {
        Rate.RESPONSE.value: 90,
        Rate.RESOLUTION.value: 80,
        Rate.SATISFACTION.value: 90,
    }

    rate = models.CharField(_("rate"), max_length=20, choices=Rate, unique=True)
    percent = models.PositiveSmallIntegerField(
        _("target (%)"),
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A department below this rate in a month is listed for the leaders."
        ),
    )

    objects = RateTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target of a rate")
        verbose_name_plural = _("targets of the three rates")
        ordering = ["rate"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="rate_target_is_a_percentage",
                violation_error_message=_("A target is a percentage, 100 at most."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rate_display()} {self.percent}%"


class NumberSequence(models.Model):
    """The last petition number given in a year; locked while a number is taken."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("petition number sequence")
        verbose_name_plural = _("petition number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class IntakeBatch(models.Model):
    """Many petitions entered at once (a consultation day's forms); the key makes it idempotent."""

    key = models.CharField(_("batch key"), max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=20)
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    source = models.CharField(_("source"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    size = models.PositiveIntegerField(_("petitions"), default=0)
    created_at = models.DateTimeField(
        _("entered at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        day = beijing_date(self.created_at)
        return f"{day:%Y-%m-%d} · {self.source or self.key[:8]}"


# What an enterprise's members see of its petitions is kept in the cache
# (chamber/pagecache.py): the card of open petitions on their home page
# (petitions/templatetags/member_home.py) and the pages of "My petitions"
# (petitions.views.my_petitions). Saving a petition forgets both for its enterprise
# (petitions.apps), and so does a bulk update of a field they show.
OPEN_PETITIONS_FRAGMENT = "open-petitions"
_SHOWN_TO_MEMBERS = frozenset(
    {"status", "title", "number", "category", "category_id", "due_on", "handling"}
    | {"department", "department_id", "department_replied_at", "created_at"}
)


def enterprise_petitions_scope(enterprise_id) -> str:
    return f"enterprise-petitions:{enterprise_id}"


def enterprise_petitions_changed(*enterprise_ids) -> None:
    from chamber import pagecache

    pagecache.forget_personal(OPEN_PETITIONS_FRAGMENT, *enterprise_ids)
    for enterprise_id in set(enterprise_ids):
        pagecache.bump_scope(enterprise_petitions_scope(enterprise_id))


class PetitionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if not kwargs.keys() & _SHOWN_TO_MEMBERS:
            return super().update(**kwargs)
        enterprises = set(self.values_list("enterprise_id", flat=True))
        count = super().update(**kwargs)
        enterprise_petitions_changed(*enterprises)
        return count

    update.alters_data = True

    def delete(self):
        raise ValidationError(
            _("Petitions are never deleted: they are closed, rejected or merged.")
        )

    def open(self):
        return self.exclude(status__in=Petition.ENDED_STATUSES)

    def for_enterprise(self, enterprise_id: int):
        return self.filter(enterprise_id=enterprise_id)

    def for_department(self, department_id: int):
        """What a department may see: petitions dispatched to it, now or before."""
        return self.filter(department_id=department_id).exclude(
            dispatched_at__isnull=True
        )

    def waiting_at_department(self):
        """With a department that has not replied yet (new, due, overdue, in progress)."""
        return self.filter(waiting_at_department_q())

    def overdue(self, on):
        """Waiting at a department past its due date (signed for or not)."""
        return self.filter(section_q(Section.OVERDUE, on))

    def in_section(self, section: str, on):
        return self.filter(section_q(section, on))

    def with_open_instruction(self):
        """With a district leader's instruction (批示) the department has not answered."""
        return self.filter(
            Exists(
                PetitionEvent.objects.open_instructions().filter(
                    petition=OuterRef("pk")
                )
            )
        )


def channel_choices(*, active_only: bool = False) -> list[tuple[str, str]]:
    """The petition channels, a list of the method staff keep in the admin (+N): the
    built-in ones (Petition.Channel) and any added since, in the staff's order."""
    return method_kinds.choices(
        MethodKind.Group.PETITION_CHANNEL, active_only=active_only
    )


def channel_label(code: str) -> str:
    return dict(channel_choices()).get(code, code)


class Petition(models.Model):
    """An enterprise's appeal (诉求), from intake to the enterprise's rating."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        DISPATCHED = "dispatched", _("dispatched")
        IN_PROGRESS = "in_progress", _("in progress")
        # 待企业补充: the department waits for the enterprise; its clock stops.
        AWAITING_INFO = "awaiting_info", _("awaiting the enterprise's information")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", pgettext_lazy("petition status", "closed")
        REJECTED = "rejected", _("rejected")
        MERGED = "merged", _("merged")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        DUTY_STUDIO = "duty_studio", _("duty studio")
        RECEPTION_HALL = "reception_hall", _("entrepreneurs' reception hall")
        CONSULTATION_DAY = "consultation_day", _("consultation day")
        OPINION_FORM = "opinion_form", _("opinion form")
        PHONE = "phone", _("phone")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Handling(models.TextChoices):
        CHAMBER = "chamber", _("handled by the chamber")
        DEPARTMENT = "department", _("dispatched to a department")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("resolved")
        PARTLY = "partly", _("partly resolved")
        EXPLAINED = "explained", _("explained, with a follow-up plan")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASICALLY = "basically", _("basically satisfied")
        UNSATISFIED = "unsatisfied", _("unsatisfied")
        NONE = "none", _("no rating")

    class Solved(models.TextChoices):
        """The enterprise's own word on whether its problem was solved (问题是否解决)."""

        SOLVED = "solved", pgettext_lazy("problem", "solved")
        PARTLY = "partly", pgettext_lazy("problem", "partly solved")
        UNSOLVED = "unsolved", pgettext_lazy("problem", "not solved")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "members.Enterprise",
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("enterprise"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("entered by"),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=channel_choices)
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("session"),
        help_text=_("The reception-hall session or consultation day it was raised at."),
    )
    duty_log_entry = models.OneToOneField(
        "members.DutyLogEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petition",
        verbose_name=_("duty log entry"),
    )
    duty_shift = models.ForeignKey(
        "members.DutyShift",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("duty week"),
        help_text=_(
            "The duty week it came in at the studio: scanned at the door, or recorded "
            "in the duty log."
        ),
    )
    batch = models.ForeignKey(
        IntakeBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("intake batch"),
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    may_share_anonymously = models.BooleanField(
        _("may be shared anonymously"),
        default=False,
        help_text=_(
            "The chamber may cite this petition without naming the enterprise."
        ),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("category"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.NORMAL
    )
    handling = models.CharField(
        _("handling"), max_length=12, choices=Handling, blank=True
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=16,
        choices=Status,
        default=Status.SUBMITTED,
    )
    department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("department"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    original_due_on = models.DateField(
        _("original due date"),
        null=True,
        blank=True,
        help_text=_(
            "The due date without extensions (延期); the enterprise's pauses still move it."
        ),
    )
    paused_working_days = models.PositiveSmallIntegerField(
        _("working days waiting for the enterprise"),
        default=0,
        help_text=_("Working days the clock stood still for the enterprise's answers."),
    )
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("signed for by"),
    )
    bounce_count = models.PositiveSmallIntegerField(
        _("returned by departments"), default=0
    )
    awaiting_triage_since = models.DateTimeField(
        _("awaiting triage since"),
        default=timezone.now,
        help_text=_(
            "When it came in, or came back from a department: the daily study's clock."
        ),
    )
    triage_flagged_on = models.DateField(
        _("flagged as not triaged on"), null=True, blank=True
    )
    supervised_on = models.DateField(
        _("under supervision since"), null=True, blank=True
    )
    # The department's reply, which staff review before the enterprise sees it.
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome, blank=True)
    department_reply = models.TextField(
        _("department's reply"), max_length=5000, blank=True
    )
    follow_up_plan = models.TextField(_("follow-up plan"), max_length=2000, blank=True)
    department_replied_at = models.DateTimeField(
        _("department replied at"), null=True, blank=True
    )
    department_replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("department replied by"),
    )
    # The answer the enterprise reads: a reviewed reply, a rejection or a merge reason.
    answer = models.TextField(
        _("answer to the enterprise"), max_length=5000, blank=True
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_round = models.PositiveSmallIntegerField(
        _("answers given"),
        default=0,
        help_text=_("Grows with each answer, so an old rating link stops working."),
    )
    solved = models.CharField(
        _("problem solved"), max_length=10, choices=Solved, blank=True
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating, blank=True)
    rating_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("rating taken by"),
        help_text=_("The staff member who took the rating on a return visit (回访)."),
    )
    rating_comment = models.TextField(_("rating comment"), max_length=2000, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The daily study scans open petitions by due date.
            models.Index(fields=["status", "due_on"], name="petition_status_due"),
            # An official's queue: their department's petitions by status.
            models.Index(
                fields=["department", "status"], name="petition_department_status"
            ),
            # A member's list: their enterprise's petitions, newest first.
            models.Index(
                fields=["enterprise", "-created_at"], name="petition_enterprise_new"
            ),
            # Open petitions (the staff list, the triage board's counts, escalations,
            # clear-to-zero): a few hundred among tens of thousands ended ones.
            models.Index(
                fields=["created_at", "id"],
                condition=~Q(status__in=["closed", "rejected", "merged"]),
                name="petition_open_new",
            ),
            # Reports count intake and answers by month.
            models.Index(fields=["created_at"], name="petition_created"),
            models.Index(fields=["answered_at"], name="petition_answered"),
        ]
        constraints = [
            # 件件有回音: nothing ends without an answer to the enterprise.
            models.CheckConstraint(
                condition=~Q(status__in=["closed", "rejected", "merged"])
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="petition_answered_before_it_ends",
                violation_error_message=_(
                    "A petition cannot end without an answer to the enterprise."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="petition_merged_names_its_target",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["dispatched", "in_progress", "awaiting_info"])
                | (Q(department__isnull=False) & Q(due_on__isnull=False)),
                name="petition_dispatched_has_department_and_due_date",
            ),
        ]

    ENDED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)
    WITH_DEPARTMENT = (Status.DISPATCHED, Status.IN_PROGRESS)

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("Petitions are never deleted: they are closed, rejected or merged.")
        )

    @property
    def has_ended(self) -> bool:
        return self.status in self.ENDED_STATUSES

    def is_overdue(self, on) -> bool:
        return self.section(on) == Section.OVERDUE

    def section(self, on) -> str:
        """Where the petition stands on day `on` (`Section`); agrees with `section_q`."""
        S = self.Status
        if self.status == S.SUBMITTED:
            return Section.TO_TRIAGE
        if self.status == S.ACCEPTED:
            return Section.WITH_CHAMBER
        if self.status == S.REPLIED:
            return Section.ANSWERED
        if self.status in self.ENDED_STATUSES:
            return Section.ENDED
        if self.status == S.AWAITING_INFO:
            return Section.AWAITING_INFO
        if self.department_replied_at is not None:
            return Section.AWAITING_REVIEW
        if self.due_on < on:
            return Section.OVERDUE
        if self.status == S.DISPATCHED:
            return Section.NEW
        if self.due_on <= week_end(on):
            return Section.DUE_THIS_WEEK
        return Section.IN_PROGRESS

    @property
    def awaits_review(self) -> bool:
        """The department replied and staff have not yet sent the answer on."""
        return (
            self.status in self.WITH_DEPARTMENT
            and self.department_replied_at is not None
        )

    @property
    def is_waiting_at_department(self) -> bool:
        """With a department that has not replied yet: its officials may act on it."""
        return (
            self.status in self.WITH_DEPARTMENT and self.department_replied_at is None
        )


method_kinds.register(MethodKind.Group.PETITION_CHANNEL, Petition.Channel.choices)


class Section(models.TextChoices):
    """Where a petition stands in the work on a given day: one meaning for the
    department's queue, the staff's board, the weekly digest, the daily study and the
    reports. Waiting at a department means dispatched or in progress without the
    department's reply; overdue means waiting past the due date, signed for or not."""

    TO_TRIAGE = "to_triage", _("to triage")
    WITH_CHAMBER = "with_chamber", _("accepted, with the chamber")
    OVERDUE = "overdue", _("overdue")
    NEW = "new", _("new, to sign for")
    DUE_THIS_WEEK = "due_this_week", _("due this week")
    IN_PROGRESS = "in_progress", pgettext_lazy("petition section", "in progress")
    AWAITING_INFO = "awaiting_info", _("awaiting the enterprise's information")
    AWAITING_REVIEW = "awaiting_review", _("replied, with the chamber for review")
    ANSWERED = "answered", _("answered, awaiting the rating")
    ENDED = "ended", _("ended")


def week_end(on):
    """The last day (Sunday) of the week holding `on`: "due this week" ends there."""
    return on + timedelta(days=6 - on.weekday())


def waiting_at_department_q(prefix: str = "") -> Q:
    S = Petition.Status
    return Q(
        **{
            f"{prefix}status__in": (S.DISPATCHED, S.IN_PROGRESS),
            f"{prefix}department_replied_at__isnull": True,
        }
    )


def section_q(section: str, on, prefix: str = "") -> Q:
    """The filter of one `Section` on day `on`; `prefix` reaches petitions from another
    model (`"petitions__"` from a department). Agrees with `Petition.section`."""
    S = Petition.Status

    def q(**lookups) -> Q:
        return Q(**{prefix + key: value for key, value in lookups.items()})

    waiting = waiting_at_department_q(prefix)
    return {
        Section.TO_TRIAGE: q(status=S.SUBMITTED),
        Section.WITH_CHAMBER: q(status=S.ACCEPTED),
        Section.OVERDUE: waiting & q(due_on__lt=on),
        Section.NEW: waiting & q(status=S.DISPATCHED, due_on__gte=on),
        Section.DUE_THIS_WEEK: waiting
        & q(status=S.IN_PROGRESS, due_on__gte=on, due_on__lte=week_end(on)),
        Section.IN_PROGRESS: waiting & q(status=S.IN_PROGRESS, due_on__gt=week_end(on)),
        Section.AWAITING_REVIEW: q(
            status__in=(S.DISPATCHED, S.IN_PROGRESS),
            department_replied_at__isnull=False,
        ),
        Section.AWAITING_INFO: q(status=S.AWAITING_INFO),
        Section.ANSWERED: q(status=S.REPLIED),
        Section.ENDED: q(status__in=(S.CLOSED, S.REJECTED, S.MERGED)),
    }[section]


class PetitionEventQuerySet(ImmutableQuerySet):
    def instructions(self):
        """District leaders' instructions (批示)."""
        return self.filter(kind=PetitionEvent.Kind.INSTRUCTION)

    def open_instructions(self):
        """Instructions not answered yet (已批示, not 已落实).

        The one rule: a department's reply answers every instruction written on the
        petition before it (the reply must then say how, record_department_reply), so an
        instruction is open while no department reply follows it on its petition.
        """
        later_reply = PetitionEvent.objects.filter(
            petition_id=OuterRef("petition_id"),
            kind=PetitionEvent.Kind.DEPARTMENT_REPLY,
            pk__gt=OuterRef("pk"),
        )
        return self.instructions().filter(~Exists(later_reply))


class PetitionEvent(ImmutableRecord):
    """One immutable step in a petition's life: who did what, when, and why.

    A district leader's instruction (批示) is one too (kind "instruction"): its text is
    the note, shown to the enterprise only when the leader marked it so (`is_public`);
    whether it is answered follows from the events after it (`open_instructions`).
    """

    class Kind(models.TextChoices):
        STATUS = "status", _("status change")
        NOTE = "note", _("note")
        PROGRESS = "progress", _("progress")
        DEPARTMENT_REPLY = "department_reply", _("department's reply")
        RETURNED = "returned", _("returned by the department")
        REVIEW = "review", _("reply sent back to the department")
        RATING = "rating", _("rating")
        REMINDER = "reminder", _("reminder sent")
        TRIAGE_FLAG = "triage_flag", _("not triaged in time")
        SUPERVISION = "supervision", _("marked for supervision")
        ESCALATION = "escalation", _("escalated")
        INSTRUCTION = "instruction", _("district leader's instruction")
        EXTENSION = "extension", _("extension asked")
        EXTENSION_DECISION = "extension_decision", _("extension decided")
        ADDITION = "addition", _("added by the enterprise")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("petition"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    from_status = models.CharField(
        _("from"), max_length=16, choices=Petition.Status, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=16, choices=Petition.Status, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )  # null = the system (a review step)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(
        _("shown to the enterprise"),
        default=False,
        help_text=_("Part of the timeline the enterprise sees."),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    objects = PetitionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["created_at", "pk"]
        indexes = [
            # A petition's timeline, oldest first.
            models.Index(
                fields=["petition", "created_at"], name="petitionevent_timeline"
            ),
            # Reports count bounce-backs and ratings by month.
            models.Index(fields=["kind", "created_at"], name="petitionevent_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {beijing_minute(self.created_at)}"

    @property
    def by_system(self) -> bool:
        return self.actor_id is None


def _attachment_path(instance: "PetitionAttachment", filename: str) -> str:
    return random_upload_path("petitions", filename)


class PetitionAttachment(StoredUpload):
    """A file sent with a petition (a letter, a photo, a scanned opinion form), checked by content."""

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("petition"),
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta(StoredUpload.Meta):
        pass


class InfoRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class InfoRequest(models.Model):
    """待企业补充: a department (or staff) asks the enterprise for something it needs.

    While the request is open the petition is awaiting the enterprise's information and
    the working-day clock stands still; when the enterprise answers (or staff close the
    request after the enterprise let the time pass) the working days it stood still are
    added to the due dates. One open request per petition.
    """

    class Ending(models.TextChoices):
        ANSWERED = "answered", _("answered by the enterprise")
        TIMED_OUT = "timed_out", _("closed by staff without an answer")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="info_requests",
        verbose_name=_("petition"),
    )
    department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    request = models.TextField(_("what is needed"), max_length=2000)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    ending = models.CharField(_("ended"), max_length=10, choices=Ending, blank=True)
    answer = models.TextField(_("the enterprise's answer"), max_length=5000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("answered or closed by"),
    )
    closed_at = models.DateTimeField(_("answered or closed at"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(
        _("working days waiting"), default=0
    )

    objects = InfoRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request to the enterprise")
        verbose_name_plural = _("requests to the enterprise")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(closed_at__isnull=True),
                name="one_open_info_request_per_petition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {beijing_minute(self.asked_at)}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Extension(models.Model):
    """延期: a department asks once, before the due date, for more time; staff decide."""

    class Status(models.TextChoices):
        ASKED = "asked", _("asked")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="extensions",
        verbose_name=_("petition"),
    )
    department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    due_before = models.DateField(_("due date asked from"))
    proposed_due = models.DateField(_("proposed due date"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.ASKED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            # A department asks once for a petition.
            models.UniqueConstraint(
                fields=["petition", "department"], name="one_extension_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.proposed_due:%Y-%m-%d}"


class ReturnVisit(ImmutableRecord):
    """回访: staff ask the enterprise by phone or in person what it made of an answer.

    The enterprise's two answers count as its rating, marked as taken by staff.
    """

    class Way(models.TextChoices):
        PHONE = "phone", _("by phone")
        IN_PERSON = "in_person", _("in person")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="return_visits",
        verbose_name=_("petition"),
    )
    answer_round = models.PositiveSmallIntegerField(_("answer"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )
    way = models.CharField(_("how"), max_length=10, choices=Way)
    spoke_with = models.CharField(_("spoke with"), max_length=50)
    visited_at = models.DateTimeField(_("visited at"))
    solved = models.CharField(
        _("problem solved"), max_length=10, choices=Petition.Solved
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Petition.Rating)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(
        _("recorded at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["-visited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} · {beijing_minute(self.visited_at)}"


class ReviewRun(models.Model):
    """One step of the review cycle for one period; the unique row makes each step run once."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("daily study")
        WEEKLY = "weekly", _("weekly dispatch")
        MONTHLY = "monthly", _("monthly summary")
        QUARTERLY = "quarterly", _("quarterly clear-to-zero")
        QUARTER_WARNING = "quarter_warning", _("clear-to-zero warning")

    kind = models.CharField(_("step"), max_length=16, choices=Kind)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    stats = models.JSONField(_("figures"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_at = models.DateTimeField(
        _("started at"), default=timezone.now, editable=False
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set when a later tick ran the step because the tick of its own day was lost
    # (petitions.review.catch_up): the day of that later tick.
    caught_up_on = models.DateField(_("caught up on"), null=True, blank=True)

    class Meta:
        verbose_name = _("review step run")
        verbose_name_plural = _("review step runs")
        ordering = ["-period_start", "kind"]
        constraints = [
            # Each step runs once per period, however often beat or staff start it.
            models.UniqueConstraint(
                fields=["kind", "period_start"], name="one_run_per_step_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:report", args=[self.pk])


class Escalation(models.Model):
    """A petition put before the district leaders: long overdue, or not cleared in its quarter."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("long overdue (escalated by the weekly dispatch)")
        CLEARANCE = "clearance", _("not cleared in its quarter")

    petition = models.ForeignKey(
        Petition,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("petition"),
    )
    run = models.ForeignKey(
        ReviewRun,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("review step"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason)
    period_start = models.DateField(_("period"))
    department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    age_working_days = models.PositiveIntegerField(_("age (working days)"), default=0)
    overdue_working_days = models.PositiveIntegerField(
        _("overdue (working days)"), default=0
    )
    created_at = models.DateTimeField(
        _("escalated at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One escalation per petition, reason and period (a quarter, or once for overdue).
            models.UniqueConstraint(
                fields=["petition", "reason", "period_start"],
                name="one_escalation_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.get_reason_display()}"


# --- 每月一题: one topic a month, from one case to a class of cases ----------------------


def month_start(day: date) -> date:
    """The first day of the month holding `day`: how a topic's month is stored."""
    return day.replace(day=1)


class MonthlyTopic(models.Model):
    """每月一题: the month's topic, picked from the monthly summary's candidates (a category
    or a repeated matter with many petitions, many unresolved, many returned): a lead
    department, co-operating departments, two or three concrete problems, tasks with
    owners and deadlines, and the petitions it covers.

    Its changes are recorded by `TopicEvent` (petitions/topics.py writes both). The
    article that publishes it belongs to publicity, which petitions never imports: the
    topic keeps the article's id only.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("topic status", "in progress")
        CLOSED = "closed", pgettext_lazy("topic status", "concluded")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    lead_department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        related_name="led_topics",
        verbose_name=_("lead department"),
    )
    departments = models.ManyToManyField(
        "chamber.Department",
        blank=True,
        related_name="topics",
        verbose_name=_("co-operating departments"),
    )
    problems = models.TextField(
        _("concrete problems"),
        max_length=3000,
        help_text=_("Two or three concrete problems, one a line."),
    )
    petitions = models.ManyToManyField(
        Petition,
        blank=True,
        related_name="topics",
        verbose_name=_("petitions it covers"),
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.OPEN,
    )
    result = models.TextField(
        _("result"),
        max_length=5000,
        blank=True,
        help_text=_("What the topic achieved, written when it is concluded."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("picked by"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    closed_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    # publicity.Article's id, once staff drafted the article of this topic.
    article_id = models.PositiveIntegerField(_("article"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly topic")
        verbose_name_plural = _("monthly topics")
        ordering = ["-month"]
        constraints = [
            # 每月一题: one topic a month.
            models.UniqueConstraint(fields=["month"], name="one_topic_a_month"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="topic_month_is_its_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:topic", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def problem_lines(self) -> list[str]:
        return [line.strip() for line in self.problems.splitlines() if line.strip()]


class TopicTaskQuerySet(models.QuerySet):
    def open(self):
        """Not done yet, on a topic still in progress."""
        return self.filter(done_at__isnull=True, topic__status=MonthlyTopic.Status.OPEN)

    def overdue(self, on):
        """Past its due date on day `on` and not done: supervised like an overdue
        petition (the staff's day's work, the daily study). The one rule of it."""
        return self.open().filter(due_on__lt=on)


class TopicTask(models.Model):
    """One task of a monthly topic: what, who (a department, or a person named), by when."""

    topic = models.ForeignKey(
        MonthlyTopic,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("monthly topic"),
    )
    text = models.CharField(_("task"), max_length=300)
    department = models.ForeignKey(
        "chamber.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department in charge"),
    )
    owner = models.CharField(
        _("person in charge"),
        max_length=100,
        blank=True,
        help_text=_("A name, when no department or someone in it is in charge."),
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked done by"),
    )
    done_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    supervised_on = models.DateField(
        _("under supervision since"), null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = TopicTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic task")
        verbose_name_plural = _("topic tasks")
        ordering = ["sort_order", "due_on", "pk"]
        indexes = [
            # The daily study and the staff's day's work look for open tasks by due date.
            models.Index(fields=["done_at", "due_on"], name="topictask_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | ~Q(owner=""),
                name="topic_task_has_someone_in_charge",
                violation_error_message=_(
                    "Name the department or the person in charge."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, on) -> bool:
        """Agrees with `TopicTaskQuerySet.overdue`."""
        return (
            self.done_at is None
            and self.due_on < on
            and self.topic.status == MonthlyTopic.Status.OPEN
        )

    def is_late(self, on) -> bool:
        """Done after its due date, or still not done past it on day `on`."""
        if self.done_at is not None:
            return beijing_date(self.done_at) > self.due_on
        return self.due_on < on

    @property
    def in_charge(self) -> str:
        names = [self.department.name if self.department_id else "", self.owner]
        return " · ".join(name for name in names if name)


class TopicEvent(ImmutableRecord):
    """One immutable step of a monthly topic: picked, changed, a task done or supervised,
    concluded, its article drafted. Who (or the system), when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("topic picked")
        CHANGED = "changed", _("topic changed")
        TASK_ADDED = "task_added", _("task added")
        TASK_CHANGED = "task_changed", _("task changed")
        TASK_DONE = "task_done", _("task done")
        SUPERVISION = "supervision", _("overdue task marked for supervision")
        CLOSED = "closed", _("topic concluded")
        ARTICLE = "article", _("article drafted")

    topic = models.ForeignKey(
        MonthlyTopic,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("monthly topic"),
    )
    task = models.ForeignKey(
        TopicTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("task"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )  # null = the system (the daily study)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")
        ordering = ["created_at", "pk"]
        indexes = [
            # A topic's record, oldest first.
            models.Index(fields=["topic", "created_at"], name="topicevent_record"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {beijing_minute(self.created_at)}"

    @property
    def by_system(self) -> bool:
        return self.actor_id is None


class OpinionSheet(models.Model):
    """One printed opinion form (征求意见表) of a session, with its form number: typed in
    with a batch, the number ties the petition to its session, and only once."""

    number = models.CharField(
        _("form number"), max_length=20, unique=True, editable=False
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="opinion_sheets",
        verbose_name=_("session"),
    )
    serial = models.PositiveIntegerField(_("serial number in the session"))
    printed_at = models.DateTimeField(
        _("printed at"), default=timezone.now, editable=False
    )
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("printed by"),
    )
    # Null until the paper form is entered; then the petition it became.
    petition = models.OneToOneField(
        Petition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_sheet",
        verbose_name=_("petition"),
    )

    class Meta:
        verbose_name = _("printed opinion form")
        verbose_name_plural = _("printed opinion forms")
        ordering = ["activity", "serial"]
        constraints = [
            # The next serial of a session is taken under its lock; this keeps it so.
            models.UniqueConstraint(
                fields=["activity", "serial"], name="one_opinion_sheet_per_serial"
            ),
        ]

    def __str__(self) -> str:
        return self.number
