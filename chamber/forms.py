from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber.models import OutgoingMessage
from chamber.outbox_kinds import KINDS


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
    """Django's reset form, sending through the outbox: the request writes the message
    and answers alike, and as fast, for an address we know and one we do not (no SMTP
    round trip to time)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        from chamber import outbox

        # One message per link asked for (the token changes with every request).
        user = context["user"]
        outbox.queue(
            f"password-reset:{user.pk}:{context['token']}",
            "password-reset",
            user,
            context,
        )


# --- the outbox page (staff) ------------------------------------------------------------


class OutboxFilterForm(forms.Form):
    """The outbox page's filters: the recipient, the status, the channel and the kind."""

    q = forms.CharField(
        label=capfirst(_("recipient")),
        required=False,
        max_length=100,
        help_text=_("Name, username or e-mail address"),
    )
    status = forms.ChoiceField(
        label=capfirst(pgettext_lazy("state of a record", "status")),
        choices=[("", _("All")), *OutgoingMessage.Status.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=capfirst(_("channel")),
        choices=[("", _("All")), *OutgoingMessage.Channel.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=capfirst(pgettext_lazy("message", "kind")),
        choices=[("", _("All")), *KINDS.items()],
        required=False,
    )


BIGGEST_ID = 2**63 - 1  # the largest value of a 64-bit integer column


class _MessageIds(forms.ModelMultipleChoiceField):
    """Ticked messages. An id no database integer holds is refused before the lookup
    (SQLite raises on it in `pk__in`, where PostgreSQL finds nothing)."""

    def clean(self, value):
        for pk in value or ():
            if not str(pk).isdigit() or int(pk) > BIGGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class OutboxSelectionForm(forms.Form):
    """The messages staff act on from the list: the ticked ones, or the one whose own
    button was pressed; and the list's filters to return to."""

    message = _MessageIds(queryset=OutgoingMessage.objects.all(), required=False)
    only = forms.ModelChoiceField(
        queryset=OutgoingMessage.objects.all(), required=False
    )
    back = forms.CharField(required=False, max_length=500)

    def chosen(self):
        """The messages chosen: a queryset, empty when none was."""
        if self.cleaned_data.get("only"):
            return OutgoingMessage.objects.filter(pk=self.cleaned_data["only"].pk)
        return self.cleaned_data.get("message") or OutgoingMessage.objects.none()
