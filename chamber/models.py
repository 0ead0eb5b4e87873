import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from chamber import documents, method_rules
from chamber.phone import validate_mobile, validate_office_phone


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """A bulk update forgets the cached logged-in users it changes (chamber.backends),
        as saving one does: a deactivated account, a new mobile or an unbound WeChat
        shows at the next request."""
        from chamber.backends import forget_users

        changed = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        forget_users(*changed)
        return count

    update.alters_data = True


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


class User(AbstractUser):
    """A login of the portal: secretariat staff, a member entrepreneur, an official or a leader.

    What a user may do follows from what the user is (see chamber.roles), not from
    a role field that could drift from the data.
    """

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    language = models.CharField(
        _("language for e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Who among the staff is told what happens to petitions (petitions/emails.py).
    handles_petitions = models.BooleanField(
        _("handles petitions"),
        default=False,
        help_text=_(
            "Staff ticked here are told when a department replies or returns a "
            "petition, a representative registers one from the duty log, an "
            "enterprise rates an answer unsatisfied or a district leader writes an "
            "instruction. Staff not ticked are not told; while no staff user is "
            "ticked, every active staff user with an e-mail address is, so nothing "
            "is lost."
        ),
    )
    petition_digest = models.BooleanField(
        _("petition notices in one daily digest"),
        default=False,
        help_text=_(
            "Ticked: instead of one e-mail for each event, one e-mail each "
            "working-day morning listing the events since the start of the working "
            "day before."
        ),
    )

    # The channels beyond e-mail (chamber/channels/). SMS goes only to a verified mobile.
    mobile = models.CharField(
        _("mobile for SMS"),
        max_length=11,
        blank=True,
        validators=[validate_mobile],
        help_text=_(
            "Notices by SMS and logging in with an SMS code use this number once it "
            "is verified. A number staff correct here counts as verified."
        ),
    )
    mobile_verified_at = models.DateTimeField(
        _("mobile verified at"), null=True, blank=True
    )
    sms_refused = models.CharField(
        _("SMS unusable"),
        max_length=300,
        blank=True,
        help_text=_(
            "Why the SMS provider refused this number; while set, SMS notices go by "
            "e-mail. Clear it after correcting the number."
        ),
    )
    sms_opt_out = models.BooleanField(
        _("replied T to stop reminders by SMS"),
        default=False,
        help_text=_("Set when the person replies T (退订) to a reminder by SMS."),
    )
    wecom_userid = models.CharField(
        _("WeCom user ID"),
        max_length=64,
        blank=True,
        help_text=_(
            "The account in the government's WeCom (企业微信 / 政务微信): officials "
            "and staff receive notices there."
        ),
    )
    wechat_openid = models.CharField(
        _("WeChat OpenID"),
        max_length=64,
        blank=True,
        help_text=_(
            "Bound when the person scans the QR code on their profile and follows "
            "the chamber's official account; cleared when they unfollow."
        ),
    )
    wechat_refused = models.CharField(_("WeChat unusable"), max_length=300, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A verified number logs in by SMS code: it must name one person.
            models.UniqueConstraint(
                fields=["mobile"],
                condition=models.Q(mobile_verified_at__isnull=False),
                name="one_user_a_verified_mobile",
                violation_error_message=_(
                    "Another user has verified this mobile number."
                ),
            ),
            models.UniqueConstraint(
                fields=["wechat_openid"],
                condition=~models.Q(wechat_openid=""),
                name="one_user_a_wechat_openid",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names are written as one string, family name first.
        return self.full_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name or self.username


class Department(models.Model):
    """A department of the district party committee or government (e.g. 区教育局)."""

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=100, unique=True
    )
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    phone = models.CharField(
        _("office phone"), max_length=30, blank=True, validators=[validate_office_phone]
    )
    email = models.EmailField(_("office e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    duties = models.TextField(
        _("what the department handles"),
        blank=True,
        help_text=_("Shown to staff when they choose where to dispatch a petition."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("government department")
        verbose_name_plural = _("government departments")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Official(models.Model):
    """A user who works in the district government: a department's official or a district leader.

    Officials receive the petitions dispatched to their department, reply to them and
    get the weekly digest. Leaders (is_leader) receive escalations and the quarterly
    clear-to-zero report; a leader need not belong to one department.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="official",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("department"),
    )
    position = models.CharField(_("position"), max_length=50, blank=True)
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[validate_office_phone]
    )
    is_liaison = models.BooleanField(
        _("liaison"),
        default=False,
        help_text=_(
            "The department's liaison (联络员) for the chamber; one per department."
        ),
    )
    is_leader = models.BooleanField(
        _("district leader"),
        default=False,
        help_text=_("Receives escalations and the quarterly clear-to-zero report."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["department__sort_order", "user__full_name"]
        constraints = [
            # An official who is not a leader answers for one department.
            models.CheckConstraint(
                condition=models.Q(is_leader=True) | models.Q(department__isnull=False),
                name="official_has_department_unless_leader",
            ),
            # One liaison per department: petitions and digests go to that person first.
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(is_liaison=True),
                name="one_liaison_per_department",
                violation_error_message=_("This department already has a liaison."),
            ),
        ]

    def __str__(self) -> str:
        return pgettext("punctuation", "%(text)s (%(aside)s)") % {
            "text": self.user,
            "aside": self.department or _("district leader"),
        }


class Heartbeat(models.Model):
    """When a background process last proved it runs (the worker writes it every minute)."""

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=50, unique=True
    )
    beat_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


class WorkdayOverride(models.Model):
    """A day the official holiday schedule gets wrong or does not know yet (staff enter it)."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_(
            "Ticked: a working day (e.g. a make-up day, 调休). Unticked: a day off."
        ),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from chamber import workdays

        workdays.forget_overrides()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from chamber import workdays

        workdays.forget_overrides()
        return result


class OutgoingMessage(models.Model):
    """One message to one person, in the outbox until it is sent (STYLE B8).

    Written when the notice is decided, rendered in the recipient's language; one
    sender claims it (a conditional update), sends it and only then marks it sent. The
    unique key names the notice and its recipient, so a notice is queued once. Never
    deleted: a message that cannot be sent is failed or cancelled, with the reason.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("message", "queued")
        SENDING = "sending", pgettext_lazy("message", "sending")
        SENT = "sent", pgettext_lazy("message", "sent")
        FAILED = "failed", pgettext_lazy("message", "failed")
        CANCELLED = "cancelled", pgettext_lazy("message", "cancelled")

    key = models.CharField(_("key"), max_length=200, unique=True)
    # The notice this message carries: its key without the channel (one notice may go
    # by e-mail, SMS and WeChat; cancelling a notice cancels each of them).
    notice = models.CharField(_("notice"), max_length=200, db_index=True, default="")
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel, default=Channel.EMAIL
    )
    kind = models.CharField(pgettext_lazy("message", "kind"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=300)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # Headers of the message's own (List-Unsubscribe of the monthly news, …).
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # SMS and WeChat: what the provider's template is filled with (chamber/channels/).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    provider_ref = models.CharField(
        _("provider's reference"), max_length=100, blank=True
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A claim taken again after it went stale: the worker holding it died, perhaps after
    # the mail server accepted the message, so a copy may have reached the recipient.
    reclaims = models.PositiveSmallIntegerField(_("claims taken over"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_try_at = models.DateTimeField(_("next try at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: messages due to be sent, or claimed by a worker long ago.
            models.Index(
                fields=["status", "next_try_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="outbox_due",
            ),
            # The dashboard's and /healthz's count of failed messages.
            models.Index(
                fields=["status"],
                condition=models.Q(status="failed"),
                name="outbox_failed",
            ),
            # SMS sent: to one number today (the daily cap), and this month (the bill).
            models.Index(
                fields=["sent_at", "address"],
                condition=models.Q(channel="sms", status="sent"),
                name="outbox_sms_sent",
            ),
        ]

    # Kinds whose body carries a link that logs its holder in (a password to choose):
    # staff see that the message exists and how it went, never its body.
    SECRET_KINDS = frozenset({"invitation", "password-reset", "sms-code"})
    # What staff may do to a message (chamber.outbox.resend, cancel; the outbox page).
    RESENDABLE = (Status.FAILED, Status.CANCELLED)
    CANCELLABLE = (Status.QUEUED, Status.FAILED)

    def __str__(self) -> str:
        return f"{self.kind} → {self.address or self.user_id}"

    @property
    def body_is_secret(self) -> bool:
        return self.kind in self.SECRET_KINDS

    @property
    def can_resend(self) -> bool:
        return self.status in self.RESENDABLE and bool(self.address)

    @property
    def can_cancel(self) -> bool:
        return self.status in self.CANCELLABLE


class NoticeChannels(models.Model):
    """Which channels bring one kind of notice to one person, where they chose other
    than their role's default (chamber/channels/choices.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_channels",
        verbose_name=_("user"),
    )
    kind = models.CharField(pgettext_lazy("message", "kind"), max_length=50)
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    wechat = models.BooleanField(_("WeChat"), default=False)

    class Meta:
        verbose_name = _("channels of a notice")
        verbose_name_plural = _("channels of notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_choice_a_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class UrgentKind(models.Model):
    """A kind of notice staff mark urgent: its SMS goes out at night too (others wait
    for 08:00 Beijing time)."""

    kind = models.CharField(
        pgettext_lazy("message", "kind"), max_length=50, unique=True
    )

    class Meta:
        verbose_name = _("urgent kind of notice")
        verbose_name_plural = _("urgent kinds of notices")
        ordering = ["kind"]

    def __str__(self) -> str:
        from chamber.outbox_kinds import kind_label

        return kind_label(self.kind)


class ShortLink(models.Model):
    """/s/<code>: a short code for a long (signed) link in an SMS, expiring with it."""

    code = models.CharField(
        pgettext_lazy("short link", "code"), max_length=12, unique=True
    )
    url = models.TextField(_("link"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")

    def __str__(self) -> str:
        return self.code


class SmsCode(models.Model):
    """A 6-digit code sent by SMS: to verify a mobile, to log in, or to let an enterprise
    that is not a member submit a petition. Valid 5 minutes, used once (chamber/sms_codes.py)."""

    class Purpose(models.TextChoices):
        VERIFY = "verify", _("verify a mobile")
        LOGIN = "login", _("log in")
        GUEST = "guest", _("petition from a non-member")

    number = models.CharField(_("mobile"), max_length=11, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(pgettext_lazy("SMS", "code"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} · {self.purpose}"


class WechatInbound(models.Model):
    """A message or event the 服务号 posted to us, kept by its id: a replay is seen once."""

    msg_key = models.CharField(_("message ID"), max_length=100, unique=True)
    openid = models.CharField(_("WeChat OpenID"), max_length=64)
    event = models.CharField(_("event"), max_length=30, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat callback")
        verbose_name_plural = _("WeChat callbacks")

    def __str__(self) -> str:
        return self.msg_key


class MethodRule(models.Model):
    """A number of the method (工作法规则) staff changed in the admin: the rating window,
    the escalation after overdue… (chamber/method_rules.py has them all, with their
    defaults). Its history says who changed what, when."""

    key = models.CharField(
        _("rule"), max_length=40, unique=True, choices=method_rules.CHOICES
    )
    value = models.PositiveSmallIntegerField(_("value"))
    history = HistoricalRecords(
        verbose_name=_("change of a rule of the method"),
        verbose_name_plural=_("changes of the rules of the method"),
    )

    class Meta:
        verbose_name = _("rule of the method")
        verbose_name_plural = _("rules of the method")

    def __str__(self) -> str:
        definition = method_rules.BY_KEY.get(self.key)
        return str(definition.label) if definition else self.key

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from chamber import pagecache

        pagecache.bump()  # the public 晾晒 page ranks by min_ranked

    @property
    def definition(self) -> method_rules.Definition:
        return method_rules.BY_KEY[self.key]

    def clean(self) -> None:
        definition = method_rules.BY_KEY.get(self.key)
        if definition is None or self.value is None:
            return
        if not definition.minimum <= self.value <= definition.maximum:
            raise ValidationError(
                {
                    "value": _("Enter a whole number from %(minimum)d to %(maximum)d.")
                    % {"minimum": definition.minimum, "maximum": definition.maximum}
                }
            )


class MethodKind(models.Model):
    """An entry of one of the method's lists (+N): a petition channel, a campaign kind,
    a platform kind (chamber/method_kinds.py). Retired, never deleted: old records keep
    their code. Its history says who changed what, when."""

    class Group(models.TextChoices):
        PETITION_CHANNEL = "petition_channel", _("petition channel")
        CAMPAIGN_KIND = "campaign_kind", _("campaign kind")
        PLATFORM_KIND = "platform_kind", _("platform kind")

    group = models.CharField(
        pgettext_lazy("a list of entries", "list"), max_length=20, choices=Group
    )
    code = models.SlugField(
        pgettext_lazy("identifier", "code"),
        max_length=20,
        help_text=_("Letters, digits and underscores; it cannot change once saved."),
    )
    name = models.CharField(
        pgettext_lazy("name of a thing", "name"),
        max_length=50,
        blank=True,
        help_text=_("Empty: the portal's own name for a built-in entry."),
    )
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "Retired entries stay on old records but are not offered any more."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    history = HistoricalRecords(
        verbose_name=_("change of a list of the method"),
        verbose_name_plural=_("changes of the lists of the method"),
    )

    class Meta:
        verbose_name = _("entry of a list of the method")
        verbose_name_plural = _("lists of the method")
        ordering = ["group", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="one_code_per_list"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} · {self.name or self.code}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from chamber import method_kinds, pagecache

        method_kinds.forget()
        transaction.on_commit(method_kinds.forget)  # and what was read meanwhile
        pagecache.bump()  # public pages name channels and campaign kinds

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Entries are retired, not deleted: untick 'in use'."))

    def clean(self) -> None:
        from chamber import method_kinds

        if not self.name and self.code not in method_kinds.built_in(self.group):
            raise ValidationError({"name": _("A new entry needs a name.")})


class DocumentTemplate(models.Model):
    """A staff replacement of a document's built-in template (chamber/documents.py): an
    HTML print template (for the PDF) or a Word template. Accepted only when it renders
    the kind's sample; deleting it brings the built-in one back. Its history keeps who
    replaced it, when, and what it was."""

    class Format(models.TextChoices):
        HTML = "html", _("print template (HTML, for the PDF)")
        DOCX = "docx", _("Word template (.docx)")

    key = models.CharField(
        pgettext_lazy("kind of document", "document"),
        max_length=40,
        choices=documents.choices,
    )
    format = models.CharField(_("format"), max_length=4, choices=Format)
    content = models.BinaryField(_("template"), editable=False)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords(
        verbose_name=_("change of a document template"),
        verbose_name_plural=_("changes of the document templates"),
    )

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["key", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "format"], name="one_replacement_per_document_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} · {self.get_format_display()}"


def _download_path(instance: "Download", filename: str) -> str:
    from chamber.uploads import random_upload_path

    return random_upload_path("downloads", filename)


class Download(models.Model):
    """A file made by a task for the user who asked for it (chamber/downloads.py): the
    staff list's Excel export, a week's 交办单, a session's opinion forms. Its page shows
    "being made" until the file is there; only its owner sees either, and the file is
    deleted after `downloads.KEEP_DAYS`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", pgettext_lazy("making a file", "failed")

    # Random, so the page's address says nothing about how many there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # The language of the page it was asked from: the file is made in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=Status,
        default=Status.QUEUED,
    )
    # Under MEDIA_ROOT, which no URL serves: only the owner's view sends it.
    file = models.FileField(
        _("file"), upload_to=_download_path, max_length=200, blank=True
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(
        pgettext_lazy("file type", "type"), max_length=100, blank=True
    )
    size = models.PositiveIntegerField(pgettext_lazy("file size", "size"), default=0)
    created_at = models.DateTimeField(
        _("asked for at"), default=timezone.now, editable=False
    )
    # When its task was last queued: one still waiting a minute later is queued again.
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at"]
        indexes = [
            # A user's recent downloads (views_downloads.downloads).
            models.Index(fields=["owner", "-created_at"], name="download_owner_recent"),
            # The daily removal of old files (downloads.delete_old).
            models.Index(fields=["created_at"], name="download_created"),
        ]

    def __str__(self) -> str:
        return self.filename or self.kind

    def get_absolute_url(self) -> str:
        return reverse("download", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
