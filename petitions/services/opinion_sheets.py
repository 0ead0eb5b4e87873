"""Printed opinion forms (征求意见表) of a session and their numbers.

Staff print N forms for a consultation day or a reception-hall session: N numbers are
taken at once under the session's row lock (YJ<session>-001, -002, …) and the forms are
printed one per page. When the filled-in paper is typed in with a batch, its number
ties the petition to its session (the channel follows from the session's type), and a
form entered once is refused the second time, naming the petition it became.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from chamber.models import User
from petitions import entry
from petitions.models import OpinionSheet
from petitions.services.workflow import PetitionError

MAX_SHEETS = 200  # forms printed at once (one PDF of one page each)
NUMBER_PREFIX = "YJ"


def sheet_number(activity_id: int, serial: int) -> str:
    return f"{NUMBER_PREFIX}{activity_id}-{serial:03d}"


def normalise_number(text: str) -> str:
    """A form number as typed on paper or in a sheet: spaces gone, letters upper case."""
    return "".join(str(text).split()).upper()


@transaction.atomic
def print_opinion_sheets(
    *, activity: Activity, count: int, actor: User, now: datetime | None = None
) -> list[OpinionSheet]:
    """Take `count` new form numbers of a session (three queries, whatever the count)."""
    if entry.session_channel(activity) is None:
        raise PetitionError(_("Only a session's opinion forms are printed."))
    if not 1 <= count <= MAX_SHEETS:
        raise PetitionError(
            _("Print between 1 and %(n)d forms at once.") % {"n": MAX_SHEETS}
        )
    # The session's row lock: two staff printing at once take different serials.
    list(Activity.objects.select_for_update().filter(pk=activity.pk).values("pk"))
    last = (
        OpinionSheet.objects.filter(activity=activity).aggregate(last=Max("serial"))[
            "last"
        ]
        or 0
    )
    now = now or timezone.now()
    return OpinionSheet.objects.bulk_create(
        OpinionSheet(
            number=sheet_number(activity.pk, serial),
            activity=activity,
            serial=serial,
            printed_at=now,
            printed_by=actor,
        )
        for serial in range(last + 1, last + count + 1)
    )


def sheets_to_enter(numbers: Iterable[str]) -> dict[str, OpinionSheet]:
    """The forms a batch names, locked, by number (one query); refuses a number that
    does not exist, one entered already, and one named twice in the batch."""
    numbers = [n for n in numbers if n]
    twice = sorted(n for n, times in Counter(numbers).items() if times > 1)
    if twice:
        raise PetitionError(
            _("Opinion form %(number)s appears more than once in this batch.")
            % {"number": twice[0]}
        )
    if not numbers:
        return {}
    found = {
        s.number: s
        # Only the sheets' rows are locked (PostgreSQL locks no row of the nullable
        # side of an outer join: the petition a sheet may not have become yet).
        for s in OpinionSheet.objects.select_for_update(of=("self",))
        .select_related("activity__type", "petition")
        .filter(number__in=numbers)
    }
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise PetitionError(
            _("There is no printed opinion form numbered %(number)s.")
            % {"number": unknown[0]}
        )
    for number in numbers:
        petition = found[number].petition
        if petition is not None:
            raise PetitionError(
                _(
                    "Opinion form %(number)s was entered already: it became petition "
                    "%(petition)s."
                )
                % {"number": number, "petition": petition.number}
            )
    return found
