from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from members.models import Member, TitleTerm

# The member directory and each member's page are kept in the cache under one version
# (chamber/pagecache.py; members.views.people): whatever they show changes, call this.
DIRECTORY_SCOPE = "directory"


# The duty rota page, the same for every reader, likewise (members.views.rota.rota).
ROTA_SCOPE = "rota"


def rota_changed(*args, **kwargs) -> None:
    """A new version of the rota page (usable as a signal receiver)."""
    from chamber import pagecache

    pagecache.bump_scope(ROTA_SCOPE)


def directory_changed(*args, **kwargs) -> None:
    """A new version of the directory's pages (usable as a signal receiver)."""
    from chamber import pagecache

    pagecache.bump_scope(DIRECTORY_SCOPE)


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


def rota_shifts(*, first: date, last: date, on: date) -> list:
    """Shifts whose week starts from `first` to `last`, with representative, enterprise, titles."""
    from members.models import DutyShift

    return list(
        DutyShift.objects.between(first, last)
        .select_related("representative__user", "representative__enterprise")
        .prefetch_related(
            Prefetch(
                "representative__titles",
                queryset=TitleTerm.objects.filter(
                    starts_on__lte=on, ends_on__gte=on, title__takes_duty=True
                ).select_related("title"),
            )
        )
    )


def shift_of_week(*, on: date):
    """The duty shift of the week (Monday to Sunday) holding `on`, with its
    representative, or None (a week nobody was put on, such as the Spring Festival)."""
    from datetime import timedelta

    from members.models import DutyShift

    return (
        DutyShift.objects.filter(week_start=on - timedelta(days=on.weekday()))
        .select_related("representative__user", "representative__enterprise")
        .first()
    )


def duty_weeks_ahead(*, on: date, weeks: int = 3) -> list:
    """This week's shift and the next ones, for the home page; cached for a minute."""
    from datetime import timedelta

    from django.core.cache import cache

    key = f"rota:ahead:{on.isoformat()}:{weeks}"
    shifts = cache.get(key)
    if shifts is None:
        this_monday = on - timedelta(days=on.weekday())
        shifts = rota_shifts(
            first=this_monday, last=this_monday + timedelta(days=7 * (weeks - 1)), on=on
        )
        cache.set(key, shifts, 60)
    return shifts


def unavailability_conflicts(*, since: date) -> list:
    """Shifts not yet over whose representative declared they cannot serve in that week."""
    from django.db.models import Exists, OuterRef

    from members.models import DutyShift, Unavailability

    clash = Unavailability.objects.filter(
        member=OuterRef("representative"),
        starts_on__lte=OuterRef("last_day"),
        ends_on__gte=OuterRef("first_day"),
    )
    return list(
        DutyShift.objects.filter(last_day__gte=since)
        .filter(Exists(clash))
        .select_related("representative__user")
    )
