"""Forms of repeated petitions (重复诉求): what a member adds to an open petition."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chamber.uploads import CheckedFilesField
from petitions.services import MAX_ATTACHMENTS


class AdditionForm(forms.Form):
    """What the enterprise adds to its petition: the fields of the petition form it
    may come from (a title and a description), so a new petition's text posted here
    becomes the addition."""

    title = forms.CharField(
        label=capfirst(pgettext_lazy("heading", "title")),
        max_length=200,
        required=False,
        help_text=_("Optional: a line saying what you add."),
    )
    description = forms.CharField(
        label=capfirst(_("what you add")),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What has happened since, what you still need, or documents the "
            "department asked for."
        ),
    )
    files = CheckedFilesField(
        label=capfirst(_("attachments")),
        required=False,
        max_files=MAX_ATTACHMENTS,
        help_text=_("Pictures or PDF documents; a petition holds at most 5 in all."),
    )
