from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber.models import User
from chamber.phone import normalise_phone, tidy_phone, validate_mobile
from members.models import Area, ChamberTitle, Enterprise, Member


class ProfileForm(forms.ModelForm):
    """What a member may change about themselves: contact details and privacy, nothing else."""

    # Longer than the stored 11 digits: people type spaces, dashes and +86, cleaned below.
    mobile = forms.CharField(
        label=_("mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("e-mail"), required=False, max_length=254)
    # Whoever holds a stolen session must not take over the account by changing where
    # the password-reset e-mail (or a call) goes: changing them asks for the password.
    current_password = forms.CharField(
        label=_("your current password"),
        required=False,
        strip=False,
        max_length=128,
        help_text=_("Needed only to change your mobile phone or e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # Which news of their petitions the member is e-mailed (the page shows them apart).
    NOTICE_FIELDS = [
        "notify_accepted",
        "notify_dispatched",
        "notify_progress",
        "notify_answered",
    ]

    class Meta:
        model = Member
        fields = [
            "mobile",
            "email",
            "show_phone",
            "show_email",
            "notify_accepted",
            "notify_dispatched",
            "notify_progress",
            "notify_answered",
        ]

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].initial = self.instance.user.email
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.order_fields([*self.Meta.fields, "current_password"])

    def contact_fields(self) -> list:
        return [f for f in self if f.name not in self.NOTICE_FIELDS]

    def notice_fields(self) -> list:
        return [f for f in self if f.name in self.NOTICE_FIELDS]

    def clean(self) -> dict:
        """A new mobile or e-mail needs the current password (checked as a login is,
        so repeated wrong guesses lock the account like the login page does)."""
        from chamber.forms import password_is_right

        cleaned = super().clean()
        if self.errors:
            return cleaned
        user = self.instance.user
        changed = (
            cleaned.get("mobile", "") != self.instance.mobile
            or cleaned.get("email", "").lower() != user.email.lower()
        )
        if not changed:
            return cleaned
        password = cleaned.get("current_password") or ""
        if not password:
            self.add_error(
                "current_password",
                _("Type your current password to change your mobile phone or e-mail."),
            )
        elif not password_is_right(self.request, user, password):
            self.add_error(
                "current_password",
                _("The password is not right; nothing was changed."),
            )
        return cleaned

    def clean_mobile(self) -> str:
        return normalise_phone(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        taken = User.objects.filter(email__iexact=email).exclude(
            pk=self.instance.user_id
        )
        if email and taken.exists():
            raise forms.ValidationError(
                _(
                    "Another account uses this e-mail address; ask the secretariat if it is yours."
                )
            )
        return email


class EnterpriseContactForm(forms.ModelForm):
    """The details of an enterprise its members may keep up to date themselves."""

    phone = forms.CharField(
        label=_("phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    class Meta:
        model = Enterprise
        fields = ["introduction", "phone", "website", "address"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }

    def clean_phone(self) -> str:
        # As written; the model's validator checks the digits.
        return tidy_phone(self.cleaned_data["phone"])


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    area = forms.ChoiceField(
        label=_("area"),
        required=False,
        choices=[("", _("All areas")), *Area.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.ModelChoiceField(
        label=pgettext_lazy("job title", "title"),
        required=False,
        queryset=ChamberTitle.objects.all(),
        empty_label=_("All titles"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class AdmitForm(forms.Form):
    """Staff admit a non-member enterprise: who becomes its first member, and where the
    invitation to choose a password goes."""

    full_name = forms.CharField(label=_("full name"), max_length=50)
    mobile = forms.CharField(
        label=_("mobile phone"),
        max_length=20,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("The login's username, as for every member."),
    )
    email = forms.EmailField(
        label=_("e-mail"),
        max_length=254,
        help_text=_("The invitation to choose a password is sent here."),
    )
    position = forms.CharField(
        label=_("position in the enterprise"), max_length=50, required=False
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_mobile(self) -> str:
        return normalise_phone(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Another account uses this e-mail address."))
        return email
