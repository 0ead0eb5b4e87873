"""What happens next to a petition, as its enterprise reads it (等待受理, 已交办某局，
3月5日前答复, 请评价): one wording for every page and notice that tells a member.

It follows `Petition.section`, the one meaning of where a petition stands that the
department's queue, the staff's board and the reports share.
"""

from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext, pgettext

from petitions.models import Petition, Section


def due_text(day: date) -> str:
    """A due date as a sentence reads it: "3月5日" ("March 5")."""
    return dateformat.format(day, pgettext("format of a month and day", "F j"))


def next_step(petition: Petition, *, on: date) -> str:
    """The next step of `petition` on day `on`, in the reader's language; "" once it has
    ended. Reads `petition.department`: fetch it with the petition (select_related)."""
    section = petition.section(on)
    if section == Section.TO_TRIAGE:
        return gettext("Waiting to be accepted")
    if section == Section.WITH_CHAMBER:
        if petition.handling == Petition.Handling.DEPARTMENT:
            return gettext("Accepted; being sent to the department responsible")
        return gettext("Accepted; the chamber is handling it")
    if section == Section.ANSWERED:
        return gettext("Please rate the answer")
    if section == Section.ENDED:
        return ""
    department = petition.department.name
    if section == Section.AWAITING_INFO:
        return gettext(
            "%(department)s needs something from you: answer on the petition's page"
        ) % {"department": department}
    if section == Section.AWAITING_REVIEW:
        return gettext(
            "%(department)s has replied; the chamber reviews the reply and answers you"
        ) % {"department": department}
    words = {"department": department, "due": due_text(petition.due_on)}
    if section == Section.OVERDUE:
        return (
            gettext(
                "Sent to %(department)s, to be answered by %(due)s; the chamber is "
                "pressing for the answer"
            )
            % words
        )
    return gettext("Sent to %(department)s, to be answered by %(due)s") % words
