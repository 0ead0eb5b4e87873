from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("from"), widget=DATE_INPUT)
    last = forms.DateField(label=_("until"), widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            raise forms.ValidationError(
                _("The last day cannot be before the first day.")
            )
        if first and last and (last - first).days > 400:
            raise forms.ValidationError(_("Generate at most a year at a time."))
        return data


class UnavailabilityForm(forms.Form):
    starts_on = forms.DateField(label=_("from"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("until"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("reason"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            raise forms.ValidationError(
                _("The last day cannot be before the first day.")
            )
        return data


class SwapAskForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ShiftEditForm(forms.Form):
    representative = forms.ModelChoiceField(
        label=_("representative"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Nobody (leave the week open)"),
    )
    note = forms.CharField(label=_("why"), max_length=200, required=False)

    def __init__(self, *args, choices: list[Member], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Member.objects.filter(
            pk__in=[m.pk for m in choices]
        ).select_related("user", "enterprise")
        self.fields["representative"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} · {m.enterprise.name}"
        )
