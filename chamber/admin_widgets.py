"""A guard on Django's admin autocomplete widget (Django 5.2).

When a refused admin form is shown again, `AutocompleteSelect.optgroups` looks every
posted value up as the related row's key. Text typed by hand into such a field (only a
hand-made post can send it: the widget sends ids) raised ValueError there, a server error
instead of the form's "select a valid choice" (CHECKS IN-7). The guard drops values the
key field cannot hold before the lookup; the form's own validation still names them.
"""

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_original_optgroups = AutocompleteMixin.optgroups


def _valid_keys(widget, values) -> list:
    remote = widget.field.remote_field
    opts = remote.model._meta
    key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
    kept = []
    for value in values:
        try:
            key.clean(value, None)  # the type, and the database's integer range
        except (ValidationError, TypeError, ValueError, OverflowError):
            continue
        kept.append(value)
    return kept


def _optgroups(self, name, value, attr=None):
    return _original_optgroups(self, name, _valid_keys(self, value), attr)


def guard_autocomplete() -> None:
    if AutocompleteMixin.optgroups is not _optgroups:
        AutocompleteMixin.optgroups = _optgroups
