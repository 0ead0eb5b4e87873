"""DI-3: a petition's status changes only where its event is written with it.

Every transition goes through petitions/services/workflow.py (one event per change) or a
review step of petitions/review.py (which writes the system's events in the same
transaction). This test reads the code: a queryset update or an attribute assignment of
`status` on petitions anywhere else fails it, so a new shortcut cannot skip the audit.
"""

import ast
from pathlib import Path

from django.conf import settings

APPS = ["chamber", "members", "groups", "activities", "petitions", "publicity"]
ALLOWED = {"petitions/services/workflow.py", "petitions/review.py"}


def _sources():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in (base / app).rglob("*.py"):
            relative = path.relative_to(base).as_posix()
            if "/migrations/" not in relative:
                yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _mentions_petition(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Name)
        and n.id == "Petition"
        or isinstance(n, ast.Attribute)
        and n.attr in ("petitions", "petition_set")
        for n in ast.walk(node)
    )


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "bulk_update")
            and _mentions_petition(node.func.value)
            and (
                any(k.arg == "status" for k in node.keywords)
                or any(
                    isinstance(a, ast.List | ast.Tuple)
                    and any(getattr(e, "value", None) == "status" for e in a.elts)
                    for a in node.args
                )
            )
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Attribute)
                and t.attr == "status"
                and isinstance(t.value, ast.Name)
                and "petition" in t.value.id.lower()
                for t in targets
            ):
                lines.append(node.lineno)
    return sorted(lines)


def test_petition_status_is_written_only_by_the_workflow_and_the_review_steps():
    offenders = [
        f"{path}:{line}"
        for path, tree in _sources()
        if path not in ALLOWED
        for line in _status_writes(tree)
    ]

    assert offenders == []


def test_the_check_finds_a_status_update_where_one_is_written():
    sample = ast.parse(
        "Petition.objects.filter(pk=1).update(status='closed')\n"
        "enterprise.petitions.all().update(status='closed')\n"
        "Petition.objects.bulk_update(rows, ['status'])\n"
        "Petition.objects.filter(pk=1).update(rating='none')\n"
        "petition.status = 'closed'\n"
        "activity.status = 'published'\n"
    )

    assert _status_writes(sample) == [1, 2, 3, 5]
