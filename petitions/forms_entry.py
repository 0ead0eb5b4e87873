"""Forms of the QR entry points: a member's petition from the studio or a session, and
the petition of an enterprise that is not a member, its mobile verified by SMS code."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chamber.phone import normalise_phone, validate_mobile
from members.credit_code import normalise, validate_credit_code
from members.models import Area, Enterprise
from petitions.forms import SubmitForm

_SPACES = re.compile(r"[\s\u3000]+")


class EntryForm(SubmitForm):
    """A member's petition from a QR code: the channel, week or session come from the
    page, never from the post; the hidden `entry` carries the week the form was opened in."""

    entry = forms.CharField(required=False, widget=forms.HiddenInput)


class GuestPetitionForm(SubmitForm):
    """The petition of an enterprise that is not a member: its mobile (verified by an
    SMS code), its name and unified social credit code, a contact, and the petition.

    No attachments: a visitor without an account sends text only.
    """

    mobile = forms.CharField(
        label=capfirst(_("mobile phone")),
        max_length=20,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("The chamber sends a code to it, and calls it about the petition."),
    )
    code = forms.RegexField(
        label=capfirst(_("code from the SMS")),
        regex=r"^\s*\d{6}\s*$",
        required=False,
        error_messages={"invalid": _("Enter the 6-digit code from the SMS.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
    enterprise_name = forms.CharField(
        label=capfirst(_("enterprise name")),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    credit_code = forms.CharField(
        label=capfirst(_("unified social credit code")),
        max_length=30,
        help_text=_("18 characters, printed on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    area = forms.ChoiceField(label=capfirst(_("area")), choices=Area.choices)
    entry = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = [
        "mobile",
        "code",
        "enterprise_name",
        "credit_code",
        "area",
        "contact_name",
        "title",
        "description",
        "category",
        "may_share_anonymously",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The verified mobile is the contact phone; a visitor attaches no files.
        del self.fields["contact_phone"]
        del self.fields["files"]
        self.fields["contact_name"].help_text = _("Whom the chamber calls about it.")
        self.order_fields(self.field_order)

    def clean_mobile(self) -> str:
        return normalise_phone(self.cleaned_data["mobile"])

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_enterprise_name(self) -> str:
        return " ".join(self.cleaned_data["enterprise_name"].split())

    def clean_credit_code(self) -> str:
        code = normalise(_SPACES.sub("", self.cleaned_data["credit_code"]))
        validate_credit_code(code)
        found = Enterprise.objects.filter(credit_code=code).first()
        if found is not None and found.is_member:
            raise ValidationError(
                _(
                    "%(name)s is a member of the chamber: its members log in to "
                    "submit petitions."
                )
                % {"name": found.name},
                code="member",
            )
        return code

    def keep_only(self, *names: str) -> None:
        """Show only the errors of these fields: a step that checks one field (sending
        the code) keeps everything typed without scolding the rest."""
        for name in list(self.errors):
            if name not in names:
                del self.errors[name]
