"""Uploaded files, checked by what they contain rather than by what they are called.

Every upload of the portal (duty-log attachments, petition attachments, opinion-form
scans, article images) goes through `check_upload`: the first bytes must be those of a
PNG, JPEG, GIF or WebP picture or of a PDF document, the file must not be empty or
larger than settings.UPLOAD_MAX_BYTES, and the name the uploader gave is cleaned for
display only (it never reaches the file system: stored names are random). A picture must
also be whole (`picture_is_whole`): a PNG's chunks lead to its IEND chunk with nothing
after, a GIF ends with its trailer, a WebP with its RIFF chunk, and a JPEG's segments
lead to a scan and an EOI marker. So a file that merely *starts* like a picture, or a
PNG+HTML polyglot, is refused. A JPEG may carry bytes after its EOI (phones put a motion
photo's video there), and a PDF is not walked, which is one reason downloads are still
served as attachments with the detected type and `nosniff` (`content_disposition`).
"""

import struct
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

# content type → (magic bytes at offset 0, usual suffixes; the first is canonical)
_KINDS: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg", ".jpe", ".jfif")),
    "image/gif": ((b"GIF87a", b"GIF89a"), (".gif",)),
    "application/pdf": ((b"%PDF-",), (".pdf",)),
}
# WebP is RIFF....WEBP: the four bytes between are the chunk size.
_WEBP = "image/webp"
ALLOWED_CONTENT_TYPES = frozenset([*_KINDS, _WEBP])
SUFFIXES = {
    **{kind: suffixes for kind, (_m, suffixes) in _KINDS.items()},
    _WEBP: (".webp",),
}
HEAD_BYTES = 16
MAX_NAME_LENGTH = 100
# Control characters, and format characters such as U+202E (right-to-left override,
# which turns "gpj.exe" into "exe.jpg" on screen) and zero-width spaces.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_upload`: the file, what it is and how to call it."""

    file: File
    name: str  # cleaned for display, suffix matching `content_type`
    content_type: str
    size: int

    @property
    def suffix(self) -> str:
        """The canonical suffix of the detected type, for the stored (random) name."""
        return SUFFIXES[self.content_type][0]


def detect_content_type(head: bytes) -> str | None:
    """The allowed type whose magic bytes `head` starts with; None for anything else."""
    for kind, (magics, _suffixes) in _KINDS.items():
        if head.startswith(magics):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


def _png_is_whole(upload: File, size: int) -> bool:
    """The chunks, from IHDR, lead exactly to the end of the IEND chunk: nothing after."""
    position = 8  # the signature
    first = True
    while position + 12 <= size:
        upload.seek(position)
        length, kind = struct.unpack(">I4s", upload.read(8))
        if not kind.isalpha() or first != (kind == b"IHDR"):
            return False
        first = False
        position += 12 + length  # length and type, the data, the CRC
        if kind == b"IEND":
            return length == 0 and position == size
    return False


def _jpeg_is_whole(upload: File, size: int) -> bool:
    """The marker segments lead to a scan (SOS), and an EOI marker follows it.

    Bytes after that EOI are allowed: phones append a motion photo's video or further
    pictures (MPF) there. A file that starts like a JPEG and goes on as text fails.
    """
    upload.seek(0)
    data = upload.read()
    position = 2  # SOI
    while position + 4 <= size:
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            return False  # restart, EOI or TEM before any scan: no picture
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2:
            return False
        position += 2 + length
        if marker == 0xDA:  # SOS: compressed data up to the EOI
            return position <= size and data.find(b"\xff\xd9", position) != -1
    return False


def _gif_is_whole(upload: File, size: int) -> bool:
    """Ends with the trailer byte (3B, ';')."""
    upload.seek(size - 1)
    return size > 13 and upload.read(1) == b";"


def _webp_is_whole(upload: File, size: int) -> bool:
    """The RIFF chunk's size (padded to an even number) covers the file exactly."""
    upload.seek(4)
    (length,) = struct.unpack("<I", upload.read(4))
    return length + (length & 1) + 8 == size


_WHOLE = {
    "image/png": _png_is_whole,
    "image/jpeg": _jpeg_is_whole,
    "image/gif": _gif_is_whole,
    _WEBP: _webp_is_whole,
}


def picture_is_whole(upload: File, content_type: str, size: int) -> bool:
    """Whether a picture of `content_type` is complete and nothing is appended to it.

    Its structure is walked, not decoded (no imaging library): enough to refuse a file
    that starts like a picture and goes on as something else. Other types pass. Leaves
    the reading position at the start.
    """
    check = _WHOLE.get(content_type)
    if check is None:
        return True
    try:
        return check(upload, size)
    except struct.error:
        return False
    finally:
        upload.seek(0)


def clean_filename(name: str, content_type: str | None = None) -> str:
    """A file name safe to show and to offer for download; never used on disk.

    Drops any folder part (either slash), NUL and other control or invisible
    characters and leading dots; caps the length at MAX_NAME_LENGTH keeping the
    suffix; when `content_type` is given, makes sure the suffix matches it, so a
    picture named "x.html" is offered as "x.html.png".
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES or ch in "\t\n\r"
    )
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    suffixes = SUFFIXES.get(content_type or "", ())
    if not name:
        name = "file"
    if suffixes and PurePosixPath(name).suffix.lower() not in suffixes:
        name += suffixes[0]
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix
    return name


def max_upload_mb() -> int:
    return settings.UPLOAD_MAX_BYTES // (1024 * 1024)


def check_upload(upload: File) -> CheckedUpload:
    """Check one uploaded file by its content and size; raise ValidationError if refused."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": max_upload_mb()},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    content_type = detect_content_type(head)
    if content_type is None:
        raise ValidationError(
            _(
                "Only pictures (PNG, JPEG, GIF, WebP) and PDF documents can be "
                "uploaded, and this file is neither, whatever its name says."
            ),
            code="content_type",
        )
    if not picture_is_whole(upload, content_type, size):
        raise ValidationError(
            _(
                "This picture is damaged or has something else appended to it; "
                "save it again as a picture and upload that."
            ),
            code="malformed",
        )
    return CheckedUpload(
        file=upload,
        name=clean_filename(upload.name, content_type),
        content_type=content_type,
        size=size,
    )


PICTURE_TYPES = frozenset(["image/png", "image/jpeg", "image/gif", _WEBP])


def check_picture(upload: File) -> CheckedUpload:
    """`check_upload`, and the file must be a picture (a PDF is refused here).

    A refusal for what the file is says "pictures only", never that a PDF would do.
    """
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        if exc.code != "content_type":
            raise
        checked = None
    if checked is None or checked.content_type not in PICTURE_TYPES:
        raise ValidationError(
            _(
                "Only pictures (PNG, JPEG, GIF, WebP) can be uploaded here, and this "
                "file is not one, whatever its name says."
            ),
            code="content_type",
        )
    return checked


def content_disposition(name: str) -> str:
    """`attachment` with the name, for every browser: an ASCII fallback and RFC 5987 UTF-8."""
    name = clean_filename(name)
    fallback = "".join(
        ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in name
    )
    return (
        f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"
    )


def download_response(stored):
    """Serve a stored upload (`file`, `original_name`, `content_type`) as a file to save.

    Never shown in the browser: attachment, the detected type, nosniff, no caching, and a
    sandboxing CSP in case a browser renders it anyway. A file gone from disk is a 404.
    """
    from django.http import FileResponse, Http404

    try:
        stream = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stream, content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition(stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser still render it, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = (
        "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
    )
    return response


def picture_response(stored, *, cache_control: str):
    """Serve a stored picture to be shown in a page: its detected type, nosniff, and a
    sandboxing CSP, so a picture that is also something else (a polyglot) runs nothing."""
    from django.http import FileResponse, Http404

    if stored.content_type not in PICTURE_TYPES:
        raise Http404
    try:
        stream = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stream, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = (
        "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
    )
    return response


class MultipleFileInput(forms.ClearableFileInput):
    """<input type="file" multiple>, as Django 5.2's documentation shows it."""

    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files in one input, each passed through `check_upload`; cleans to a list.

    Django's documented MultipleFileField pattern, plus a cap on the number of files and
    an error per refused file that names it, so the uploader knows which one to drop.
    """

    def __init__(self, *args, max_files: int, check=None, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file gets check_upload's message, like any other refused file.
        kwargs.setdefault("allow_empty_file", True)
        self.max_files = max_files
        self.check = check or check_upload
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[File]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            super().clean(None, initial)  # "required" is checked here
            return []
        if len(items) > self.max_files:
            raise ValidationError(
                _("Attach at most %(n)d files.") % {"n": self.max_files},
                code="too_many",
            )
        files, errors = [], []
        for item in items:
            try:
                upload = super().clean(item, initial)
                self.check(upload)
            except ValidationError as exc:
                name = clean_filename(getattr(item, "name", ""))
                errors += [
                    _("%(name)s: %(error)s") % {"name": name, "error": message}
                    for message in exc.messages
                ]
            else:
                files.append(upload)
        if errors:
            raise ValidationError(errors)
        return files


class StoredUpload(models.Model):
    """An upload kept with its record (a duty-log attachment, a petition attachment).

    Subclasses add `file = models.FileField(upload_to=…)` and the key to their record.
    """

    original_name = models.CharField(_lazy("file name"), max_length=200)
    content_type = models.CharField(_lazy("type"), max_length=100)
    size = models.PositiveIntegerField(_lazy("size"))
    created_at = models.DateTimeField(
        _lazy("uploaded at"), default=timezone.now, editable=False
    )

    class Meta:
        abstract = True
        verbose_name = _lazy("attachment")
        verbose_name_plural = _lazy("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def store_all(cls, checked: "list[CheckedUpload]", **fields) -> list:
        """Write checked files and their rows; on any failure remove every file written.

        The stored name is random (upload_to); only the detected type's suffix comes from
        the upload, never the name it was sent with. A failed write can leave a partial
        file behind, so each name is chosen (and noted) before its write starts.
        """
        field = cls._meta.get_field("file")
        names: list[str] = []
        stored = []
        try:
            for upload in checked:
                row = cls(
                    original_name=upload.name,
                    content_type=upload.content_type,
                    size=upload.size,
                    **fields,
                )
                names.append(field.generate_filename(row, f"upload{upload.suffix}"))
                names[-1] = field.storage.save(
                    names[-1], upload.file, max_length=field.max_length
                )
                row.file = names[-1]
                row.save()
                stored.append(row)
        except BaseException:
            for name in names:
                field.storage.delete(name)
            raise
        return stored


def random_upload_path(folder: str, filename: str) -> str:
    """Where an upload is stored: a random name under folder/YYYY/MM, keeping only the suffix.

    Nothing the uploader typed reaches the file system.
    """
    import uuid

    from django.utils import timezone

    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"
