"""The article body editor: a textarea that static/js/article-editor.js turns into the
vendored rich-text editor (django-prose-editor's Tiptap build), with picture uploads."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

VENDOR = "vendor/prose-editor-0.28.0/"


class ArticleEditor(forms.Textarea):
    def __init__(self, attrs=None) -> None:
        defaults = {
            "data-article-editor": "",
            "data-picture-upload": reverse_lazy("publicity:picture_upload"),
            "data-picture-label": _("Insert picture"),
            "data-picture-busy": _("Uploading the picture…"),
            "data-picture-done": _("The picture is in the text."),
            "rows": 16,
        }
        super().__init__({**defaults, **(attrs or {})})

    class Media:
        css = {
            "all": [
                VENDOR + "material-icons.css",
                VENDOR + "editor.css",
                VENDOR + "overrides.css",
                "css/article-editor.css",
            ]
        }
        js = [forms.Script("js/article-editor.js", type="module")]
