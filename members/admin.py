from django.contrib import admin

from members.models import ChamberTitle, Enterprise, Member, TitleTerm


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "area", "status", "joined_on"]
    list_filter = ["area", "status"]
    search_fields = ["name", "credit_code"]


class TitleTermInline(admin.TabularInline):
    model = TitleTerm
    extra = 0


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "enterprise", "position"]
    list_filter = ["enterprise__area", "titles__title"]
    search_fields = ["user__full_name", "user__username", "enterprise__name"]
    list_select_related = ["user", "enterprise"]
    autocomplete_fields = ["user", "enterprise"]
    inlines = [TitleTermInline]


@admin.register(ChamberTitle)
class ChamberTitleAdmin(admin.ModelAdmin):
    list_display = ["name", "takes_duty", "sort_order"]
    list_editable = ["takes_duty", "sort_order"]
