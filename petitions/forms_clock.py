"""Forms of the clock on a petition's pages: 待企业补充 (a request to the enterprise and
its answer), 延期 (an extension asked and decided) and 回访 (a return visit)."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chamber.uploads import CheckedFilesField
from petitions.forms import RatingForm, _text
from petitions.models import ReturnVisit
from petitions.services import MAX_ATTACHMENTS

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class InfoRequestForm(forms.Form):
    """The department (or staff) asks the enterprise for something (待企业补充)."""

    request = _text(
        capfirst(_("what the enterprise should provide")),
        rows=3,
        max_length=2000,
        help_text=_(
            "Documents, a date for a site visit…: the enterprise is told and answers "
            "on its petition's page. The time limit stops until it answers."
        ),
    )


class InfoAnswerForm(forms.Form):
    """The enterprise answers the open request, with files if it has them."""

    answer = _text(capfirst(_("your answer")), rows=4, max_length=5000)
    files = CheckedFilesField(
        label=capfirst(_("attachments")),
        required=False,
        max_files=MAX_ATTACHMENTS,
        help_text=_("Pictures or PDF documents, at most 5."),
    )


class CloseInfoRequestForm(forms.Form):
    """Staff close a request the enterprise left unanswered past its deadline."""

    note = _text(
        capfirst(_("note")),
        rows=2,
        required=False,
        max_length=2000,
        help_text=_("For the department, e.g. how the enterprise was reached."),
    )


class ExtensionForm(forms.Form):
    """The department asks once, before the due date, for a later one (延期)."""

    proposed_due = forms.DateField(
        label=capfirst(_("proposed due date")),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = _text(capfirst(_("reason")), rows=3, max_length=2000)


class ExtensionDecisionForm(forms.Form):
    """Staff approve or refuse an extension; a refusal gives the department its reason."""

    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label=capfirst(_("decision")),
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))],
    )
    note = _text(
        capfirst(_("reason for the decision")),
        rows=2,
        required=False,
        max_length=2000,
        help_text=_("Needed to refuse; the department reads it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not (data.get("note") or "").strip():
            self.add_error(
                "note", gettext("Give the department the reason for the refusal.")
            )
        return data


class ReturnVisitForm(RatingForm):
    """回访: how staff reached the enterprise, whom they spoke with, when, and its two
    answers; what is not solved or not satisfying needs a note, as in its own rating."""

    way = forms.ChoiceField(
        label=capfirst(_("how")),
        choices=ReturnVisit.Way.choices,
        widget=forms.RadioSelect,
        initial=ReturnVisit.Way.PHONE,
    )
    spoke_with = forms.CharField(
        label=capfirst(_("spoke with")),
        max_length=50,
        help_text=_("The person at the enterprise, e.g. 王经理."),
    )
    visited_at = forms.DateTimeField(
        label=capfirst(_("when")),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=LOCAL_MINUTE
        ),
        help_text=_("Beijing time."),
    )

    field_order = ["way", "spoke_with", "visited_at", "solved", "rating", "comment"]

    def __init__(self, *args, now: datetime | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].initial = timezone.localtime(now).replace(
            second=0, microsecond=0
        )
        self.fields["solved"].label = _("Was the problem solved?")
        self.fields["rating"].label = _("How satisfied is the enterprise?")
        self.fields["comment"].label = capfirst(_("note"))
        self.fields["comment"].help_text = _(
            "What the enterprise said; needed when it is not solved or not satisfied."
        )
