"""Forms of the petition pages: intake, the workflow steps, the rating and batch intake."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from chamber.models import Department
from chamber.phone import tidy_phone, validate_office_phone
from chamber.uploads import CheckedFilesField
from members.credit_code import normalise
from members.models import Enterprise
from petitions import today
from petitions.models import Category, Petition, channel_choices
from petitions.services import INSTRUCTION_MAX_LENGTH, MAX_ATTACHMENTS, BatchRow
from petitions.services.opinion_sheets import normalise_number


def _categories():
    return Category.objects.filter(is_active=True)


def _enterprises():
    return Enterprise.objects.exclude(status=Enterprise.Status.LEFT).only("pk", "name")


class SubmitForm(forms.Form):
    """A member's own petition, from the phone."""

    title = forms.CharField(
        label=capfirst(pgettext_lazy("heading", "title")), max_length=200
    )
    description = forms.CharField(
        label=capfirst(_("description")),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what you have tried, and what you ask for."),
    )
    category = forms.ModelChoiceField(
        label=capfirst(_("category")),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure (the chamber will choose)"),
    )
    files = CheckedFilesField(
        label=capfirst(_("attachments")),
        required=False,
        max_files=MAX_ATTACHMENTS,
        help_text=_("Pictures or PDF documents, at most 5."),
    )
    may_share_anonymously = forms.BooleanField(
        label=_("The chamber may share this petition without naming my enterprise"),
        required=False,
    )
    contact_name = forms.CharField(
        label=capfirst(_("contact person")),
        max_length=50,
        help_text=_("Whom the department calls about it."),
    )
    contact_phone = forms.CharField(
        label=capfirst(_("contact phone")),
        max_length=30,
        validators=[validate_office_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("A mobile or an office number, e.g. 13812345678 or 0417-2812345."),
    )

    field_order = [
        "title",
        "description",
        "category",
        "contact_name",
        "contact_phone",
        "files",
        "may_share_anonymously",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()

    def clean_contact_phone(self) -> str:
        return tidy_phone(self.cleaned_data["contact_phone"])


class StaffEntryForm(SubmitForm):
    """A petition received by phone, at the reception hall, on a consultation day or on a form."""

    channel = forms.ChoiceField(
        label=capfirst(_("channel")),
        # Online and the studio's QR code have their own ways in; staff enter the rest.
        choices=lambda: _channels_but(
            Petition.Channel.ONLINE, Petition.Channel.DUTY_STUDIO
        ),
    )
    enterprise = forms.ModelChoiceField(
        label=capfirst(_("enterprise")), queryset=Enterprise.objects.none()
    )
    activity = forms.ModelChoiceField(
        label=capfirst(_("session")),
        queryset=Activity.objects.none(),
        required=False,
        help_text=_(
            "The reception-hall session or consultation day, if it was raised at one."
        ),
    )

    field_order = [
        "channel",
        "enterprise",
        "activity",
        "contact_name",
        "contact_phone",
        "title",
        "description",
        "category",
        "files",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = _enterprises()
        self.fields["activity"].queryset = _sessions()
        del self.fields["may_share_anonymously"]
        # A caller may not leave a name or number; the enterprise's are on file.
        for name in ("contact_name", "contact_phone"):
            self.fields[name].required = False
            self.fields[name].help_text = ""


def _sessions():
    """Published activities of the last year, newest first: where petitions are raised."""
    from datetime import timedelta

    from django.utils import timezone

    return (
        Activity.objects.published()
        .filter(starts_at__gte=timezone.now() - timedelta(days=365))
        .select_related("series")
        .order_by("-starts_at")
    )


class DutyLogPetitionForm(forms.Form):
    title = forms.CharField(
        label=capfirst(pgettext_lazy("heading", "title")), max_length=200
    )
    description = forms.CharField(
        label=capfirst(_("description")),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ModelChoiceField(
        label=capfirst(_("category")),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure (the chamber will choose)"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


class AcceptForm(forms.Form):
    category = forms.ModelChoiceField(
        label=capfirst(_("category")), queryset=Category.objects.none()
    )
    priority = forms.ChoiceField(
        label=capfirst(_("priority")),
        choices=Petition.Priority.choices,
        initial="normal",
    )
    handling = forms.ChoiceField(
        label=capfirst(_("handling")),
        choices=Petition.Handling.choices,
        widget=forms.RadioSelect,
        initial=Petition.Handling.DEPARTMENT,
    )
    note = forms.CharField(label=capfirst(_("note")), max_length=2000, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=capfirst(_("department")), queryset=Department.objects.none()
    )
    note = forms.CharField(
        label=capfirst(_("note to the department")),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)


def _text(
    label, *, rows: int = 3, required: bool = True, max_length: int = 5000, help_text=""
):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReturnForm(forms.Form):
    basis = _text(
        capfirst(_("basis")),
        help_text=_(
            "Why this is not your department's duty (the rule or the responsible body)."
        ),
    )


class ProgressForm(forms.Form):
    note = _text(capfirst(_("progress")), rows=2)


class ReplyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")),
        choices=Petition.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reply = _text(capfirst(_("reply")), rows=5)
    follow_up_plan = _text(
        capfirst(_("follow-up plan")),
        rows=3,
        required=False,
        max_length=2000,
        help_text=_("Needed when the matter is not wholly resolved."),
    )
    instruction_answer = forms.CharField(
        label=_("How the district leader's instruction was carried out"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say how the district leader's instruction was carried out.")
        },
    )

    def __init__(self, *args, instruction_open: bool = False, **kwargs) -> None:
        """While a district leader's instruction (批示) is open, the reply must say how
        it was carried out; otherwise the field is not there."""
        super().__init__(*args, **kwargs)
        if instruction_open:
            self.fields["instruction_answer"].required = True
        else:
            del self.fields["instruction_answer"]

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if (
            outcome
            and outcome != Petition.Outcome.RESOLVED
            and not (data.get("follow_up_plan") or "").strip()
        ):
            self.add_error(
                "follow_up_plan",
                gettext("A petition not wholly resolved needs a follow-up plan."),
            )
        return data


class InstructionForm(forms.Form):
    """A district leader's instruction (批示) on a petition."""

    text = forms.CharField(
        label=_("Instruction"),
        max_length=INSTRUCTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the instruction.")},
        help_text=_(
            "Sent at once to the department; its next reply must say how it was "
            "carried out."
        ),
    )
    for_enterprise = forms.BooleanField(
        label=_("Show it to the enterprise"),
        required=False,
        help_text=_(
            "Unticked, the enterprise sees only that district leaders are following "
            "its petition."
        ),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")), choices=Petition.Outcome.choices, required=False
    )
    answer = _text(capfirst(_("answer to the enterprise")), rows=5)


class SendBackForm(forms.Form):
    note = _text(capfirst(_("what the reply is missing")), rows=2)


class RejectForm(forms.Form):
    reason = _text(capfirst(_("reason, for the enterprise")), rows=3)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=capfirst(_("merge into (number)")),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = _text(capfirst(_("reason, for the enterprise")), rows=2)

    def clean_into(self) -> Petition:
        number = self.cleaned_data["into"].strip().upper()
        found = Petition.objects.filter(number=number).first()
        if found is None:
            raise ValidationError(
                gettext("There is no petition numbered %(number)s.")
                % {"number": number}
            )
        return found


class NoteForm(forms.Form):
    note = _text(capfirst(_("note")), rows=2)
    public = forms.BooleanField(label=_("Show it to the enterprise"), required=False)


class RatingForm(forms.Form):
    """The enterprise's two answers: was the problem solved (问题是否解决), and how
    satisfied is it (满意度); what is not solved or not satisfying needs a comment."""

    RATINGS = [
        (r.value, r.label)
        for r in (
            Petition.Rating.SATISFIED,
            Petition.Rating.BASICALLY,
            Petition.Rating.UNSATISFIED,
        )
    ]

    solved = forms.ChoiceField(
        label=_("Was your problem solved?"),
        choices=Petition.Solved.choices,
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=RATINGS,
        widget=forms.RadioSelect,
    )
    comment = _text(
        capfirst(_("comment")),
        rows=3,
        required=False,
        max_length=2000,
        help_text=_(
            "If it is not solved or you are not satisfied, say what is still unresolved."
        ),
    )

    def clean(self):
        data = super().clean()
        needs_comment = (
            data.get("rating") == Petition.Rating.UNSATISFIED
            or data.get("solved") == Petition.Solved.UNSOLVED
        )
        if needs_comment and not (data.get("comment") or "").strip():
            self.add_error(
                "comment",
                gettext("Tell us what is still unresolved, so it can be followed up."),
            )
        return data


def _todo_choices() -> list[tuple[str, str]]:
    return [("", _("All")), *today.todo_choices()]


class StaffFilterForm(forms.Form):
    STATUSES = [
        ("", _("All")),
        ("open", pgettext_lazy("petitions not ended", "Open")),
        ("awaiting_review", _("Department replied, awaiting review")),
        ("overdue", _("Overdue at departments")),
        *Petition.Status.choices,
    ]

    q = forms.CharField(label=capfirst(_("search")), required=False, max_length=100)
    status = forms.ChoiceField(
        label=capfirst(pgettext_lazy("state of a record", "status")),
        choices=STATUSES,
        required=False,
    )
    channel = forms.ChoiceField(
        label=capfirst(_("channel")),
        choices=lambda: [("", _("All")), *channel_choices()],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=capfirst(_("category")),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    department = forms.ModelChoiceField(
        label=capfirst(_("department")),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    supervised = forms.BooleanField(label=_("Under supervision"), required=False)
    # An item of the day's work (今日待办), as the staff dashboard counts it.
    todo = forms.ChoiceField(
        label=_("Today's work"),
        choices=_todo_choices,
        required=False,
    )


# --- batch intake ----------------------------------------------------------------------


def _channels_but(*excluded: str) -> list[tuple[str, str]]:
    """The channels in use (the method's list, kept by staff), but these."""
    return [
        (c, name) for c, name in channel_choices(active_only=True) if c not in excluded
    ]


def batch_channels() -> list[tuple[str, str]]:
    """A batch comes from a session or a pile of forms: not online, the studio or a call."""
    C = Petition.Channel
    return _channels_but(C.ONLINE, C.DUTY_STUDIO, C.PHONE)


# Columns of the opinion-form sheet, in this order; the first row holds the headings.
SHEET_COLUMNS = (
    "enterprise",
    "contact_name",
    "contact_phone",
    "title",
    "description",
    "category",
    "sheet_number",  # the printed opinion form's number (征求意见表), if any
)
MAX_BATCH_ROWS = 500


class BatchForm(forms.Form):
    """The batch as a whole: its key (idempotency), channel, session and source."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label=capfirst(_("channel")), choices=batch_channels)
    activity = forms.ModelChoiceField(
        label=capfirst(_("session")), queryset=Activity.objects.none(), required=False
    )
    source = forms.CharField(
        label=capfirst(_("source")),
        max_length=120,
        required=False,
        help_text=_(
            "For instance: the November consultation day, forms collected by the small chamber."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = _sessions()


class BatchUploadForm(BatchForm):
    sheet = forms.FileField(
        label=capfirst(_("opinion-form sheet (Excel)")),
        help_text=_(
            "Columns: enterprise (name or credit code), contact, phone, title, description, category."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False


class BatchRowForm(forms.Form):
    """One row of a batch, typed or read from the sheet; the enterprise by name or credit code."""

    enterprise = forms.CharField(
        label=capfirst(_("enterprise")),
        max_length=100,
        widget=forms.TextInput(
            attrs={"list": "batch-enterprises", "autocomplete": "off"}
        ),
    )
    contact_name = forms.CharField(
        label=capfirst(_("contact person")), max_length=50, required=False
    )
    contact_phone = forms.CharField(
        label=capfirst(_("contact phone")), max_length=30, required=False
    )
    title = forms.CharField(
        label=capfirst(pgettext_lazy("heading", "title")), max_length=200
    )
    description = forms.CharField(
        label=capfirst(_("description")),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = forms.CharField(
        label=capfirst(_("category")),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "batch-categories", "autocomplete": "off"}
        ),
    )
    sheet_number = forms.CharField(
        label=capfirst(_("form number")),
        max_length=20,
        required=False,
        help_text=_(
            "The number printed on the opinion form: the petition then belongs to "
            "that form's session."
        ),
    )

    def __init__(self, *args, lookups: "BatchLookups", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lookups = lookups

    def clean_enterprise(self) -> Enterprise:
        text = " ".join(self.cleaned_data["enterprise"].split())
        found = self.lookups.enterprise(text)
        if found is None:
            raise ValidationError(
                gettext(
                    "No member enterprise is called %(name)s (type its name or credit code)."
                )
                % {"name": text}
            )
        return found

    def clean_category(self) -> Category | None:
        text = self.cleaned_data["category"].strip()
        if not text:
            return None
        found = self.lookups.category(text)
        if found is None:
            raise ValidationError(
                gettext("There is no category %(name)s.") % {"name": text}
            )
        return found

    def row(self) -> BatchRow:
        data = self.cleaned_data
        return BatchRow(
            enterprise=data["enterprise"],
            title=" ".join(data["title"].split()),
            description=data["description"].strip(),
            category=data["category"],
            contact_name=data["contact_name"].strip(),
            contact_phone=data["contact_phone"].strip(),
            sheet_number=normalise_number(data["sheet_number"]),
        )


class BatchLookups:
    """Enterprises and categories read once for a whole batch (two queries, whatever its size)."""

    def __init__(self) -> None:
        self.enterprises = list(_enterprises().only("pk", "name", "credit_code"))
        self._by_name = {e.name: e for e in self.enterprises}
        self._by_code = {e.credit_code: e for e in self.enterprises if e.credit_code}
        self.categories = list(_categories())
        self._categories = {c.name: c for c in self.categories} | {
            c.code: c for c in self.categories
        }

    def enterprise(self, text: str) -> Enterprise | None:
        return self._by_name.get(text) or self._by_code.get(normalise(text))

    def category(self, text: str) -> Category | None:
        return self._categories.get(text) or self._categories.get(text.lower())


def batch_row_formset(extra: int = 10):
    """Rows to type; `extra` empty rows (staff ask for more with ?rows=N)."""
    return forms.formset_factory(
        BatchRowForm,
        extra=max(1, min(extra, 100)),
        max_num=MAX_BATCH_ROWS,
        validate_max=True,
        absolute_max=MAX_BATCH_ROWS,
    )
