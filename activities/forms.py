from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityPhoto
from chamber.uploads import check_upload

PICTURES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class ActivityPhotoForm(forms.ModelForm):
    """A write-up photo: a picture by its content (not its name), within the size limit."""

    class Meta:
        model = ActivityPhoto
        fields = ["image", "caption", "sort_order"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and hasattr(
            image, "content_type"
        ):  # a new upload, not the stored file
            checked = check_upload(image)
            if checked.content_type not in PICTURES:
                raise ValidationError(
                    _("Upload a picture (PNG, JPEG, GIF or WebP)."), code="not_picture"
                )
            self.instance.content_type = checked.content_type
            self.instance.size = checked.size
        return image
