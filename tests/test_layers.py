"""Imports between the apps go one way (DESIGN.md, "Apps and their layers").

An app imports only from the apps above it in LAYERS, never from one below: every module
of the six apps is parsed with `ast`, and an import of a lower app fails the test,
at module level or inside a function, written as `import`, `from … import`, a relative
import, or `import_module` / `import_string` / `__import__` with a dotted name. Where
two apps meet, the lower app adds its part by a template tag, a task called by name or
a string (`include("publicity.urls")`, `apps.get_model(...)`): those are not imports.
Migrations (which name other apps by string) and tests, bench/ and .venv are not app
code. The lint is also run on snippets it must catch and snippets it must leave alone,
so a lint that stopped seeing anything fails too.
"""

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Highest first: each app may import from the ones before it, never from one after it.
LAYERS = ("chamber", "members", "groups", "activities", "petitions", "publicity")
# Calls that import the module (or dotted path) named by their first argument.
IMPORTING_CALLS = {"import_module", "import_string", "__import__"}


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    importer: str
    imported: str
    module: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.importer} imports {self.module}, but "
            f"{self.imported} sits below {self.importer} in DESIGN.md's layers "
            f"({' → '.join(LAYERS)}); an app imports only from the apps above it"
        )


def _package(file: str) -> list[str]:
    """The dotted package a module file belongs to: relative imports start there."""
    parts = Path(file).with_suffix("").parts
    return list(parts[:-1])


def _imported_modules(tree: ast.AST, file: str):
    """(line, absolute module name) of every import in the tree, nested ones too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(file)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else None
            if isinstance(func, ast.Name):
                name = func.id
            first = node.args[0]
            if (
                name in IMPORTING_CALLS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def layer_violations(source: str, file: str) -> list[Violation]:
    """The imports of lower apps in `source`, the module at `file` (relative to the
    project root, e.g. "activities/views.py")."""
    importer = Path(file).parts[0]
    rank = LAYERS.index(importer)
    found = []
    for line, module in _imported_modules(ast.parse(source, filename=file), file):
        top = module.split(".")[0]
        if top in LAYERS and LAYERS.index(top) > rank:
            found.append(Violation(file, line, importer, top, module))
    return found


def app_modules() -> list[Path]:
    return sorted(
        path
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def test_no_app_imports_from_an_app_below_it():
    found = [
        str(violation)
        for path in app_modules()
        for violation in layer_violations(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]

    assert found == [], "\n".join(found)


def test_the_lint_reads_every_app():
    read = {path.relative_to(ROOT).parts[0] for path in app_modules()}

    assert read == set(LAYERS)
    assert ROOT / "chamber" / "urls.py" in app_modules()
    assert not any("migrations" in p.parts for p in app_modules())


def test_every_app_of_the_portal_has_its_place_in_the_layers():
    """A new app must be put in the table (DESIGN.md and LAYERS) before it is checked."""
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT.resolve()
    }

    assert ours == set(LAYERS)


@pytest.mark.parametrize(
    ("file", "snippet", "line", "imported"),
    [
        (
            "chamber/urls.py",
            "from publicity.sitemaps import ArticleSitemap",
            1,
            "publicity",
        ),
        (
            "activities/views.py",
            """
            def campaign(request, pk):
                from publicity.selectors import published_articles
                return published_articles()
            """,
            2,
            "publicity",
        ),
        ("petitions/review.py", "import publicity.digests as d", 1, "publicity"),
        ("members/models/rota.py", "import os, groups.models", 1, "groups"),
        (
            "groups/services.py",
            "from django.utils.module_loading import import_string\n"
            "x = import_string('activities.models.Activity')",
            2,
            "activities",
        ),
        (
            "chamber/views.py",
            "import importlib\nm = importlib.import_module('petitions.selectors')",
            2,
            "petitions",
        ),
        (
            "chamber/dashboard.py",
            """
            class Board:
                def counts(self):
                    if True:
                        from members import selectors
            """,
            4,
            "members",
        ),
        ("members/admin.py", "__import__('activities.admin')", 1, "activities"),
    ],
)
def test_the_lint_catches_an_import_of_a_lower_app(file, snippet, line, imported):
    (violation,) = layer_violations(textwrap.dedent(snippet).lstrip("\n"), file)

    assert (violation.file, violation.line, violation.imported) == (
        file,
        line,
        imported,
    )
    message = str(violation)
    assert message.startswith(f"{file}:{line}: {file.split('/')[0]} imports ")
    assert f"{imported} sits below {file.split('/')[0]}" in message


@pytest.mark.parametrize(
    ("file", "snippet"),
    [
        # From above, or from the app itself (absolute or relative).
        ("publicity/apps.py", "from petitions.models import Petition"),
        ("publicity/digests.py", "from chamber.emails import make_message"),
        ("activities/views.py", "from activities import services"),
        ("members/views/rota.py", "from .. import selectors\nfrom . import common"),
        ("petitions/services/workflow.py", "from ..models import Petition"),
        # Names, not imports: a string include, a task by name, a model by label.
        ("chamber/urls.py", "path('news/', include('publicity.urls'))"),
        (
            "petitions/review.py",
            "signature('publicity.tasks.plan_weekly_digests', args=('2026-03-23',))",
        ),
        ("chamber/views.py", "apps.get_model('publicity.Article')"),
        # Third-party modules whose names only start like an app's.
        ("chamber/settings.py", "import publicityx\nfrom groupsy import x"),
        ("chamber/settings.py", "import_module(name)"),
    ],
)
def test_the_lint_leaves_alone(file, snippet):
    assert layer_violations(snippet, file) == []
