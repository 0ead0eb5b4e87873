"""Enterprise showcases: a member edits the page, staff approve it, the public sees it.

The public sees the text copied at the last approval (`public_*`) and the photos approved
with it; a member's later edits wait for staff without taking the page off the site.
Taking the page off the site (`is_listed`) needs no approval and works at once.
"""

from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber import outbox
from chamber.models import User
from members.models import Enterprise, Member
from publicity.models import Showcase, ShowcasePhoto

S = Showcase.Status
MAX_PHOTOS = 6
EDITED_FIELDS = ("introduction", "products", "website", "is_listed")


class ShowcaseError(Exception):
    """The step is not allowed now; the message is safe to show to the user."""


def showcase_of(enterprise: Enterprise) -> Showcase:
    """The enterprise's showcase, or a new unsaved draft for the form."""
    return Showcase.objects.filter(enterprise=enterprise).first() or Showcase(
        enterprise=enterprise,
        introduction=enterprise.introduction,
        website=enterprise.website,
    )


@transaction.atomic
def save_showcase(
    *,
    showcase: Showcase,
    actor: User,
    photos: list,
    remove_photo_ids: list[int],
    submit: bool,
) -> Showcase:
    """Save the member's edit (fields already set on `showcase` by the form).

    `photos` are uploads that passed `check_picture`. Sending it for approval makes it
    wait for staff; saving a draft of a page that was approved keeps the public page.
    """
    if showcase.pk:
        Showcase.objects.select_for_update().filter(pk=showcase.pk).first()
    kept = showcase.photos.count() if showcase.pk else 0
    kept -= len(remove_photo_ids)
    if kept + len(photos) > MAX_PHOTOS:
        raise ShowcaseError(
            _("A showcase holds at most %(n)d photos; remove some first.")
            % {"n": MAX_PHOTOS}
        )
    if submit:
        showcase.status = S.PENDING
        showcase.submitted_at = timezone.now()
    elif showcase.status not in (S.PENDING, S.RETURNED):
        # A returned showcase stays returned (with the staff's note) until it is sent.
        showcase.status = S.DRAFT
    showcase.save()
    if remove_photo_ids:
        for photo in showcase.photos.filter(pk__in=remove_photo_ids):
            photo.delete()
            # The file goes only once the rows are gone for good.
            transaction.on_commit(partial(photo.file.storage.delete, photo.file.name))
    if photos:
        ShowcasePhoto.store_all(photos, showcase=showcase)
    return showcase


@transaction.atomic
def approve_showcase(*, showcase: Showcase, actor: User) -> Showcase:
    """Publish what the member sent: the text and every photo now on the showcase."""
    showcase = Showcase.objects.select_for_update().get(pk=showcase.pk)
    if showcase.status != S.PENDING:
        raise ShowcaseError(_("Only a showcase waiting for approval can be approved."))
    showcase.public_introduction = showcase.introduction
    showcase.public_products = showcase.products
    showcase.public_website = showcase.website
    showcase.status = S.APPROVED
    showcase.approved_at = timezone.now()
    showcase.reviewed_by = actor
    showcase.review_note = ""
    showcase.save()
    showcase.photos.update(is_approved=True)
    _tell_members("showcase-approved", showcase)
    return showcase


@transaction.atomic
def return_showcase(*, showcase: Showcase, actor: User, note: str) -> Showcase:
    """Send the showcase back to its members with what to change; the public page stays."""
    showcase = Showcase.objects.select_for_update().get(pk=showcase.pk)
    if showcase.status != S.PENDING:
        raise ShowcaseError(_("Only a showcase waiting for approval can be returned."))
    note = " ".join(note.split())
    if not note:
        raise ShowcaseError(_("Say what the members should change."))
    showcase.status = S.RETURNED
    showcase.reviewed_by = actor
    showcase.review_note = note[:300]
    showcase.save()
    _tell_members("showcase-returned", showcase)
    return showcase


def _tell_members(name: str, showcase: Showcase) -> None:
    """The enterprise's members hear of the staff's decision, through the outbox, in
    this transaction (one message per member and decision)."""
    members = Member.objects.filter(
        enterprise_id=showcase.enterprise_id, user__is_active=True
    ).select_related("user", "enterprise")
    stamp = timezone.now().isoformat()
    path = reverse("publicity:my_showcase")
    outbox.queue_all(
        outbox.Notice(
            f"{name}:{showcase.pk}:{stamp}:{member.user_id}",
            name,
            member.user,
            {"showcase": showcase, "path": path},
        )
        for member in members
    )
