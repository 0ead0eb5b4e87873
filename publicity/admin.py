from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from publicity import digests, services, showcases
from publicity.forms import ArticleAdminForm
from publicity.models import (
    Article,
    ArticleKind,
    DigestDelivery,
    DigestPreference,
    NewsletterDelivery,
    NewsSubscription,
    Picture,
    Showcase,
    ShowcasePhoto,
)


@admin.register(ArticleKind)
class ArticleKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "kind", "status", "published_at", "enterprise", "campaign"]
    list_filter = ["kind", "status", "awareness", "campaign"]
    list_select_related = ["kind", "enterprise", "campaign"]
    search_fields = ["title", "summary"]
    readonly_fields = ["status", "cover_preview", "created_by", "created_at"]
    fields = [
        "kind",
        "title",
        "summary",
        "body",
        "cover_preview",
        "cover_upload",
        "awareness",
        "enterprise",
        "campaign",
        "published_at",
        "status",
        "created_by",
        "created_at",
    ]
    actions = ["submit_for_review", "publish", "withdraw"]

    @admin.display(description=_("cover picture"))
    def cover_preview(self, obj):
        if obj.cover_id is None:
            return "—"
        return format_html(
            '<img src="{}" alt="" class="article-cover-preview">',
            obj.cover.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        upload = form.cleaned_data.get("cover_upload")
        if upload:
            obj.cover = services.store_picture(upload=upload, actor=request.user)
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, service, done) -> None:
        succeeded = 0
        for article in queryset:
            try:
                service(article=article, actor=request.user)
                succeeded += 1
            except services.ArticleError as exc:
                self.message_user(
                    request,
                    _("%(name)s: %(error)s") % {"name": article, "error": exc},
                    messages.ERROR,
                )
        if succeeded:
            self.message_user(request, done)

    @admin.action(description=_("Send to review"))
    def submit_for_review(self, request, queryset) -> None:
        self._each(request, queryset, services.submit_for_review, _("Sent to review."))

    @admin.action(
        description=_("Publish (at their publish time, if it is in the future)")
    )
    def publish(self, request, queryset) -> None:
        def publish_one(*, article, actor):
            services.publish_article(
                article=article, actor=actor, at=article.published_at
            )

        self._each(request, queryset, publish_one, _("Published or scheduled."))

    @admin.action(description=_("Withdraw"))
    def withdraw(self, request, queryset) -> None:
        self._each(request, queryset, services.withdraw_article, _("Withdrawn."))

    def response_change(self, request, obj):
        """The change page's 发布, 定时发布 and 撤回 buttons: the list's actions on this article.

        发布 publishes now; 定时发布 is the list's publish action (at the publish time
        just saved), once that time is in the future.
        """
        one = Article.objects.filter(pk=obj.pk)
        if "_publish_now" in request.POST:
            self._each(request, one, services.publish_article, _("Published."))
        elif "_schedule" in request.POST:
            if obj.published_at is None or obj.published_at <= timezone.now():
                self.message_user(
                    request,
                    _("Set a publish time in the future first, then schedule."),
                    messages.ERROR,
                )
            else:
                self.publish(request, one)
        elif "_withdraw" in request.POST:
            self.withdraw(request, one)
        else:
            return super().response_change(request, obj)
        return HttpResponseRedirect(request.path)


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["official", "include_articles"]
    list_select_related = ["official__user", "official__department"]


class OutboxDeliveryAdmin(admin.ModelAdmin):
    """Planned e-mails, read only: what was planned, and its message in the outbox
    (sent, failed and why); staff send failed ones again."""

    readonly_fields = ["message_link"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=pgettext_lazy("state of a record", "status"))
    def shown_state(self, obj) -> str:
        return obj.state

    @admin.display(description=_("sent at"))
    def sent_at(self, obj):
        return obj.message.sent_at if obj.message_id else None

    @admin.display(description=_("last error"))
    def last_error(self, obj) -> str:
        return obj.message.last_error if obj.message_id else ""

    @admin.display(description=_("outgoing message"))
    def message_link(self, obj):
        if obj.message_id is None:
            return "-"
        url = reverse("admin:chamber_outgoingmessage_change", args=[obj.message_id])
        return format_html('<a href="{}">{}</a>', url, obj.state)

    def _resend(self, request, queryset, resend) -> None:
        count = sum(
            resend(delivery=delivery) for delivery in queryset.select_related("message")
        )
        self.message_user(
            request, _("%(n)d messages queued again.") % {"n": count}, messages.SUCCESS
        )


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(OutboxDeliveryAdmin):
    list_display = [
        "week_start",
        "official",
        "kind",
        "shown_state",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "message__status", "kind", "week_start"]
    list_select_related = ["official__user", "official__department", "message"]
    fields = ["official", "week_start", "kind", "status", "message_link", "created_at"]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.action(description=_("Send the selected digests again"))
    def send_again(self, request, queryset) -> None:
        self._resend(request, queryset, digests.resend_digest)


@admin.register(Picture)
class PictureAdmin(admin.ModelAdmin):
    """Pictures of articles: uploaded through the article form and its editor."""

    list_display = [
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    ]
    list_select_related = ["uploaded_by"]
    readonly_fields = [f.name for f in Picture._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


# The monthly news (publicity/newsletter.py).


@admin.register(NewsSubscription)
class NewsSubscriptionAdmin(admin.ModelAdmin):
    """Who asked for the monthly news; members change it on their page or by the e-mail's link."""

    list_display = ["user", "is_active", "subscribed_at", "unsubscribed_at"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__full_name", "user__email"]
    readonly_fields = ["user", "is_active", "subscribed_at", "unsubscribed_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(NewsletterDelivery)
class NewsletterDeliveryAdmin(OutboxDeliveryAdmin):
    list_display = ["month", "user", "shown_state", "sent_at", "last_error"]
    list_filter = ["status", "message__status", "month"]
    list_select_related = ["user", "message"]
    search_fields = ["user__username", "user__full_name", "user__email"]
    fields = ["user", "month", "status", "message_link", "created_at"]
    readonly_fields = fields
    actions = ["send_news_again"]

    @admin.action(description=_("Send the selected monthly news again"))
    def send_news_again(self, request, queryset) -> None:
        from publicity import newsletter

        self._resend(request, queryset, newsletter.resend_news)


class ShowcasePhotoInline(admin.TabularInline):
    model = ShowcasePhoto
    fields = ["original_name", "content_type", "size", "is_approved", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Showcase)
class ShowcaseAdmin(admin.ModelAdmin):
    """Showcases are edited by their members and reviewed on the staff's review page."""

    list_display = ["enterprise", "status", "is_listed", "submitted_at", "approved_at"]
    list_filter = ["status", "is_listed"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__name"]
    readonly_fields = [
        "enterprise",
        "status",
        "public_introduction",
        "public_products",
        "public_website",
        "submitted_at",
        "approved_at",
        "reviewed_by",
        "review_note",
    ]
    inlines = [ShowcasePhotoInline]
    actions = ["approve"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Approve and publish"))
    def approve(self, request, queryset) -> None:
        for showcase in queryset:
            try:
                showcases.approve_showcase(showcase=showcase, actor=request.user)
            except showcases.ShowcaseError as exc:
                self.message_user(
                    request,
                    _("%(name)s: %(error)s") % {"name": showcase, "error": exc},
                    messages.ERROR,
                )
