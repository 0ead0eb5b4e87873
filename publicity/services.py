"""The articles' workflow: draft → in review → published (now, or scheduled), and withdrawal."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.models import User
from chamber.uploads import check_picture
from publicity.models import Article, Picture

S = Article.Status


class ArticleError(Exception):
    """The workflow forbids this; the message is safe to show to the user."""


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def submit_for_review(*, article: Article, actor: User) -> Article:
    article = _locked(article)
    if article.status not in (S.DRAFT, S.WITHDRAWN):
        raise ArticleError(_("Only a draft or a withdrawn article goes to review."))
    article.status = S.REVIEW
    article.save(update_fields=["status"])
    return article


@transaction.atomic
def publish_article(
    *,
    article: Article,
    actor: User,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Article:
    """Publish now, or schedule for `at` (a task publishes it then, once)."""
    now = now or timezone.now()
    article = _locked(article)
    if article.status not in (S.DRAFT, S.REVIEW, S.SCHEDULED, S.WITHDRAWN):
        raise ArticleError(_("This article is published already."))
    if not article.title.strip():
        raise ArticleError(_("An article needs a title."))
    when = at or now
    article.published_at = when
    article.status = S.SCHEDULED if when > now else S.PUBLISHED
    article.save(update_fields=["status", "published_at"])
    return article


@transaction.atomic
def withdraw_article(*, article: Article, actor: User) -> Article:
    article = _locked(article)
    if article.status not in (S.PUBLISHED, S.SCHEDULED):
        raise ArticleError(_("Only a published or scheduled article can be withdrawn."))
    article.status = S.WITHDRAWN
    article.save(update_fields=["status"])
    return article


def publish_due_articles(*, now: datetime | None = None) -> int:
    """Publish the scheduled articles whose time has come; a conditional update, so once."""
    from chamber import pagecache

    now = now or timezone.now()
    published = Article.objects.filter(
        status=S.SCHEDULED, published_at__lte=now
    ).update(status=S.PUBLISHED)
    if published:
        pagecache.bump()  # an update sends no signals
    return published


def store_picture(*, upload, actor: User | None) -> Picture:
    """Keep a picture for an article (its cover or one in its body), checked by content.

    Raises ValidationError (with the reason, in the user's language) for anything that is
    not a PNG, JPEG, GIF or WebP picture within the size limit, whatever its name says.
    """
    checked = check_picture(upload)
    (picture,) = Picture.store_all([checked], uploaded_by=actor)
    return picture
