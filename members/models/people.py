from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber.fields import HttpsURLField
from chamber.phone import validate_mobile, validate_office_phone
from members.credit_code import normalise, validate_credit_code


class Area(models.TextChoices):
    """Where a member enterprise is: the three parts of the district the chamber serves."""

    XISHI = "xishi", _("Xishi District")
    COASTAL = "coastal", _("Coastal industrial base")
    FTZ = "ftz", _("Free-trade zone")


class Industry(models.Model):
    """An industry of member enterprises (制造业, 商贸流通, …); staff add new ones as data."""

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=50, unique=True
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class EnterpriseQuerySet(models.QuerySet):
    def members(self):
        """Enterprises in the chamber now (active or suspended): not those that left,
        not the non-members that only sent a petition."""
        return self.filter(status__in=Enterprise.MEMBER_STATUSES)


class Enterprise(models.Model):
    """A member enterprise of the chamber, or one that is not (yet): a non-member
    enterprise (非会员企业) that sent a petition by scanning a QR code, or one that left."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        LEFT = "left", _("left")
        PROSPECT = "prospect", _("non-member enterprise")

    class Size(models.TextChoices):
        MICRO = "micro", _("micro")
        SMALL = "small", _("small")
        MEDIUM = "medium", _("medium")
        LARGE = "large", _("large")

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("industry"),
    )
    area = models.CharField(_("area"), max_length=10, choices=Area)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(
        _("legal representative"), max_length=50, blank=True
    )
    size = models.CharField(
        pgettext_lazy("enterprise size", "size"),
        max_length=10,
        choices=Size,
        blank=True,
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[validate_office_phone]
    )
    website = HttpsURLField(_("website"), blank=True)
    introduction = models.TextField(_("introduction"), max_length=2000, blank=True)
    status = models.CharField(
        _("membership status"), max_length=10, choices=Status, default=Status.ACTIVE
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(
        _("last changed"), null=True, blank=True, editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [
            # The admin and the directory filter by area and status.
            models.Index(fields=["area", "status"], name="enterprise_area_status"),
        ]

    # The statuses of an enterprise in the chamber: every list, count and role of
    # members goes by these, so a non-member enterprise never passes for a member.
    MEMBER_STATUSES = (Status.ACTIVE, Status.SUSPENDED)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Codes are printed in capitals; a lowercase copy must not pass as a new enterprise.
        if self.credit_code:
            self.credit_code = normalise(self.credit_code)

    @property
    def is_member(self) -> bool:
        """In the chamber now: neither left nor a non-member enterprise."""
        return self.status in self.MEMBER_STATUSES


class ChamberTitle(models.Model):
    """A title in the chamber (兼职副主席, 副会长, …); staff add new ones as data."""

    name = models.CharField(
        pgettext_lazy("name of a thing", "name"), max_length=30, unique=True
    )
    takes_duty = models.BooleanField(
        _("takes duty shifts"),
        default=False,
        help_text=_("Holders take turns on the weekly duty rota."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("chamber title")
        verbose_name_plural = _("chamber titles")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(models.QuerySet):
    def representatives(self, on):
        """Members holding, on that day, a title whose holders take duty shifts."""
        return self.filter(
            titles__title__takes_duty=True,
            titles__starts_on__lte=on,
            titles__ends_on__gte=on,
        ).distinct()

    def in_directory(self):
        """Members other members may see: active accounts of enterprises in the chamber."""
        return self.filter(
            user__is_active=True, enterprise__status__in=Enterprise.MEMBER_STATUSES
        )


class Member(models.Model):
    """An entrepreneur of the chamber: a person with a login, linked to an enterprise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="member",
        verbose_name=_("user"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("enterprise"),
    )
    mobile = models.CharField(
        _("mobile phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    position = models.CharField(
        _("position in the enterprise"), max_length=50, blank=True
    )
    show_phone = models.BooleanField(
        _("show my mobile phone to other members"), default=False
    )
    show_email = models.BooleanField(
        _("show my e-mail to other members"), default=False
    )
    # Which news of their petitions the member is told (petitions/emails.py), by the
    # channels they chose (chamber/channels/choices.py); the portal shows all of it,
    # and the answer can be rated there, whatever they choose.
    notify_accepted = models.BooleanField(
        _("tell me when the chamber accepts my petition"), default=True
    )
    notify_dispatched = models.BooleanField(
        _("tell me when my petition is sent to a department, with its due date"),
        default=True,
    )
    notify_progress = models.BooleanField(
        _("tell me the progress a department reports on my petition"), default=True
    )
    notify_answered = models.BooleanField(
        _("tell me the answer to my petition, with the link to rate it"),
        default=True,
    )
    invited_at = models.DateTimeField(
        _("invitation sent"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["enterprise__name", "user__full_name"]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def clean(self) -> None:
        # A person of a non-member enterprise would be a member with no membership:
        # staff admit the enterprise first (members:admit_enterprise does both).
        enterprise = self.enterprise if self.enterprise_id else None
        if enterprise is not None and enterprise.status == Enterprise.Status.PROSPECT:
            raise ValidationError(
                {
                    "enterprise": _(
                        "%(name)s is not a member of the chamber: admit it first."
                    )
                    % {"name": enterprise.name}
                }
            )

    @property
    def is_current(self) -> bool:
        """Still a member: the enterprise is in the chamber (not left, not a non-member)."""
        return self.enterprise.is_member

    def is_representative(self, on) -> bool:
        return Member.objects.representatives(on).filter(pk=self.pk).exists()

    def current_titles(self, on) -> list["TitleTerm"]:
        """Title terms that cover the day; uses prefetched `titles` when present."""
        return [t for t in self.titles.all() if t.starts_on <= on <= t.ends_on]


class TitleTerm(models.Model):
    """A member's term in a chamber title."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="titles",
        verbose_name=_("member"),
    )
    title = models.ForeignKey(
        ChamberTitle,
        on_delete=models.PROTECT,
        related_name="terms",
        verbose_name=pgettext_lazy("job title", "title"),
    )
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))

    class Meta:
        verbose_name = _("title term")
        verbose_name_plural = _("title terms")
        ordering = ["title__sort_order", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        _forget_representative(self.member_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _forget_representative(self.member_id)
        return result


def _forget_representative(member_id: int) -> None:
    from chamber.backends import forget_users

    forget_users(*Member.objects.filter(pk=member_id).values_list("user_id", flat=True))
