from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chamber.uploads import CheckedFilesField, check_picture
from publicity.models import Article, DigestPreference, Showcase, ShowcasePhoto
from publicity.showcases import MAX_PHOTOS
from publicity.widgets import ArticleEditor

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class DigestPreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["include_articles"]


class ArticleAdminForm(forms.ModelForm):
    """The article form of the admin: the rich-text editor, and a cover picture to upload."""

    cover_upload = forms.FileField(
        label=_("Upload a cover picture"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP; it replaces the current cover."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )

    # Declared, so the admin keeps it one field (it would make a split date and time).
    published_at = forms.DateTimeField(
        label=capfirst(Article._meta.get_field("published_at").verbose_name),
        help_text=Article._meta.get_field("published_at").help_text,
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=LOCAL_MINUTE
        ),
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "awareness",
            "enterprise",
            "campaign",
            "published_at",
        ]
        # Plain fields rather than the admin's JavaScript widgets (filter_horizontal,
        # autocomplete, split date and time): each has a label of its own, works on a
        # phone and passes the accessibility checks of the browser journeys.
        widgets = {
            "body": ArticleEditor(),
            "awareness": forms.CheckboxSelectMultiple,
        }

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        if upload:
            check_picture(upload)
        return upload


class ShowcaseForm(forms.ModelForm):
    """A member's edit of their enterprise's showcase, with photos to add and to remove."""

    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    new_photos = CheckedFilesField(
        label=_("Add photos"),
        required=False,
        max_files=MAX_PHOTOS,
        check=check_picture,
        help_text=_("PNG, JPEG, GIF or WebP; at most %(n)d photos in all.")
        % {"n": MAX_PHOTOS},
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove photos"),
        queryset=ShowcasePhoto.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Showcase
        fields = ["introduction", "products", "website", "is_listed"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "products": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_photos"].widget.attrs["accept"] = (
            "image/png,image/jpeg,image/gif,image/webp"
        )
        if self.instance.pk:
            self.fields["remove_photos"].queryset = self.instance.photos.all()
        else:
            del self.fields["remove_photos"]


class ReturnShowcaseForm(forms.Form):
    note = forms.CharField(
        label=_("What should change"), max_length=300, widget=forms.TextInput
    )
