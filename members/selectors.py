from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from members.models import Member, TitleTerm


def current_terms(*, on: date) -> Prefetch:
    """Prefetch of each member's title terms covering `on`, with their titles."""
    return Prefetch(
        "titles",
        queryset=TitleTerm.objects.filter(
            starts_on__lte=on, ends_on__gte=on
        ).select_related("title"),
    )


def member_directory(
    *, on: date, query: str = "", area: str = "", title_id: int | None = None
) -> QuerySet[Member]:
    """Members other members may see, with enterprise and today's titles; for paginating."""
    members = (
        Member.objects.in_directory()
        .select_related("user", "enterprise", "enterprise__industry")
        .prefetch_related(current_terms(on=on))
        .order_by("enterprise__name", "user__full_name", "pk")
    )
    if query:
        members = members.filter(
            Q(user__full_name__icontains=query)
            | Q(enterprise__name__icontains=query)
            | Q(position__icontains=query)
        )
    if area:
        members = members.filter(enterprise__area=area)
    if title_id:
        members = members.filter(
            titles__title_id=title_id,
            titles__starts_on__lte=on,
            titles__ends_on__gte=on,
        ).distinct()
    return members
