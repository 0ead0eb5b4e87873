"""A district leader's instruction (批示) on a petition, and who may write one.

The instruction is an immutable PetitionEvent (kind "instruction") on the petition's
timeline: staff and the department read it; the enterprise reads only that district
leaders are following its petition, unless the leader marked the instruction for it.
It goes at once to the department's officials through the outbox, in the same
transaction; the department's next reply must say how it was carried out, which answers
it (`PetitionEvent.objects.open_instructions`, record_department_reply).
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chamber.models import User
from chamber.roles import roles_of
from petitions import emails
from petitions.models import Petition, PetitionEvent
from petitions.services.workflow import PetitionError, _event, _locked, _required

# The longest instruction a leader may write (the form says so first).
INSTRUCTION_MAX_LENGTH = 2000


@transaction.atomic
def write_instruction(
    *,
    petition: Petition,
    actor: User,
    text: str,
    for_enterprise: bool = False,
    now: datetime | None = None,
) -> PetitionEvent:
    """A district leader instructs on a petition: an event on its timeline, sent at once
    to the department's officials (in the outbox, in this transaction)."""
    text = _required(text, _("Write the instruction."))
    if len(text) > INSTRUCTION_MAX_LENGTH:
        raise PetitionError(
            _("An instruction has at most %(n)d characters.")
            % {"n": INSTRUCTION_MAX_LENGTH}
        )
    if not roles_of(actor).is_leader:
        raise PetitionError(_("Only a district leader can write an instruction."))
    petition = _locked(petition)
    if petition.has_ended:
        raise PetitionError(
            _("This petition has ended; an instruction can no longer be followed.")
        )
    escalation = petition.escalations.order_by("-created_at", "-pk").first()
    department = petition.department
    event = _event(
        petition,
        PetitionEvent.Kind.INSTRUCTION,
        actor=actor,
        note=text,
        public=for_enterprise,
        data={
            "for_enterprise": for_enterprise,
            "escalation_id": escalation.pk if escalation else None,
            "department_id": department.pk if department else None,
            "department": department.name if department else "",
        },
        now=now,
    )
    emails.instruction(event.pk)  # queued in the outbox, in this transaction
    return event
