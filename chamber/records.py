"""Immutable records: rows written once by a service and never changed or deleted.

Used by audit trails and ledgers (shift changes, petition events, the points ledger).
The model refuses save() on an existing row and delete(); its queryset refuses bulk
update() and delete(). Where a database trigger is added too, even raw SQL is refused.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Records cannot be changed."))

    def delete(self):
        raise ValidationError(_("Records cannot be deleted."))


class ImmutableRecord(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(_("Records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Records cannot be deleted."))
