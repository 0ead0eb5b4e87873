"""Code lints the security checks ask for, over the app packages (not tests/, bench/, .venv).

- IN-6: no unsafe deserialisation (pickle and kin, yaml without SafeLoader, eval/exec)
  and no SQL built by interpolation (f-strings, %, + with a non-literal, .format() or
  .join()) into .raw(), .extra(), cursor.execute(), RawSQL() or RunSQL(). Celery's
  accept_content == ["json"] is asserted in tests/chamber/test_settings.py.
- IN-1: nothing turns autoescaping off (|safe, |safeseq, {% autoescape off %},
  {% filter safe %}, mark_safe, SafeString, format_html with a built format string,
  a Template made from text) outside the allow-lists below, each with its reason.
- AC-3: every ModelForm of the apps names its fields: no "__all__", no exclude; the
  same for the form factories and class-based views. ModelAdmin may use its default.

Each lint is also run on snippets it must catch and snippets it must leave alone, so a
lint that stopped seeing anything fails too.
"""

import ast
import importlib
import re
import textwrap
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["chamber", "members", "groups", "activities", "petitions", "publicity"]
TEMPLATE_DIRS = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]


def app_sources(*, migrations: bool = True) -> list[Path]:
    return sorted(
        p
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        if migrations or "migrations" not in p.parts
    )


def _rel(file: Path) -> str:
    return file.relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class Finding:
    file: str
    function: str  # the enclosing functions and classes, "" at module level
    what: str
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return self.file, self.function, self.what

    def __str__(self) -> str:
        return f"{self.file}:{self.line} in {self.function or '<module>'}: {self.what}"


def _name(func: ast.expr) -> str:
    """`pickle.loads` for pickle.loads(...), `loads` for loads(...), "" when unnamed."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        base = _name(func.value)
        return f"{base}.{func.attr}" if base else f".{func.attr}"
    if isinstance(func, ast.Call):  # connection.cursor().execute -> .cursor().execute
        return "." + _name(func.func).rsplit(".", 1)[-1] + "()"
    return ""


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class _Scopes(ast.NodeVisitor):
    """Walks a module knowing the enclosing function or class of each node, and what
    each imported name stands for (`from pickle import loads as l` -> pickle.loads)."""

    def __init__(self, file: str, tree: ast.Module) -> None:
        self.file = file
        self.scope: list[str] = []
        self.findings: list[Finding] = []
        self.aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = (
                        f"{node.module}.{alias.name}"
                    )

    def resolve(self, name: str) -> str:
        head, dot, rest = name.partition(".")
        return self.aliases.get(head, head) + dot + rest if head else name

    def report(self, node: ast.AST, what: str) -> None:
        self.findings.append(
            Finding(self.file, ".".join(self.scope), what, getattr(node, "lineno", 0))
        )

    def _scoped(self, node) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped


# --- IN-6: deserialisation and interpolated SQL ------------------------------------------

PICKLE_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "dill",
    "marshal",
    "shelve",
    "jsonpickle",
}
# shelve.open unpickles what it reads; jsonpickle.decode builds any object.
PICKLE_CALLS = {"load", "loads", "Unpickler", "open", "decode"}
YAML_UNSAFE = {"unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
SQL_CALLS = {"raw", "extra", "execute", "executemany", "RawSQL", "RunSQL"}
SQL_KEYWORDS = {"sql", "query", "raw_query", "reverse_sql"}

Assigned = dict[str, list[ast.expr]]


def _is_literal(node: ast.expr, assigned: Assigned) -> bool:
    """A string written in the code: a constant, a name bound only to constants, a sum."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_literal(node.left, assigned) and _is_literal(node.right, assigned)
    if isinstance(node, ast.Name):
        values = assigned.get(node.id, [])
        return bool(values) and all(isinstance(v, ast.Constant) for v in values)
    return False


def _is_interpolated(
    node: ast.expr | None, assigned: Assigned, seen: frozenset = frozenset()
) -> bool:
    """Built at run time: an f-string, %, .format() or .join(), + with anything but
    literals, or a name that an assignment in the module binds to one of those."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Mod) or not _is_literal(node, assigned)
    if isinstance(node, ast.Call):
        return _name(node.func).endswith((".format", ".join"))
    if isinstance(node, ast.Name) and node.id not in seen:
        return any(
            _is_interpolated(value, assigned, seen | {node.id})
            for value in assigned.get(node.id, [])
        )
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_is_interpolated(e, assigned, seen) for e in node.elts)
    if isinstance(node, ast.Dict):
        return any(_is_interpolated(v, assigned, seen) for v in node.values)
    return False


def _assignments(tree: ast.Module) -> Assigned:
    assigned: Assigned = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            # sql += ... builds the statement at run time.
            assigned.setdefault(node.target.id, []).append(ast.JoinedStr(values=[]))
    return assigned


class _UnsafeCode(_Scopes):
    def __init__(self, file: str, tree: ast.Module) -> None:
        super().__init__(file, tree)
        self.assigned = _assignments(tree)

    def visit_Call(self, node: ast.Call) -> None:
        name = self.resolve(_name(node.func))
        module, attr = name.split(".")[0], _last(name)
        if module in PICKLE_MODULES and attr in PICKLE_CALLS:
            self.report(node, f"{name}()")
        if module == "yaml" and attr in YAML_UNSAFE:
            self.report(node, f"{name}()")
        if module == "yaml" and attr in ("load", "load_all") and not self._safe(node):
            self.report(node, f"{name}() without SafeLoader")
        if name in ("eval", "exec", "builtins.eval", "builtins.exec"):
            self.report(node, f"{name}()")
        if attr in SQL_CALLS:
            self._check_sql(node, attr)
        self.generic_visit(node)

    @staticmethod
    def _safe(node: ast.Call) -> bool:
        loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
        if loader is None and len(node.args) > 1:
            loader = node.args[1]
        return loader is not None and _last(_name(loader)) in SAFE_LOADERS

    def _check_sql(self, node: ast.Call, call: str) -> None:
        if call == "extra":  # select=, where=, tables=, order_by=: every piece is SQL
            pieces = [
                *node.args,
                *(k.value for k in node.keywords if k.arg != "params"),
            ]
        else:
            pieces = list(node.args[: 2 if call == "RunSQL" else 1])
            pieces += [k.value for k in node.keywords if k.arg in SQL_KEYWORDS]
        if any(_is_interpolated(piece, self.assigned) for piece in pieces):
            self.report(node, f"SQL built by interpolation into {call}()")


def unsafe_code(source: str, file: str = "snippet.py") -> list[Finding]:
    tree = ast.parse(source)
    visitor = _UnsafeCode(file, tree)
    visitor.visit(tree)
    return visitor.findings


@pytest.mark.parametrize(
    "snippet",
    [
        "import pickle\npickle.loads(data)",
        "from pickle import loads\nloads(data)",
        "import pickle as p\np.load(stream)",
        "import marshal\nmarshal.loads(b)",
        "import shelve\nshelve.open(path)",
        "import yaml\nyaml.load(text)",
        "import yaml\nyaml.load(text, Loader=yaml.Loader)",
        "import yaml\nyaml.unsafe_load(text)",
        "from yaml import load\nload(text)",
        "eval(expression)",
        "exec(code)",
        "Model.objects.raw(f'SELECT * FROM t WHERE name = {name}')",
        "Model.objects.raw('SELECT * FROM t WHERE id = %s' % pk)",
        "Model.objects.raw('SELECT * FROM t WHERE name = ' + name)",
        "cursor.execute('SELECT * FROM t WHERE a = {}'.format(a))",
        "cursor.execute(' '.join(['SELECT', column]))",
        "connection.cursor().execute(f'DELETE FROM {table}')",
        "sql = f'SELECT {column} FROM t'\ncursor.execute(sql)",
        "base = f'SELECT {column}'\nsql = base\ncursor.execute(sql)",
        "sql = 'SELECT * FROM t WHERE '\nsql += where\ncursor.execute(sql, [])",
        "Model.objects.extra(where=[f'name = {name}'])",
        "Model.objects.extra(select={'n': 'upper(%s)' % column})",
        "RawSQL('SELECT %s' % column, ())",
        "migrations.RunSQL(f'DROP TABLE {name}')",
    ],
)
def test_the_unsafe_code_lint_catches(snippet):
    assert unsafe_code(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "import json\njson.loads(data)",
        "import pickle\npickle.dumps(value)",
        "from django.core import signing\nsigning.loads(value)",
        "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",
        "import yaml\nyaml.safe_load(text)",
        "cursor.execute('SELECT 1')",
        "cursor.execute('SELECT * FROM t WHERE id = %s', [pk])",
        "CREATE = 'CREATE TRIGGER x'\nschema_editor.execute(CREATE, params=None)",
        "A = 'SELECT 1'\nB = ' UNION SELECT 2'\ncursor.execute(A + B)",
        "Model.objects.raw('SELECT * FROM t WHERE name = %s', [name])",
        "Model.objects.extra(where=['name = %s'], params=[name])",
        "RawSQL('SELECT col FROM t WHERE id = %s', (pk,))",
        "'{} {}'.format(a, b)",
    ],
)
def test_the_unsafe_code_lint_leaves_alone(snippet):
    assert unsafe_code(snippet) == []


def test_no_unsafe_deserialisation_eval_or_interpolated_sql_in_the_apps():
    found = [
        str(f)
        for file in app_sources()
        for f in unsafe_code(file.read_text(encoding="utf-8"), _rel(file))
    ]

    assert found == []


def test_sessions_are_stored_as_json():
    assert settings.SESSION_SERIALIZER == (
        "django.contrib.sessions.serializers.JSONSerializer"
    )


# --- IN-1: nothing gets around autoescaping without a reason ----------------------------

# (file, enclosing function, what): why it is safe.
ALLOWED_PYTHON = {
    (
        "chamber/channels/short_forms.py",
        "_compiled",
        "from_string() made from text, not a template file",
    ): (
        "the expressions are SHORT_FORMS' own (code, not data), rendered as the plain "
        "text of an SMS or a WeChat card, never read as HTML"
    ),
    ("chamber/channels/short_forms.py", "", "Engine(autoescape=...)"): (
        "the engine of SHORT_FORMS' expressions: SMS and WeChat text is plain (escaping "
        "would send &amp; to a phone)"
    ),
    (
        "chamber/documents.py",
        "html_of",
        "from_string() made from text, not a template file",
    ): (
        "a print template staff uploaded in the admin to replace a built-in one (staff "
        "write templates as the template files are written); rendered with "
        "autoescaping on, so the data it shows is escaped (tests/chamber/"
        "test_documents.py)"
    ),
    ("chamber/pagecache.py", "safe_cached", "mark_safe()"): (
        "HTML rendered by our own autoescaping templates, cached, then put back whole "
        "(the public site's parts, the member directory, a member's home cards)"
    ),
}
# (template, the tag as written): why it is safe.
ALLOWED_TEMPLATES = {
    ("templates/publicity/includes/article_body.html", "{{ article.body|safe }}"): (
        "cleaned with nh3 when saved (publicity/html.py); tests/publicity/test_xss.py"
    ),
    ("templates/activities/checkin_qr.html", "{{ svg|safe }}"): (
        "an SVG drawn by segno from our own check-in URL (activities/views.py)"
    ),
    ("templates/includes/qr_poster.html", "{{ svg|safe }}"): (
        "an SVG drawn by segno from our own URLs (the QR posters of petitions/entry.py, "
        "activities/views.py and publicity/views_showcases.py)"
    ),
}
# (glob of templates, the tag): why it is safe.
ALLOWED_TEMPLATE_GLOBS = {
    ("templates/emails/*.txt", "{% autoescape off %}"): (
        "plain-text e-mail: nothing there is read as HTML, and escaping would show &amp;"
    ),
}

UNESCAPING = {"mark_safe", "SafeString", "SafeText", "SafeData", "Markup", "html_safe"}
FORMAT_CALLS = {"format_html": 0, "format_html_join": 1}  # index of the format string
TEMPLATE_FROM_TEXT = {"Template", "from_string"}


class _Unescaped(_Scopes):
    def visit_Call(self, node: ast.Call) -> None:
        attr = _last(self.resolve(_name(node.func)))
        if attr in UNESCAPING:
            self.report(node, f"{attr}()")
        if attr in FORMAT_CALLS:
            index = FORMAT_CALLS[attr]
            format_string = node.args[index] if len(node.args) > index else None
            if not isinstance(format_string, ast.Constant):
                self.report(node, f"{attr}() with a built format string")
            elif attr == "format_html" and len(node.args) + len(node.keywords) < 2:
                self.report(node, "format_html() with nothing to escape")
        if (
            attr in TEMPLATE_FROM_TEXT
            and node.args
            and not isinstance(node.args[0], ast.Constant)
        ):
            self.report(node, f"{attr}() made from text, not a template file")
        for keyword in node.keywords:
            if keyword.arg == "autoescape" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is True
            ):
                self.report(node, f"{attr}(autoescape=...)")
        self.generic_visit(node)

    def _decorated(self, node) -> None:
        for decorator in node.decorator_list:
            if _last(_name(decorator)) in UNESCAPING:
                self.report(node, f"@{_last(_name(decorator))}")
        if node.name == "__html__":
            self.report(node, "__html__()")
        self._scoped(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _decorated


def unescaped_python(source: str, file: str = "snippet.py") -> list[Finding]:
    tree = ast.parse(source)
    visitor = _Unescaped(file, tree)
    visitor.visit(tree)
    return visitor.findings


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_SAFE_FILTER = re.compile(r"\|\s*safe(seq)?\b")
_AUTOESCAPE_OFF = re.compile(r"\{%-?\s*autoescape\s+off\b")
_FILTER_SAFE = re.compile(r"\{%-?\s*filter\s[^%]*\bsafe(seq)?\b")


def unescaped_template(text: str) -> list[str]:
    """The tags and variables of a template that turn autoescaping off, as written."""
    return [
        re.sub(r"\s+", " ", tag)
        for tag in (m.group(0) for m in _TAG.finditer(text))
        if _SAFE_FILTER.search(tag)
        or _AUTOESCAPE_OFF.match(tag)
        or _FILTER_SAFE.match(tag)
    ]


# Files beside the templates that are not Django templates (Word templates: docxtpl's).
NOT_TEMPLATES = {".docx"}


def _template_files() -> list[Path]:
    return sorted(
        p for folder in TEMPLATE_DIRS if folder.is_dir() for p in folder.rglob("*")
        if p.is_file() and p.suffix not in NOT_TEMPLATES
    )  # fmt: skip


@pytest.mark.parametrize(
    "snippet",
    [
        "from django.utils.safestring import mark_safe\nmark_safe(obj.title)",
        "from django.utils import safestring\nsafestring.mark_safe(obj.title)",
        "from django.utils.safestring import SafeString\nSafeString(text)",
        "format_html(f'<b>{obj.name}</b>')",
        "format_html('<b>%s</b>' % obj.name)",
        "format_html(obj.name)",
        "format_html('<br>')",
        "format_html_join('\\n', row_format, rows)",
        "class X:\n    def __html__(self):\n        return self.text",
        "@html_safe\nclass X:\n    pass",
        "Template(obj.body).render(context)",
        "engines['django'].from_string(user_text)",
        "Engine(autoescape=False)",
    ],
)
def test_the_python_autoescape_lint_catches(snippet):
    assert unescaped_python(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "format_html('<a href=\"{}\">{}</a>', url, obj.name)",
        "format_html_join('\\n', '<li>{}</li>', ((n,) for n in names))",
        "from django.utils.html import escape\nescape(obj.name)",
        "Template('{{ name }}')",
    ],
)
def test_the_python_autoescape_lint_leaves_alone(snippet):
    assert unescaped_python(snippet) == []


def test_the_template_autoescape_lint_catches_each_way_and_leaves_the_rest():
    text = textwrap.dedent(
        """
        {{ petition.title|safe }} {{ items|safeseq|join:", " }} {{ a | safe }}
        {% autoescape off %}{{ x }}{% endautoescape %}
        {% filter force_escape|safe %}x{% endfilter %}
        {% with body=article.body|safe %}{{ body }}{% endwith %}
        {{ petition.title }} {{ safe_value }} {{ name|default:"safe" }}
        {% autoescape on %}{% endautoescape %}
        """
    )

    assert unescaped_template(text) == [
        "{{ petition.title|safe }}",
        '{{ items|safeseq|join:", " }}',
        "{{ a | safe }}",
        "{% autoescape off %}",
        "{% filter force_escape|safe %}",
        "{% with body=article.body|safe %}",
    ]


def test_python_turns_off_autoescaping_only_where_the_allow_list_says_why():
    found = {
        f.key: str(f)
        for file in app_sources(migrations=False)
        for f in unescaped_python(file.read_text(encoding="utf-8"), _rel(file))
    }

    assert [where for key, where in found.items() if key not in ALLOWED_PYTHON] == []
    assert set(ALLOWED_PYTHON) <= set(found), "an allow-list entry is gone: remove it"


def test_templates_turn_off_autoescaping_only_where_the_allow_list_says_why():
    found = {
        (_rel(file), tag)
        for file in _template_files()
        for tag in unescaped_template(file.read_text(encoding="utf-8"))
    }

    def allowed(path: str, tag: str) -> bool:
        return (path, tag) in ALLOWED_TEMPLATES or any(
            fnmatch(path, pattern) and tag == allowed_tag
            for pattern, allowed_tag in ALLOWED_TEMPLATE_GLOBS
        )

    assert sorted(f for f in found if not allowed(*f)) == []
    assert set(ALLOWED_TEMPLATES) <= found, "an allow-list entry is gone: remove it"
    for pattern, tag in ALLOWED_TEMPLATE_GLOBS:
        assert any(fnmatch(p, pattern) and t == tag for p, t in found), pattern


# --- AC-3: forms name the fields they write -----------------------------------------------


def _import_app_modules() -> None:
    """Every module of the apps, so that every ModelForm class exists."""
    for file in app_sources(migrations=False):
        parts = file.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module not in ("chamber.settings", "chamber.wsgi"):
            importlib.import_module(module)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def model_forms_that_do_not_name_their_fields(classes) -> list[str]:
    bad = []
    for form in classes:
        meta = getattr(form, "Meta", None)
        where = f"{form.__module__}.{form.__qualname__}"
        if getattr(meta, "fields", None) == forms.ALL_FIELDS:
            bad.append(f"{where}: fields = '__all__'")
        if getattr(meta, "exclude", None) is not None:
            bad.append(f"{where}: exclude")
    return sorted(bad)


def test_the_model_form_lint_catches_all_fields_and_exclude():
    from chamber.models import Department

    class Everything(forms.ModelForm):
        class Meta:
            model = Department
            fields = "__all__"  # noqa: DJ007 - what the lint must catch

    class AllBut(forms.ModelForm):
        class Meta:
            model = Department
            exclude = ["is_active"]  # noqa: DJ006 - what the lint must catch

    class Named(forms.ModelForm):
        class Meta:
            model = Department
            fields = ["name"]

    class Inherits(AllBut):
        pass

    assert model_forms_that_do_not_name_their_fields(
        [Everything, AllBut, Named, Inherits]
    ) == [
        f"{__name__}.{test_the_model_form_lint_catches_all_fields_and_exclude.__name__}"
        f".<locals>.{name}"
        for name in (
            "AllBut: exclude",
            "Everything: fields = '__all__'",
            "Inherits: exclude",
        )
    ]


def test_every_model_form_of_the_apps_names_its_fields():
    _import_app_modules()
    ours = [
        form
        for form in _subclasses(forms.ModelForm)
        if form.__module__.split(".")[0] in APPS
    ]

    assert len(ours) >= 8, "fewer ModelForms than the apps have today: the walk broke"
    assert model_forms_that_do_not_name_their_fields(ours) == []


FORM_FACTORIES = {
    "modelform_factory",
    "modelformset_factory",
    "inlineformset_factory",
    "generic_inlineformset_factory",
}


def _is_all(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == forms.ALL_FIELDS


def factories_and_views_that_take_every_field(source: str) -> list[str]:
    """Form factories without an explicit fields list, and `fields = "__all__"` in any
    class but a ModelAdmin (a CreateView or UpdateView has the same hole)."""
    bad: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _last(_name(node.func)) in FORM_FACTORIES:
            keywords = {k.arg: k.value for k in node.keywords}
            if (
                "exclude" in keywords
                or "fields" not in keywords
                or _is_all(keywords["fields"])
            ):
                bad.append((node.lineno, f"{_name(node.func)}()"))
        if isinstance(node, ast.ClassDef):
            if any("Admin" in _name(b) or "Inline" in _name(b) for b in node.bases):
                continue  # the admin is staff only (AC-4) and may use its default form
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(getattr(t, "id", "") == "fields" for t in statement.targets)
                    and _is_all(statement.value)
                ):
                    bad.append((statement.lineno, f"{node.name}.fields = '__all__'"))
    return [f"line {line}: {what}" for line, what in sorted(bad)]


def test_the_factory_and_view_lint_catches_every_way_to_take_all_fields():
    source = textwrap.dedent(
        """
        modelform_factory(Petition, fields="__all__")
        forms.modelformset_factory(Petition, exclude=["status"])
        inlineformset_factory(Petition, Attachment)
        modelform_factory(Petition, fields=["title"])
        class Edit(UpdateView):
            fields = "__all__"
        class PetitionAdmin(admin.ModelAdmin):
            fields = "__all__"
        """
    )

    assert factories_and_views_that_take_every_field(source) == [
        "line 2: modelform_factory()",
        "line 3: forms.modelformset_factory()",
        "line 4: inlineformset_factory()",
        "line 7: Edit.fields = '__all__'",
    ]


def test_no_form_factory_or_view_in_the_apps_takes_every_field():
    found = [
        f"{_rel(file)} {where}"
        for file in app_sources(migrations=False)
        for where in factories_and_views_that_take_every_field(
            file.read_text(encoding="utf-8")
        )
    ]

    assert found == []


# --- CF-6: no task is held back for long, and mail cannot hang a worker ----------------

HOUR = 3600


def long_waits(source: str) -> list[int]:
    """Lines that schedule a task far ahead: `eta=`, or a countdown, retry or backoff of
    more than an hour (a task held that long outlives the broker's redelivery window)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if (
                keyword.arg == "eta"
                or keyword.arg
                in (
                    "countdown",
                    "retry_backoff_max",
                    "default_retry_delay",
                )
                and (
                    isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, int | float)
                    and keyword.value.value > HOUR
                )
            ):
                lines.append(node.lineno)
    return sorted(lines)


def test_the_long_wait_lint_catches_eta_and_long_countdowns():
    sample = (
        "task.apply_async(args=[1], eta=when)\n"
        "task.apply_async(countdown=7200)\n"
        "task.apply_async(countdown=60)\n"
        "@shared_task(retry_backoff_max=86400)\n"
        "def f(): pass\n"
    )

    assert long_waits(sample) == [1, 2, 4]


def test_no_task_is_scheduled_more_than_an_hour_ahead():
    found = [
        f"{_rel(path)}:{line}"
        for path in app_sources(migrations=False)
        for line in long_waits(path.read_text(encoding="utf-8"))
    ]

    assert found == []


def test_sending_mail_has_a_timeout():
    from django.conf import settings

    assert settings.EMAIL_TIMEOUT is not None
    assert 0 < settings.EMAIL_TIMEOUT <= 60


# --- one outbox: only chamber/outbox.py sends ---------------------------------------

# Sending, in Django's words: a message's .send(), the shortcuts, a connection of one's own.
SENDING_NAMES = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers"}
SENDING_IMPORTS = {"get_connection", *SENDING_NAMES}
OUTBOX = "chamber/outbox.py"


def sends_mail(source: str) -> list[int]:
    """Lines that send mail themselves instead of writing to the outbox: `x.send()` on
    a message, Django's sending shortcuts, or a mail connection opened by hand."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "django.core.mail"
            and any(alias.name in SENDING_IMPORTS for alias in node.names)
        ):
            lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in SENDING_NAMES or (
            name in ("send", "send_messages")
            and isinstance(func, ast.Attribute)
            and not node.args
            and not node.keywords
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_sending_lint_catches_each_way_to_send_past_the_outbox():
    sample = (
        "from django.core.mail import send_mail, EmailMessage\n"
        "message.send()\n"
        "send_mail('s', 'b', None, ['a@b'])\n"
        "from django.core.mail import get_connection\n"
        "signal.send(sender=x)\n"
        "task.apply_async((1,))\n"
    )

    assert sends_mail(sample) == [1, 2, 3, 4]


def test_every_message_of_the_portal_goes_through_the_outbox():
    """Issue 17: whatever the notice, it is a row of chamber.OutgoingMessage first; only
    the outbox's sender talks to the mail server (and tests/conftest.py checks that every
    e-mail any test sends carries the Message-ID of its outbox row)."""
    found = [
        f"{_rel(path)}:{line}"
        for path in app_sources(migrations=False)
        if _rel(path) != OUTBOX
        for line in sends_mail(path.read_text(encoding="utf-8"))
    ]

    assert found == []


# --- the suite: a test module's helpers are its own, shared ones live in tests/support/ --

TESTS = ROOT / "tests"
SUPPORT = "tests.support"


def _is_test_module(module: str) -> bool:
    return any(p.startswith("test_") or p == "conftest" for p in module.split("."))


def _absolute(module: str | None, level: int, package: str) -> str:
    """The module a `from ... import` names, relative ones resolved from `package`."""
    if not level:
        return module or ""
    base = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def borrowed_test_names(source: str, file: str = "tests/test_x.py") -> list[str]:
    """What a module of tests/ takes from another test module (a test_*.py or a
    conftest.py: its names, or the module itself), and the private names (a leading
    underscore) it takes from a module of tests/ outside tests/support/."""
    package = ".".join(Path(file).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith("tests.") and _is_test_module(alias.name)
            ]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, package)
            if module != "tests" and not module.startswith("tests."):
                continue
            for alias in node.names:
                shared = module == SUPPORT or module.startswith(f"{SUPPORT}.")
                if (
                    _is_test_module(module)
                    or _is_test_module(alias.name)
                    or (alias.name.startswith("_") and not shared)
                ):
                    found.append(f"{node.lineno}: from {module} import {alias.name}")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "from tests.test_templates import _an_activity",
        "from tests.petitions.test_workflow import STATES, World",
        "from tests.petitions import test_workflow",
        "import tests.petitions.test_reports",
        "from tests.conftest import REQUIRE_SERVERS",
        "from tests.access_matrix import _a_campaign",
        "from tests.publicity import _AnyPortController",
        "def f():\n    from tests.chamber.test_seed_demo import seed",
        "from .test_pages_department import category",
        "from . import test_batch",
    ],
)
def test_the_suite_lint_catches_a_borrowed_test_name(snippet):
    assert borrowed_test_names(snippet, "tests/petitions/test_x.py") != []


@pytest.mark.parametrize(
    "snippet",
    [
        "from tests.support.xss import runnable, PAYLOADS",
        "from tests.support.page_catalogue import _an_activity",
        "from tests.support import petition_states",
        "from tests.factories import MemberFactory",
        "from tests.fakes.wechat import TEMPLATE_ID",
        "from tests import factories",
        "from petitions.test_helpers import _x",
        "from .journey import Journey",
    ],
)
def test_the_suite_lint_leaves_shared_helpers_alone(snippet):
    assert borrowed_test_names(snippet, "tests/browser/test_x.py") == []


def test_no_module_of_the_suite_borrows_from_a_test_module():
    """Issue 22: what two test modules share is in tests/support/, imported from there
    by every user; a test module's own helpers (and its private names) stay its own."""
    found = [
        f"{_rel(path)}:{finding}"
        for path in sorted(TESTS.rglob("*.py"))
        for finding in borrowed_test_names(path.read_text(encoding="utf-8"), _rel(path))
    ]

    assert found == []
