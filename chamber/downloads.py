"""Files made by a task, not in the request (issue 22, item 4): no request holds a web
worker for more than a second, so a file that can take longer (the staff list's whole
Excel export, a week's 交办单, two hundred numbered opinion forms, a report's PDF) is
asked for, made by `chamber.tasks.build_download`, and fetched from its page.

One way for every app: an app registers each kind of file once, at ready(), with the
function that makes it from the download's parameters (`register(Kind(...))`, as
chamber/documents.py registers kinds of paper); its view calls `request_download` and
redirects to the download's page, which says "being made" and reloads itself until the
link is there. Only the user who asked sees the page or the file (anyone else gets a
404). The file lies under MEDIA_ROOT, which no URL serves, and is deleted after
`KEEP_DAYS` by the daily `chamber.tasks.delete_old_downloads`.

The task is idempotent, as the certificates' year batch (groups.services): it claims the
row (waiting → being made) with one conditional UPDATE, so a redelivered task or a
second copy of it does nothing, and a made file is never made again. A task lost with
its worker is queued again when the page is asked for: one still waiting after
`LOST_AFTER`, or being made for longer than the task time limit.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from chamber.documents import DocumentError
from chamber.models import Download

logger = logging.getLogger(__name__)

# A download still waiting this long after its task was queued lost it (a broker or a
# worker gone): the page queues it again.
LOST_AFTER = timedelta(minutes=1)
# Made files are kept this long, then deleted with their rows.
KEEP_DAYS = 7


@dataclass(frozen=True)
class File:
    """What a kind's builder returns."""

    content: bytes
    filename: str  # as the user saves it, Chinese allowed ("交办单 2026-03-02.pdf")
    content_type: str


class BuildError(Exception):
    """A file cannot be made; the message is shown on its page."""


@dataclass(frozen=True)
class Kind:
    """One kind of file made by a task."""

    key: str  # "petitions-xlsx"
    label: Promise  # shown on the download's page and in the list
    build: Callable[[Download], File]


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def label_of(download: Download) -> str:
    kind = KINDS.get(download.kind)
    return str(kind.label) if kind else download.kind


def _stale_start(now: datetime) -> datetime:
    """A download started before this lost its worker: the task would have been killed."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _queue(download_id) -> None:
    from chamber.tasks import build_download, enqueue_after_commit

    enqueue_after_commit(build_download, str(download_id))


def request_download(*, owner, kind: str, parameters: dict) -> Download:
    """Ask for a file of `kind` made from `parameters` (JSON), in the language active
    now (the page's); its task is queued after commit and the request returns at once."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of download: {kind}")
    download = Download.objects.create(
        owner=owner,
        kind=kind,
        parameters=parameters,
        language=translation.get_language() or "",
    )
    _queue(download.pk)
    return download


def requeue_if_lost(download: Download, *, now: datetime | None = None) -> bool:
    """Queue again a download whose task was lost; True if it was."""
    now = now or timezone.now()
    lost = Q(status=Download.Status.QUEUED, queued_at__lt=now - LOST_AFTER) | Q(
        status=Download.Status.RUNNING, started_at__lt=_stale_start(now)
    )
    # One UPDATE claims the re-queue, so two pages asked for at once queue it once.
    if not Download.objects.filter(lost, pk=download.pk).update(queued_at=now):
        return False
    _queue(download.pk)
    return True


def retry(download: Download, *, now: datetime | None = None) -> bool:
    """Make a failed download again (its template mended, say); True if queued."""
    now = now or timezone.now()
    if not Download.objects.filter(
        pk=download.pk, status=Download.Status.FAILED
    ).update(
        status=Download.Status.QUEUED,
        error="",
        queued_at=now,
        started_at=None,
        finished_at=None,
    ):
        return False
    _queue(download.pk)
    return True


def _made(download: Download) -> tuple[File | None, str]:
    """(the file, "") or (None, why not, in the active language)."""
    kind = KINDS.get(download.kind)
    if kind is None:
        return None, _("This kind of file is no longer made.")
    try:
        return kind.build(download), ""
    except (BuildError, DocumentError) as exc:
        return None, str(exc)
    except Exception:  # recorded on its page; the worker goes on
        logger.exception("download %s (%s) failed", download.pk, download.kind)
        return None, _("The file could not be made.")


def build(download_id, *, now: datetime | None = None) -> Download | None:
    """Make the file of a download (the task's one call). Does nothing to one made,
    failed or being made by another task; a builder's failure is recorded on the row."""
    now = now or timezone.now()
    claimable = Q(status=Download.Status.QUEUED) | Q(
        status=Download.Status.RUNNING, started_at__lt=_stale_start(now)
    )
    if not Download.objects.filter(claimable, pk=download_id).update(
        status=Download.Status.RUNNING, started_at=now
    ):
        return None
    download = Download.objects.select_related("owner").get(pk=download_id)
    mine = Download.objects.filter(
        pk=download.pk, status=Download.Status.RUNNING, started_at=now
    )
    language = download.language or download.owner.language or settings.LANGUAGE_CODE
    with translation.override(language):
        made, error = _made(download)
    if made is None:
        mine.update(
            status=Download.Status.FAILED,
            error=error[:500],
            finished_at=timezone.now(),
        )
        download.refresh_from_db()
        return download
    field = Download._meta.get_field("file")
    name = field.storage.save(
        field.generate_filename(download, made.filename),
        ContentFile(made.content),
        max_length=field.max_length,
    )
    finished = mine.update(
        status=Download.Status.DONE,
        file=name,
        filename=made.filename[:200],
        content_type=made.content_type,
        size=len(made.content),
        finished_at=timezone.now(),
    )
    if not finished:  # another task took it over meanwhile: its file is the one kept
        field.storage.delete(name)
    download.refresh_from_db()
    return download


def delete_old(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delete the downloads asked for more than `KEEP_DAYS` ago, with their files."""
    now = now or timezone.now()
    old = list(
        Download.objects.filter(
            created_at__lt=now - timedelta(days=KEEP_DAYS)
        ).order_by("created_at")[:batch]
    )
    storage = Download._meta.get_field("file").storage
    for download in old:
        if download.file.name:
            storage.delete(download.file.name)
    Download.objects.filter(pk__in=[d.pk for d in old]).delete()
    return len(old)
