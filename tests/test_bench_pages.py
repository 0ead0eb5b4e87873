"""bench/pages.py knows every page of the portal (issue 22): each named URL is either
measured (CATALOGUE) or named in NOT_PAGES with the reason it is not, so a new page
cannot be left out of the benchmark. Only the URL names and the access matrix are
read: no database.
"""

from django.urls import get_resolver

from bench import pages
from tests.support.access import walk
from tests.support.access_matrix import MATRIX


def url_names() -> list[str]:
    return [name for _route, name in walk(get_resolver().url_patterns) if name]


def test_every_named_url_is_measured_or_said_why_not():
    assert pages.uncovered(url_names()) == []


def test_every_entry_names_a_url_that_still_exists():
    assert pages.stale(url_names()) == []


def test_a_new_url_name_and_a_gone_one_are_both_caught():
    names = url_names()

    assert pages.uncovered([*names, "petitions:new_page"]) == ["petitions:new_page"]
    assert pages.stale([n for n in names if n != "petitions:triage"]) == [
        "petitions:triage"
    ]


def test_no_name_is_both_measured_and_left_out():
    measured = {page.name for page in pages.CATALOGUE}

    assert measured & set(pages.NOT_PAGES) == set()


def test_each_page_is_asked_for_by_someone_who_gets_it():
    """The access matrix's GET cases: the page's role gets a 200, not a redirect or a
    refusal the load run would measure instead of the page."""
    wrong = [
        f"{page.key} as {page.role}"
        for page in pages.CATALOGUE
        if page.name not in pages.BENCH_NAMES
        and page.key not in pages.AFTER_PREPARE
        and not any(
            case.method == "GET" and case.status_for(page.role) == 200
            for case in MATRIX[page.name]
        )
    ]

    assert wrong == []


def test_what_prepare_makes_reachable_is_in_the_catalogue():
    keys = {page.key for page in pages.CATALOGUE}

    assert set(pages.AFTER_PREPARE) <= keys


def test_what_is_left_out_as_post_only_is_post_only():
    wrong = [
        name
        for name, reason in pages.NOT_PAGES.items()
        if reason == pages.POST_ONLY
        and any(case.method != "POST" for case in MATRIX[name])
    ]

    assert wrong == []


def test_each_page_has_a_known_role_and_kind_and_one_entry_per_role():
    entries = [(page.key, page.role) for page in pages.CATALOGUE]

    assert {page.role for page in pages.CATALOGUE} <= set(pages.ROLES)
    assert {page.kind for page in pages.CATALOGUE} <= set(pages.KINDS)
    assert len(entries) == len(set(entries))
    assert set(pages.ROLES) - {"anonymous"} == set(pages.LOGINS)


def test_the_default_run_is_the_fourteen_pages_in_the_catalogue():
    assert len(pages.CORE) == 14
    assert pages.CATALOGUE[: len(pages.CORE)] == pages.CORE
