from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LoginForm(AuthenticationForm):
    """Django's login form, with the autofill hints phones need."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        # Refused before anyone looks it up: the lockout's table keeps 255 characters.
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password"}
        )


def password_is_right(request, user, password: str) -> bool:
    """The user's current password, checked as a login is: through django-axes, so wrong
    guesses count toward the lockout."""
    from django.contrib.auth import authenticate

    return (
        authenticate(request, username=user.get_username(), password=password) == user
    )


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class PasswordCheckForm(forms.Form):
    """The current password, asked again before the second factor is replaced."""

    current_password = forms.CharField(
        label=_("your current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not password_is_right(self.request, self.request.user, password):
            raise forms.ValidationError(
                _("The password is not right; nothing was changed.")
            )
        return password


class SetupForm(CodeForm):
    """The first code of a new authenticator; the password too when one exists."""

    def __init__(self, *args, request=None, replacing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if replacing:
            self.fields["current_password"] = PasswordCheckForm.base_fields[
                "current_password"
            ]

    clean_current_password = PasswordCheckForm.clean_current_password


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the worker: the request answers alike, and as
    fast, for an address we know and one we do not (no SMTP round trip to time)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        from django.template import loader

        from chamber.tasks import send_password_reset

        subject = "".join(
            loader.render_to_string(subject_template_name, context).splitlines()
        )
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        send_password_reset.delay(subject, body, html, to_email, from_email)
