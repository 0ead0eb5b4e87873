"""What the access tests walk and compare: every URL pattern, and every row of the
portal's tables (a refused request changes none)."""

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver

OUR_APPS = ("chamber", "members", "groups", "activities", "petitions", "publicity")


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, namespaced name) of every URL pattern under `patterns`, recursively."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and ":".join(filter(None, [namespace, pattern.name]))
            yield route, name


def fingerprint() -> dict[str, list]:
    """Every row of the portal's own tables, to tell that a refused request changed nothing."""
    tables = [
        model._meta.db_table
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])
