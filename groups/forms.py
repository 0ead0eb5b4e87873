from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import ActivityGroup, AwardKind
from members.models import Member


class ManualPointsForm(forms.Form):
    """Staff award or deduct points by hand; the reason is shown to everyone."""

    member = forms.ModelChoiceField(
        label=_("member"), queryset=Member.objects.select_related("user", "enterprise")
    )
    points = forms.IntegerField(label=_("points"), min_value=-100, max_value=100)
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} · {m.enterprise.name}"
        )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("why this entry is cancelled"), max_length=200)


class ConfirmAwardForm(forms.Form):
    """Staff confirm a winner of an award; someone other than the proposal needs a reason."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    rank = forms.IntegerField(
        min_value=1, max_value=100, required=False, widget=forms.HiddenInput
    )
    override_reason = forms.CharField(
        label=_("why not the proposed candidate"), max_length=200, required=False
    )

    def target_object(self, kind: AwardKind, year: int):
        pk = self.cleaned_data["target"]
        if kind.awarded_to == AwardKind.For.GROUP:
            return ActivityGroup.objects.filter(year=year, pk=pk).first()
        return Member.objects.filter(pk=pk, group_memberships__year=year).first()
