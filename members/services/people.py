from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.models import User
from chamber.phone import normalise_phone
from members import invitations
from members.credit_code import normalise
from members.models import Enterprise, Member


@transaction.atomic
def update_member_profile(
    *,
    member: Member,
    actor: User,
    mobile: str,
    email: str,
    show_phone: bool,
    show_email: bool,
    notify_accepted: bool | None = None,
    notify_dispatched: bool | None = None,
    notify_progress: bool | None = None,
    notify_answered: bool | None = None,
) -> Member:
    """A member changes their own contact details, privacy choices and which news of
    their petitions they are e-mailed (a choice left None stays); one transaction."""
    notices = {
        name: value
        for name, value in (
            ("notify_accepted", notify_accepted),
            ("notify_dispatched", notify_dispatched),
            ("notify_progress", notify_progress),
            ("notify_answered", notify_answered),
        )
        if value is not None
    }
    member.mobile = mobile
    member.show_phone = show_phone
    member.show_email = show_email
    for name, value in notices.items():
        setattr(member, name, value)
    member.full_clean(exclude=["user", "enterprise"])
    member.save(update_fields=["mobile", "show_phone", "show_email", *notices])
    user = member.user
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    return member


@transaction.atomic
def update_enterprise_contact(
    *,
    enterprise: Enterprise,
    actor: User,
    introduction: str,
    phone: str,
    website: str,
    address: str,
) -> Enterprise:
    """A member edits the public-facing details of their enterprise; records who and when.

    The credit code, area, status and the rest stay with the staff.
    """
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    enterprise.introduction = introduction
    enterprise.phone = phone
    enterprise.website = website
    enterprise.address = address
    enterprise.updated_at = timezone.now()
    enterprise.updated_by = actor
    enterprise.full_clean()
    enterprise.save(
        update_fields=[
            "introduction",
            "phone",
            "website",
            "address",
            "updated_at",
            "updated_by",
        ]
    )
    return enterprise


class MembershipError(Exception):
    """The rules forbid this step; the message is safe to show to the person."""


def prospect_enterprise(*, name: str, credit_code: str, area: str) -> Enterprise:
    """The non-member enterprise (非会员企业) with this credit code, new if there is none.

    An enterprise already in the chamber is refused (its members log in to write): a
    credit code is printed on every business licence, so knowing it must not let anyone
    write in a member's name. One that left is taken as it is.
    """
    code = normalise(credit_code)
    try:
        with transaction.atomic():
            enterprise = (
                Enterprise.objects.select_for_update().filter(credit_code=code).first()
            )
            if enterprise is None:
                enterprise = Enterprise(
                    name=" ".join(name.split()),
                    credit_code=code,
                    area=area,
                    status=Enterprise.Status.PROSPECT,
                )
                enterprise.full_clean()
                enterprise.save()
    except IntegrityError:
        # The same code, written at the same moment by another request.
        enterprise = Enterprise.objects.get(credit_code=code)
    except ValidationError as exc:
        raise MembershipError(" ".join(exc.messages)) from None
    if enterprise.is_member:
        raise MembershipError(
            _(
                "%(name)s is a member of the chamber: its members log in to submit "
                "petitions."
            )
            % {"name": enterprise.name}
        )
    return enterprise


@transaction.atomic
def admit_enterprise(
    *,
    enterprise: Enterprise,
    actor: User,
    full_name: str,
    mobile: str,
    email: str,
    position: str = "",
    today: date | None = None,
) -> Member:
    """A non-member enterprise joins the chamber: active from today, its contact its
    first member, invited to choose a password (members.invitations, through the outbox).

    One transaction: a refused step (a login that exists, a mobile another user
    verified) leaves the enterprise a non-member.
    """
    today = today or timezone.localdate()
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.is_member:
        raise MembershipError(
            _("%(name)s is already a member of the chamber.")
            % {"name": enterprise.name}
        )
    user = _new_login(full_name=full_name, mobile=mobile, email=email)
    enterprise.status = Enterprise.Status.ACTIVE
    enterprise.joined_on = today
    enterprise.updated_at, enterprise.updated_by = timezone.now(), actor
    enterprise.save(update_fields=["status", "joined_on", "updated_at", "updated_by"])
    user.save()
    member = Member(
        user=user, enterprise=enterprise, mobile=user.mobile, position=position.strip()
    )
    member.full_clean()
    member.save()
    invitations.send_invitations(members=[member], actor=actor)
    return member


def _new_login(*, full_name: str, mobile: str, email: str) -> User:
    """A checked, unsaved login named by its mobile, with no usable password (as the
    members' import makes them); the number counts as verified: staff typed it."""
    mobile = normalise_phone(mobile)
    if User.objects.filter(username=mobile).exists():
        raise MembershipError(
            _(
                "There is already a login with the username %(username)s; give that "
                "user a member record in the admin instead."
            )
            % {"username": mobile}
        )
    user = User(
        username=mobile,
        full_name=" ".join(full_name.split()),
        email=email,
        mobile=mobile,
        mobile_verified_at=timezone.now(),
    )
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password", "first_name", "last_name"])
    except ValidationError as exc:
        raise MembershipError(" ".join(exc.messages)) from None
    return user
