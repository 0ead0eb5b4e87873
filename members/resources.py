"""Enterprises and members in and out of spreadsheets (django-import-export), with Chinese headers.

Headers are the translated column names, so the staff work with 统一社会信用代码 and
手机号码; a file with the English headers of the same columns is read too. A row that
does not validate (a mistyped credit code, an unknown industry, a bad mobile number,
a code twice in the file, …) is reported with the column and the reason, and then the
admin refuses the whole file (chamber.exports.SpreadsheetAdminMixin).
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from chamber.exports import FormulaSafeResourceMixin, restore_formula_text
from chamber.phone import normalise_phone, tidy_phone, validate_mobile
from members.credit_code import normalise
from members.models import Area, Enterprise, Industry, Member

User = get_user_model()

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class TextWidget(widgets.CharWidget):
    """Text as typed, without the apostrophe our exports put before formula characters."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell in Excel, such as a phone number
        return restore_formula_text(super().clean(value, row, **kwargs).strip())


class PhoneWidget(TextWidget):
    """An office phone stored the way the portal's forms store it: as written, tidied."""

    def clean(self, value, row=None, **kwargs):
        return tidy_phone(super().clean(value, row, **kwargs))


class CreditCodeWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalise(force_str(value)) if value not in (None, "") else ""


class MobileWidget(widgets.CharWidget):
    """A mainland mobile number, with +86 and spaces dropped; required (it identifies the member)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell in Excel
        number = normalise_phone(force_str(value)) if value is not None else ""
        if not number:
            raise ValueError(_("Enter the mobile number: it identifies the member."))
        try:
            validate_mobile(number)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return number


class DateWidget(widgets.DateWidget):
    """A date from a date cell or typed as 2024-03-01, 2024/3/1 or 2024年3月1日."""

    def __init__(self) -> None:
        super().__init__()
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("Enter a date such as 2024-03-01.")) from None


class ChoiceWidget(widgets.Widget):
    """A choice written as its label in either language, or as the stored value.

    An empty cell gives `empty`: "" clears the field; None (with the field's
    saves_null_values=False) keeps what is stored, or the model's default.
    """

    def __init__(self, choices, empty: str | None = "") -> None:
        super().__init__()
        self.choices = choices
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return self.empty
        for choice in self.choices:
            if text.lower() == choice.value or text in _labels(choice.label):
                return choice.value
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {
                "value": text,
                "choices": "、".join(str(c.label) for c in self.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        try:
            return str(self.choices(value).label)
        except ValueError:
            return value


class LookupWidget(widgets.ForeignKeyWidget):
    """A related object named by one of its fields; an unknown name is a row error naming it."""

    def __init__(self, model, field: str, not_found: str, normalise=str.strip) -> None:
        super().__init__(model, field)
        self.not_found = not_found
        self.normalise = normalise

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        text = self.normalise(restore_formula_text(text))
        if not text:
            return None
        try:
            return super().clean(text, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(self.not_found % {"value": text}) from None


def _labels(label) -> set[str]:
    """A choice's label in every language of the portal."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(str(label))
    return found


def _verbose(model, name: str):
    return model._meta.get_field(name).verbose_name


class ChamberResource(FormulaSafeResourceMixin, resources.ModelResource):
    """What both resources share: headers in either language, one row per key, errors by column."""

    #: The resource field whose value may appear only once in a file.
    unique_in_file: str = ""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._first_rows: dict = {}
        self._repeats: dict = {}

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        dataset.headers = self._translated_headers(dataset.headers or [])
        self._first_rows = {}
        self._repeats = {}
        if self.unique_in_file:
            self._find_repeats(dataset)

    def _translated_headers(self, headers: list) -> list:
        """Headers in the active language, whichever language the file was written in."""
        aliases = {}
        for field in self.fields.values():
            current = force_str(field.column_name)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    aliases[force_str(field.column_name)] = current
        return [
            aliases.get(str(h).strip(), str(h).strip()) if h is not None else h
            for h in headers
        ]

    def _find_repeats(self, dataset) -> None:
        field = self.fields[self.unique_in_file]
        column = force_str(field.column_name)
        if column not in dataset.headers:
            return
        for number, row in enumerate(dataset.dict, start=1):
            try:
                key = field.clean(row)
            except ValueError:
                continue
            if not key:
                continue
            if key in self._first_rows:
                self._repeats[number] = (key, self._first_rows[key])
            else:
                self._first_rows[key] = number

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        repeat = self._repeats.get(kwargs.get("row_number"))
        if repeat:
            attribute = self.fields[self.unique_in_file].attribute
            errors.setdefault(attribute, []).append(
                ValidationError(
                    _("%(value)s appears twice in this file: it was on row %(row)d.")
                    % {"value": repeat[0], "row": repeat[1]},
                    code="repeated",
                )
            )
        if errors:
            raise ValidationError(errors)

    def by_column(self, error: ValidationError) -> ValidationError:
        """The same errors, keyed by the column headers the staff see in their file."""
        columns = {}
        for field in self.fields.values():
            columns.setdefault(field.attribute, field.column_name)
            columns.setdefault(field.attribute.split("__")[0], field.column_name)
        keyed = {}
        for key, errors in error.error_dict.items():
            if key == NON_FIELD_ERRORS:
                label = key
            elif key in columns:
                label = force_str(columns[key])
            else:
                label = key
            keyed.setdefault(label, []).extend(errors)
        return ValidationError(keyed)


class EnterpriseResource(ChamberResource):
    """Enterprises, matched by credit code; industry by name; area, size and status by label."""

    name = fields.Field(
        attribute="name",
        column_name=gettext_lazy("enterprise name"),
        widget=TextWidget(),
    )
    credit_code = fields.Field(
        attribute="credit_code",
        column_name=_verbose(Enterprise, "credit_code"),
        widget=CreditCodeWidget(),
    )
    industry = fields.Field(
        attribute="industry",
        column_name=_verbose(Enterprise, "industry"),
        widget=LookupWidget(
            Industry,
            "name",
            gettext_lazy(
                "There is no industry called “%(value)s”: add it under Industries first, or correct the name."
            ),
        ),
    )
    area = fields.Field(
        attribute="area",
        column_name=_verbose(Enterprise, "area"),
        widget=ChoiceWidget(Area),
    )
    size = fields.Field(
        attribute="size",
        column_name=_verbose(Enterprise, "size"),
        widget=ChoiceWidget(Enterprise.Size),
    )
    status = fields.Field(
        attribute="status",
        column_name=_verbose(Enterprise, "status"),
        widget=ChoiceWidget(Enterprise.Status, empty=None),
        saves_null_values=False,
    )
    legal_representative = fields.Field(
        attribute="legal_representative",
        column_name=_verbose(Enterprise, "legal_representative"),
        widget=TextWidget(),
    )
    address = fields.Field(
        attribute="address",
        column_name=_verbose(Enterprise, "address"),
        widget=TextWidget(),
    )
    phone = fields.Field(
        attribute="phone",
        column_name=_verbose(Enterprise, "phone"),
        widget=PhoneWidget(),
    )
    website = fields.Field(
        attribute="website",
        column_name=_verbose(Enterprise, "website"),
        widget=TextWidget(),
    )
    introduction = fields.Field(
        attribute="introduction",
        column_name=_verbose(Enterprise, "introduction"),
        widget=TextWidget(),
    )
    joined_on = fields.Field(
        attribute="joined_on",
        column_name=_verbose(Enterprise, "joined_on"),
        widget=DateWidget(),
    )

    unique_in_file = "credit_code"

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "industry",
            "area",
            "size",
            "status",
            "legal_representative",
            "address",
            "phone",
            "website",
            "introduction",
            "joined_on",
        ]
        import_id_fields = ["credit_code"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Enterprise.objects.select_related("industry")

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        try:
            super().validate_instance(
                instance, import_validation_errors, validate_unique
            )
        except ValidationError as exc:
            raise self.by_column(exc) from None

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            instance.updated_at = timezone.now()
            instance.updated_by = kwargs.get("user")


class MemberResource(ChamberResource):
    """Members, matched by mobile number; a new row also creates the member's login.

    The login's username is the mobile number and it has no usable password: the
    member chooses one through an invitation (members.invitations).
    """

    full_name = fields.Field(
        attribute="user__full_name",
        column_name=_verbose(User, "full_name"),
        widget=TextWidget(),
    )
    mobile = fields.Field(
        attribute="mobile",
        column_name=_verbose(Member, "mobile"),
        widget=MobileWidget(),
    )
    email = fields.Field(
        attribute="user__email",
        column_name=gettext_lazy("e-mail"),
        widget=TextWidget(),
    )
    enterprise = fields.Field(
        attribute="enterprise",
        column_name=gettext_lazy("enterprise credit code"),
        widget=LookupWidget(
            Enterprise,
            "credit_code",
            gettext_lazy(
                "No member enterprise has the credit code %(value)s: import the enterprise first."
            ),
            normalise=normalise,
        ),
    )
    enterprise_name = fields.Field(
        attribute="enterprise__name",
        column_name=gettext_lazy("enterprise name"),
        widget=TextWidget(),
        readonly=True,
    )
    position = fields.Field(
        attribute="position",
        column_name=_verbose(Member, "position"),
        widget=TextWidget(),
    )

    unique_in_file = "mobile"

    class Meta:
        model = Member
        fields = [
            "full_name",
            "mobile",
            "email",
            "enterprise",
            "position",
            "enterprise_name",
        ]
        import_id_fields = ["mobile"]
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Member.objects.select_related("user", "enterprise")

    def get_instance(self, instance_loader, row):
        try:
            mobile = self.fields["mobile"].clean(row)
        except (KeyError, ValueError):
            return None  # import_instance reports the bad number
        found = list(self.get_queryset().filter(mobile=mobile)[:2])
        if len(found) > 1:
            raise self.by_column(
                ValidationError(
                    {
                        "mobile": _(
                            "Several members have the mobile number %(mobile)s; correct them in the admin first."
                        )
                        % {"mobile": mobile}
                    }
                )
            )
        return found[0] if found else None

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.user = User()

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = dict(import_validation_errors or {})
        user = instance.user
        if not user.full_name and "user__full_name" not in errors:
            errors["user__full_name"] = [
                ValidationError(_("Enter the member's full name."), code="required")
            ]
        if user.pk is None:
            user.username = instance.mobile
            user.set_unusable_password()
        try:
            user.full_clean(exclude=self._user_fields_not_to_check(user, errors))
        except ValidationError as exc:
            errors = self._user_errors(exc, user, errors)
        try:
            # The user is checked above; a new member's user has no primary key yet.
            instance.full_clean(exclude=[*errors, "user"], validate_unique=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise self.by_column(ValidationError(errors))

    def _user_fields_not_to_check(self, user, errors: dict) -> list[str]:
        skip = ["password", "last_name", "first_name"]
        if user.pk is not None or "mobile" in errors:
            skip.append("username")
        if "user__full_name" in errors:
            skip.append("full_name")
        return skip

    def _user_errors(self, exc: ValidationError, user, errors: dict) -> dict:
        for name, problems in exc.error_dict.items():
            if name == "username":
                errors.setdefault("mobile", []).append(
                    ValidationError(
                        _(
                            "There is already a login with the username %(username)s; give that user a member record in the admin instead."
                        )
                        % {"username": user.username},
                        code="unique",
                    )
                )
            else:
                errors.setdefault(f"user__{name}", []).extend(problems)
        return errors

    def do_instance_save(self, instance, is_create):
        with transaction.atomic():
            user = instance.user
            user.save()
            instance.user = user
            instance.save(force_insert=is_create)
