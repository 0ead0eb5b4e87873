"""Each kind of outgoing message in words, for the staff's outbox page (发件箱).

A message's kind is the name of its e-mail templates (templates/emails/<kind>-*.txt);
tests/chamber/test_outbox_page.py fails for a template without its label here.
"""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "activity-cancelled": _("Activity cancelled"),
    "activity-promoted": _("Moved up from the waiting list"),
    "activity-registered": _("Signed up for an activity"),
    "activity-reminder": _("Activity reminder"),
    "group-without-activity": _("Group without an activity this month"),
    "invitation": _("Invitation to the portal"),
    "leader-digest": _("Weekly escalations to the district leaders"),
    "monthly-news": _("Monthly news to members"),
    "password-reset": _("Password reset"),
    "petition-accepted": _("Petition accepted, to the enterprise"),
    "petition-addition": _(
        "An enterprise's addition to its petition, to the department or staff"
    ),
    "petition-answered": _("Answer to a petition"),
    "petition-dispatched": _("Petition dispatched to a department"),
    "petition-due": _("Petitions due soon"),
    "petition-extension-asked": _("Extension asked by a department, to staff"),
    "petition-extension-decided": _("Extension decided, to a department"),
    "petition-overdue": _("Overdue petition under supervision, to a department"),
    "petition-from-duty-log": _("Petition registered from the duty log, to staff"),
    "petition-info-answered": _(
        "The enterprise's answer to a request, to a department"
    ),
    "petition-info-requested": _("Request for information, to the enterprise"),
    "petition-instruction": _("District leader's instruction to a department"),
    "petition-instruction-to-staff": _("District leader's instruction, to staff"),
    "petition-department-report": _("A department's line of the period report"),
    "petition-period-report": _("Monthly or quarterly report"),
    "petition-progress": _("A department's progress, to the enterprise"),
    "petition-replied": _("A department's reply to review, to staff"),
    "petition-returned": _("Petition returned by a department, to staff"),
    "petition-review": _("Review cycle report"),
    "petition-sent-to-department": _(
        "Petition sent to a department, to the enterprise"
    ),
    "petition-staff-digest": _("Daily digest of petition events, to staff"),
    "petition-unsatisfied": _("Answer rated unsatisfied, to staff"),
    "rota-reminder": _("Duty week reminder"),
    "rota-swap-accepted": _("Duty week taken over"),
    "rota-swap-lapsed": _("Duty week swap not taken"),
    "rota-swap-request": _("Duty week swap request"),
    "rota-unavailable": _("Representative cannot serve a duty week"),
    "showcase-approved": _("Showcase published"),
    "sms-code": _("Verification code by SMS"),
    "showcase-returned": _("Showcase returned for changes"),
    "weekly-digest": _("Weekly digest to a department"),
}


def kind_label(kind: str) -> str:
    """The kind in words; a kind without a label shows as stored."""
    return str(KINDS.get(kind, kind))
