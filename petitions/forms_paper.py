"""Forms of the paper (issue 21): the span of a batch print, the forms of a session to print."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.services.opinion_sheets import MAX_SHEETS


class PrintSpanForm(forms.Form):
    """A day, or the week (Monday to Sunday) holding it: what a batch print covers."""

    DAY, WEEK = "day", "week"

    day = forms.DateField(
        label=capfirst(_("date")), widget=forms.DateInput(attrs={"type": "date"})
    )
    span = forms.ChoiceField(
        label=capfirst(_("span")),
        choices=[
            (DAY, pgettext_lazy("span", "that day")),
            (WEEK, pgettext_lazy("span", "its week")),
        ],
    )

    def __init__(self, data=None, **kwargs) -> None:
        if data is not None and not data.get("day") and not data.get("span"):
            data = None  # the first visit: today
        if data is None:
            data = {"day": timezone.localdate().isoformat(), "span": self.DAY}
        super().__init__(data, **kwargs)

    def first_and_last(self) -> tuple[date, date]:
        day, span = self.cleaned_data["day"], self.cleaned_data["span"]
        if span == self.WEEK:
            monday = day - timedelta(days=day.weekday())
            return monday, monday + timedelta(days=6)
        return day, day


class OpinionSheetsForm(forms.Form):
    count = forms.IntegerField(
        label=capfirst(_("forms to print")),
        min_value=1,
        max_value=MAX_SHEETS,
        initial=50,
        help_text=_("Each form gets its own number; one page per form."),
    )
