from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from publicity import digests, services
from publicity.models import Article, ArticleKind, DigestDelivery, DigestPreference


@admin.register(ArticleKind)
class ArticleKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "published_at", "enterprise", "campaign"]
    list_filter = ["kind", "status", "awareness", "campaign"]
    list_select_related = ["kind", "enterprise", "campaign"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["enterprise"]
    filter_horizontal = ["awareness"]
    readonly_fields = ["status", "created_by", "created_at"]
    actions = ["submit_for_review", "publish", "withdraw"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, service, done) -> None:
        for article in queryset:
            try:
                service(article=article, actor=request.user)
            except services.ArticleError as exc:
                self.message_user(request, f"{article}: {exc}", messages.ERROR)
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


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["official", "include_articles"]
    list_select_related = ["official__user", "official__department"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "week_start",
        "official",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "week_start"]
    list_select_related = ["official__user", "official__department"]
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected digests again"))
    def send_again(self, request, queryset) -> None:
        for delivery in queryset:
            digests.resend_digest(delivery=delivery)
        messages.success(request, _("The digests will be sent again."))
