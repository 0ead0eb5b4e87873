"""The pages the benchmark measures, shared by bench/sessions.py, queries.py and load.py.

Each page is (path, role, kind). `role` is who asks: anonymous, or a demo login;
`kind` says what the house standard applies to: "baseline" (the bare template view
every ratio is taken against), "public" and "member" (must reach the target), "info"
(staff and official pages: measured and reported, no target), "probe" (the bare view
again, with a member's session: what being logged in costs before a page does anything,
since the `roles` context processor loads the session and the user on every render).
"""

from urllib.parse import quote

# role -> the demo login of seed_demo that plays it
LOGINS = {
    "member": "demo-member",
    "official": "demo-official",
    "staff": "demo-staff",
    "leader": "demo-leader",
}

BASELINE = "/bench/bare/"

# {enterprise}: demo-member's own enterprise; {member}: another member's page (demo-rep,
# who holds a title, so the detail page shows its badge).
PAGES = [
    (BASELINE, "anonymous", "baseline"),
    (BASELINE, "member", "probe"),
    ("/", "anonymous", "public"),
    ("/accounts/login/", "anonymous", "public"),
    ("/", "member", "member"),
    ("/members/", "member", "member"),
    ("/members/?q=营口", "member", "member"),
    ("/members/me/", "member", "member"),
    ("/members/enterprise/{enterprise}/", "member", "member"),
    ("/members/{member}/", "member", "member"),
    ("/departments/", "official", "info"),
    ("/staff/", "staff", "info"),
    ("/petitions/leader/", "leader", "info"),
    ("/healthz", "anonymous", "public"),
]


def url_safe(path: str) -> str:
    """The path as a client sends it: non-ASCII query text percent-encoded."""
    return quote(path, safe="/?=&%")


def resolve_pages() -> list[dict]:
    """The pages with their database ids filled in; needs Django set up."""
    from members.models import Member

    values = {
        "enterprise": Member.objects.get(user__username="demo-member").enterprise_id,
        "member": Member.objects.get(user__username="demo-rep").pk,
    }
    return [
        {
            "path": path.format(**values),
            "url": url_safe(path.format(**values)),
            "role": role,
            "kind": kind,
        }
        for path, role, kind in PAGES
    ]


def setup_django() -> None:
    """Django with the normal settings and the benchmark's URLs (as bench/wsgi.py)."""
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    django.setup()
