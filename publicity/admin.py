from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from publicity import digests
from publicity.models import Article, ArticleKind, DigestDelivery, DigestPreference


@admin.register(ArticleKind)
class ArticleKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "published_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["kind"]
    search_fields = ["title"]


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
