from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chamber.phone import tidy_phone, validate_office_phone
from chamber.uploads import CheckedFilesField, max_upload_mb
from members.models import DutyLogEntry, DutyShift, Enterprise
from members.services.duty_log import MAX_ATTACHMENTS, DutyLogError, check_visit_time

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class DutyLogEntryForm(forms.ModelForm):
    """One visitor to the studio; the week, the recorder and the times are set by the service."""

    files = CheckedFilesField(
        label=capfirst(_("attachments")),
        required=False,
        max_files=MAX_ATTACHMENTS,
    )

    class Meta:
        model = DutyLogEntry
        fields = [
            "visitor_name",
            "enterprise",
            "visitor_enterprise",
            "visitor_phone",
            "visited_at",
            "subject",
            "notes",
            "appeal",
        ]
        widgets = {
            "visited_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=LOCAL_MINUTE
            ),
            "visitor_phone": forms.TextInput(
                attrs={"inputmode": "tel", "autocomplete": "off"}
            ),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "appeal": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "enterprise": _("If the visitor comes from a member enterprise, pick it."),
            "visitor_enterprise": _("Otherwise type the name of their enterprise."),
        }

    def __init__(
        self, *args, shift: DutyShift, now: datetime | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shift = shift
        self.now = now or timezone.now()
        self.fields["enterprise"].queryset = Enterprise.objects.members().only(
            "pk", "name"
        )
        self.fields["enterprise"].empty_label = _("— not a member enterprise —")
        self.fields["visited_at"].initial = timezone.localtime(self.now).replace(
            second=0, microsecond=0
        )
        # The model's callable default would add a hidden copy of the initial time.
        self.fields["visited_at"].show_hidden_initial = False
        self.fields["files"].widget.attrs["accept"] = (
            "image/png,image/jpeg,image/gif,image/webp,application/pdf"
        )
        self.fields["files"].help_text = _(
            "Up to %(n)d pictures or PDF documents, %(mb)d MB each."
        ) % {"n": MAX_ATTACHMENTS, "mb": max_upload_mb()}

    def clean_visitor_phone(self) -> str:
        phone = tidy_phone(self.cleaned_data["visitor_phone"])
        if phone:
            validate_office_phone(phone)  # a mobile or an office number
        return phone

    def clean_visited_at(self) -> datetime:
        visited_at = self.cleaned_data["visited_at"]
        try:
            check_visit_time(shift=self.shift, visited_at=visited_at, now=self.now)
        except DutyLogError as exc:
            raise forms.ValidationError(str(exc)) from None
        return visited_at


class WeekChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DutyShift) -> str:
        name = obj.representative.user.get_full_name() if obj.representative else "—"
        return f"{obj.week_start:%Y-%m-%d} – {obj.week_end:%m-%d} · {name}"


class DutyLogFilterForm(forms.Form):
    """The staff's filters on the whole log: one duty week, visits with an appeal."""

    week = WeekChoiceField(
        label=_("duty week"),
        required=False,
        queryset=DutyShift.objects.none(),
        empty_label=_("All weeks"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    appeal = forms.BooleanField(
        label=_("Only visits with an appeal"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only weeks that have something in the log are worth offering.
        self.fields["week"].queryset = (
            DutyShift.objects.filter(log_entries__isnull=False)
            .distinct()
            .select_related("representative__user")
            .order_by("-week_start")
        )
