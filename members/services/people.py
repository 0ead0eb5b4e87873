from django.db import transaction
from django.utils import timezone

from chamber.models import User
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
