"""The portal's navigation bar and language switcher: what each role is shown, in one place.

Every page of a logged-in person renders them, so they are built here in Python rather
than through the template engine: rendering the navigation as a template cost about 1 ms of
the 1.9 ms a member page may spend in all (docs/performance.md, issue 22). The menu is
the same for everyone with the same roles, language, enterprise and current section, so
its HTML is kept per process for those (`_menu`); only the person's name, their roles'
labels and the CSRF tokens are put in for each request.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from chamber.roles import Role, roles_of


@dataclass(frozen=True)
class Item:
    """One link of the menu: shown to `roles` (anyone when empty), active on `active`
    (view names, or "app:" prefixes for a whole app), never on `never`."""

    label: str  # English source string, translated when rendered
    url_name: str
    roles: tuple[Role, ...] = ()
    active: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    enterprise: bool = False  # the member's own enterprise is the URL's argument
    alternative: tuple[Role, str] | None = None  # another label for a role


MEMBER = (Role.MEMBER,)
LEADER = (Role.LEADER,)
STAFF = (Role.STAFF,)
ITEMS = (
    Item(N_("Home"), "home", active=("home",)),
    Item(N_("My petitions"), "petitions:mine", MEMBER, active=("app:petitions",)),
    Item(
        N_("Member directory"),
        "members:directory",
        MEMBER,
        active=("members:directory",),
    ),
    Item(
        N_("My enterprise"),
        "members:enterprise",
        MEMBER,
        active=("members:enterprise",),
        enterprise=True,
    ),
    Item(N_("My group and points"), "groups:mine", MEMBER, active=("groups:mine",)),
    Item(N_("Duty rota"), "members:rota", MEMBER, active=("members:rota",)),
    Item(
        N_("My duty weeks"),
        "members:my_shifts",
        (Role.REPRESENTATIVE,),
        active=("members:my_shifts",),
    ),
    Item(
        N_("Duty log"),
        "members:duty_log",
        (Role.REPRESENTATIVE,),
        active=("members:duty_log",),
    ),
    Item(
        N_("Department petitions"),
        "petitions:department_queue",
        (Role.OFFICIAL,),
        active=("petitions:department_queue",),
    ),
    Item(
        N_("Escalations"),
        "petitions:escalations",
        LEADER,
        active=("petitions:escalations",),
    ),
    Item(
        N_("Petition reports"),
        "petitions:reports",
        LEADER,
        active=("petitions:reports",),
    ),
    Item(
        N_("Monthly topics"), "petitions:topics", LEADER, active=("petitions:topics",)
    ),
    Item(
        N_("My department"),
        "departments",
        (Role.OFFICIAL, Role.LEADER),
        active=("departments",),
        alternative=(Role.LEADER, N_("Government departments")),
    ),
    Item(
        N_("News and policies"),
        "publicity:home",
        active=("app:publicity",),
        never=("publicity:digest_settings",),
    ),
    Item(N_("Activities"), "activities:list", active=("app:activities",)),
    Item(N_("Awards"), "groups:awards", active=("groups:awards",)),
    Item(N_("Staff dashboard"), "staff_dashboard", STAFF, active=("staff_dashboard",)),
    Item(N_("Petitions"), "petitions:triage", STAFF, active=("petitions:triage",)),
    Item(N_("Administration"), "admin:index", STAFF),
)


@lru_cache(maxsize=64)
def _url(name: str) -> str:
    return reverse(name)


def _is_active(item: Item, view_name: str, app_name: str) -> bool:
    if view_name in item.never:
        return False
    return view_name in item.active or f"app:{app_name}" in item.active


def _shown(item: Item, roles: frozenset) -> bool:
    return not item.roles or any(role in roles for role in item.roles)


@lru_cache(maxsize=1024)
def _menu(
    language: str, roles: frozenset, enterprise_id, view_name: str, app_name: str
) -> SafeString:
    """The menu's HTML for these roles, language, enterprise and current page."""
    links = []
    for item in ITEMS:
        if not _shown(item, roles):
            continue
        label = item.label
        if item.alternative and item.alternative[0] in roles:
            label = item.alternative[1]
        url = reverse(item.url_name, args=[enterprise_id] if item.enterprise else [])
        if _is_active(item, view_name, app_name):
            links.append(
                format_html(
                    '<li class="nav-item"><a class="nav-link active" href="{}" '
                    'aria-current="page">{}</a></li>',
                    url,
                    _(label),
                )
            )
        else:
            links.append(_link(url, _(label)))
    return _join(links)


def _link(url: str, label: str) -> SafeString:
    return format_html(
        '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', url, label
    )


def _join(parts) -> SafeString:
    """Pieces of HTML, each already escaped, one after another."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _csrf_input(request) -> SafeString:
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        get_token(request),
    )


def navbar(request) -> SafeString:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    match = getattr(request, "resolver_match", None)
    language = get_language()
    menu = _menu(
        language,
        roles.roles,
        roles.member.enterprise_id if roles.member is not None else None,
        getattr(match, "view_name", "") or "",
        getattr(match, "app_name", "") or "",
    )
    if user is None or not user.is_authenticated or request is None:
        account = _login_link(language)
    else:
        links = _account_links(
            language, roles.is_member, user.is_staff or roles.official is not None
        )
        account = _account_menu(request, user, roles, links)
    return format_html(
        '{}<ul class="navbar-nav me-auto">{}</ul><ul class="navbar-nav">{}</ul>'
        "</div></div></nav>",
        _bar(language),
        menu,
        account,
    )


@lru_cache(maxsize=8)
def _bar(language: str) -> SafeString:
    """The bar up to its two menus."""
    return format_html(
        '<nav class="navbar navbar-expand-md navbar-dark bg-chamber" aria-label="{}">'
        '<div class="container">'
        '<a class="navbar-brand fw-semibold" href="{}">{}</a>'
        '<button class="navbar-toggler" type="button" data-bs-toggle="collapse" '
        'data-bs-target="#nav-main" aria-controls="nav-main" aria-expanded="false" '
        'aria-label="{}"><span class="navbar-toggler-icon"></span></button>'
        '<div class="collapse navbar-collapse" id="nav-main">',
        _("Main navigation"),
        _url("home"),
        _("Xishi District FIC"),
        _("Menu"),
    )


@lru_cache(maxsize=8)
def _login_link(language: str) -> SafeString:
    return _link(_url("login"), _("Log in"))


@lru_cache(maxsize=32)
def _account_links(language: str, is_member: bool, second_factor: bool) -> SafeString:
    links = []
    if is_member:
        links += [
            ("members:profile", N_("My profile")),
            ("publicity:news_settings", N_("Monthly news e-mail")),
        ]
    links += [
        ("channels", N_("How messages reach me")),
        ("password_change", N_("Change password")),
    ]
    if second_factor:
        links.append(("second_factor_backup", N_("Second factor")))
    return format_html_join(
        "",
        '<li><a class="dropdown-item" href="{}">{}</a></li>',
        ((_url(name), _(label)) for name, label in links),
    )


def _account_menu(request, user, roles, links: SafeString) -> SafeString:
    entries = [links]
    labels = roles.labels()
    if labels:
        entries.insert(
            0,
            format_html(
                '<li><span class="dropdown-item-text small text-body-secondary">{}</span></li>',
                " · ".join(labels),
            ),
        )
    return format_html(
        '<li class="nav-item dropdown">'
        '<a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" '
        'aria-expanded="false">{}</a>'
        '<ul class="dropdown-menu dropdown-menu-end">{}'
        '<li><hr class="dropdown-divider"></li>'
        '<li><form method="post" action="{}">{}'
        '<button type="submit" class="dropdown-item">{}</button></form></li>'
        "</ul></li>",
        user.get_short_name(),
        _join(entries),
        _url("logout"),
        _csrf_input(request),
        _("Log out"),
    )


@lru_cache(maxsize=8)
def _language_buttons(current: str) -> SafeString:
    buttons = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        if code == current:
            buttons.append(
                format_html(
                    '<button type="submit" name="language" value="{0}" lang="{0}" '
                    'class="btn btn-sm btn-secondary" aria-current="true">{1}</button>',
                    code,
                    name,
                )
            )
        else:
            buttons.append(
                format_html(
                    '<button type="submit" name="language" value="{0}" lang="{0}" '
                    'class="btn btn-sm btn-outline-secondary">{1}</button>',
                    code,
                    name,
                )
            )
    return _join(buttons)


def language_switcher(request) -> SafeString:
    return format_html(
        '<form method="post" action="{}" class="language-switcher d-flex gap-1 align-items-center">'
        '{}<input type="hidden" name="next" value="{}">'
        '<span class="visually-hidden">{}</span>{}</form>',
        _url("set_language"),
        _csrf_input(request),
        request.get_full_path(),
        _("Language"),
        _language_buttons(get_language()),
    )
