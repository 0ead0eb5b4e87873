"""The forms of the channels page (chamber/views_channels.py)."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from chamber.channels import choices
from chamber.models import NoticeChannels
from chamber.outbox_kinds import kind_label
from chamber.phone import normalise_phone, validate_mobile

FIELDS = ("email", "sms", "wechat")


class ChannelsForm(forms.Form):
    """One row of three boxes (e-mail, SMS, WeChat) for each kind the person receives."""

    def __init__(self, *args, user, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.kinds = user, kinds
        current = choices.chosen((user.pk, kind) for kind in kinds)
        for kind in kinds:
            for channel in FIELDS:
                self.fields[f"{kind}:{channel}"] = forms.BooleanField(
                    label=choices.CHANNEL_LABELS[channel],
                    required=False,
                    initial=getattr(current[(user.pk, kind)], channel),
                )

    def rows(self):
        """(kind in words, its three fields) for the template."""
        return [
            (kind_label(kind), [self[f"{kind}:{channel}"] for channel in FIELDS])
            for kind in self.kinds
        ]

    def clean(self):
        data = super().clean()
        for kind in self.kinds:
            if not any(data.get(f"{kind}:{channel}") for channel in FIELDS):
                raise forms.ValidationError(
                    _("Keep at least one channel for “%(kind)s”.")
                    % {"kind": kind_label(kind)}
                )
        return data

    @transaction.atomic
    def save(self) -> None:
        """A row for each kind that differs from its default; none for the others."""
        for kind in self.kinds:
            picked = choices.Choice(
                **{c: self.cleaned_data[f"{kind}:{c}"] for c in FIELDS}
            )
            if picked == choices.Choice.default(kind):
                NoticeChannels.objects.filter(user=self.user, kind=kind).delete()
            else:
                NoticeChannels.objects.update_or_create(
                    user=self.user,
                    kind=kind,
                    defaults={c: getattr(picked, c) for c in FIELDS},
                )


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("mobile phone"),
        max_length=20,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self) -> str:
        return normalise_phone(self.cleaned_data["mobile"])


class MobileCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code from the SMS.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
