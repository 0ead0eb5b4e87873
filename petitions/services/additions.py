"""The enterprise adds to its open petition instead of filing the matter again (补充诉求,
issue 20 item 6): one public event on the petition, and whoever holds it is told."""

from collections.abc import Sequence
from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.models import User
from chamber.roles import roles_of
from petitions import emails
from petitions.models import Petition, PetitionEvent
from petitions.services.intake import attach_files
from petitions.services.workflow import PetitionError, _event, _locked, _required

S = Petition.Status


def holder(petition: Petition) -> str:
    """Who has the petition in hand: "department" while a department works on it
    (dispatched, in progress or waiting for the enterprise, before its reply),
    "chamber" otherwise (to triage, with the chamber, the reply under review, answered)."""
    if petition.department_id is not None and (
        petition.is_waiting_at_department or petition.status == S.AWAITING_INFO
    ):
        return "department"
    return "chamber"


@transaction.atomic
def add_to_petition(
    *,
    petition: Petition,
    actor: User,
    title: str,
    description: str,
    files: Sequence[File] = (),
    now: datetime | None = None,
) -> PetitionEvent:
    """A member adds to an open petition of their own enterprise: what they typed (a
    title, optional, and the text) becomes a public event of kind ADDITION, the files
    are attached to the petition, and the department's officials (while it is with
    the department) or the staff who handle petitions are told, in this transaction."""
    now = now or timezone.now()
    title = " ".join((title or "").split())
    description = _required(description, _("Write what you add to the petition."))
    member = roles_of(actor).member
    if member is None or member.enterprise_id != petition.enterprise_id:
        raise PetitionError(_("Only the enterprise's members may add to its petition."))
    petition = _locked(petition)
    if petition.has_ended:
        raise PetitionError(
            _("Petition %(number)s has ended: submit a new petition instead.")
            % {"number": petition.number}
        )
    stored = attach_files(petition=petition, files=files, actor=actor) if files else []
    event = _event(
        petition,
        PetitionEvent.Kind.ADDITION,
        actor=actor,
        note=f"{title}\n{description}" if title else description,
        public=True,
        data={
            "title": title,
            "holder": holder(petition),
            "department_id": petition.department_id,
            "attachments": len(stored),
        },
        now=now,
    )
    emails.added(event.pk)  # to whoever holds it, in the outbox, this transaction
    return event
