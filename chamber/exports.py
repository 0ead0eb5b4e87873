"""Spreadsheets out of and into the portal: formula-safe cells and all-or-nothing imports.

Every export of the portal (admin import-export, ledgers, reports) writes its cells
through `safe_cell`, so a name such as ``=HYPERLINK(...)`` reaches Excel or WPS as text,
never as a formula (CHECKS IN-2). Reports written by hand with openpyxl or csv call
`safe_cell` on each value; import-export resources inherit `FormulaSafeResourceMixin`;
admins inherit `SpreadsheetAdminMixin`, which also refuses a whole file when one row
is invalid.
"""

import numbers

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Messages of django-import-export whose Chinese it lacks or garbles; listed here so
# makemessages keeps them in our catalogue, which LOCALE_PATHS puts ahead of the library's.
LIBRARY_MESSAGES = [
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Non field specific"),
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. "
        "Ensure you have chosen the correct format for the file."
    ),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
]

# What spreadsheets read as the start of a formula, ASCII and full-width (IME) forms.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
ESCAPE = "'"


def neutralise_formula(value):
    """Prefix an apostrophe to text that a spreadsheet would run as a formula.

    Anything that is not a string (numbers, dates, None) is returned unchanged, so
    numeric columns stay numeric.
    """
    if isinstance(value, Promise):
        value = str(value)  # a lazily translated label
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return ESCAPE + value
    return value


def restore_formula_text(value):
    """Undo `neutralise_formula` on a value read back from one of our own exports."""
    if (
        isinstance(value, str)
        and value.startswith(ESCAPE)
        and value[1:].startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def safe_cell(value):
    """A value fit for any cell of an export: neutralised, without characters XLSX forbids."""
    value = neutralise_formula(value)
    if isinstance(value, str):
        # NUL and the other control characters make openpyxl refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


class FormulaSafeResourceMixin:
    """For import-export resources: every exported text cell goes through `safe_cell`.

    Number widgets are left alone: in CSV they render as text, and "-2" is a number.
    """

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget) and _is_number(value):
            return value
        return safe_cell(value)


def _is_number(value) -> bool:
    if isinstance(value, numbers.Number):
        return True
    try:
        float(str(value).replace(",", ""))
    except ValueError:
        return False
    return True


class ChineseCSV(CSV):
    """CSV as Excel on a Chinese Windows writes and reads it.

    Exports start with a UTF-8 byte-order mark, without which Excel takes the file
    for GBK; imports are read as UTF-8, or as GB18030 (a superset of GBK) when they
    are not UTF-8, which is what Excel's plain "CSV" saves.
    """

    ENCODING = "utf-8-sig"

    def is_binary(self) -> bool:
        return True  # we decode and encode ourselves

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode(self.ENCODING)
            except UnicodeDecodeError:
                in_stream = in_stream.decode("gb18030")
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs) -> bytes:
        return super().export_data(dataset, **kwargs).encode(self.ENCODING)


class ColumnLabelExportForm(SelectableFieldsExportForm):
    """The export form labels each column with its (translated) header only."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import and export in XLSX and CSV for a ModelAdmin; a file is imported whole or not at all.

    The first step is import-export's dry run with a preview. On confirmation the
    import runs again in one transaction that is rolled back when any row is
    invalid (data may have changed in between); the errors are then shown instead of
    a success message.
    """

    formats = [XLSX, ChineseCSV]
    export_form_class = ColumnLabelExportForm

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None and _refused(result):
            messages.error(request, _refusal_message())
        return response

    def process_result(self, result, request):
        if _refused(result):
            messages.error(request, _refusal_message())
            return self._refused_import_response(request, result)
        return super().process_result(result, request)

    def _refused_import_response(self, request, result) -> TemplateResponse:
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        resources = [
            resource_class(**self.get_import_resource_kwargs(request))
            for resource_class in self.get_import_resource_classes(request)
        ]
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "import_error_display": self.import_error_display,
            "fields_list": [
                (
                    resource.get_display_name(),
                    [f.column_name for f in resource.get_user_visible_fields()],
                )
                for resource in resources
            ],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


def _refused(result) -> bool:
    return result.has_errors() or result.has_validation_errors()


def _refusal_message() -> str:
    return _(
        "Nothing was imported: the file has rows with errors, listed below. "
        "Correct them and upload the whole file again."
    )
