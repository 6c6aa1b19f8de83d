"""Every URL of the project against nine roles: the rows are in ``permission_matrix``.

One test checks that the rows and the URL patterns agree (a new URL without a row fails, and
so does a row for a URL that is gone); one test per role requests every row's URL as that
role inside the seeded demo database and compares the outcome with the row.

ALLOW: anything but a refusal (2xx, a redirect elsewhere than a sign-in page, or 400/422 for
an allowed POST with a bad body). DENY: a redirect to a sign-in page, 401, 403 or 404, or a
400 whose rule code the row lists as a refusal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shebao.core.models import User
from shebao.core.tests import permission_matrix as matrix
from shebao.registry.batch import batch_template
from shebao.registry.batch_staging import batch_stage, batch_unstage

if TYPE_CHECKING:  # the test client's response type exists in the type stubs only
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

ALLOW = "ALLOW"
DENY = "DENY"
# Where a refused visitor is sent to sign in.
SIGN_IN_PATHS = ("/login/", "/portal/login/", "/portal/employer/login/", "/admin/login/")
# The Django admin's patterns are summarised by the rows of this namespace.
SUMMARISED_NAMESPACES = ("admin",)
SUMMARISED_ROUTE_PREFIXES = ("admin/",)
# Django's own plumbing with no name of its own, if any, listed by route.
UNNAMED_PUBLIC_ROUTES: frozenset[str] = frozenset()


def _patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(route, namespaced name) of every pattern under ``resolver``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            yield prefix + str(entry.pattern), full


def test_every_url_pattern_has_a_row_and_every_row_a_pattern() -> None:
    rows = [row.name for row in matrix.ROWS]
    duplicates = sorted({name for name in rows if rows.count(name) > 1})
    assert not duplicates, f"rows listed twice in permission_matrix.ROWS: {duplicates}"

    patterns = list(_patterns(get_resolver()))
    unnamed = sorted(
        route
        for route, name in patterns
        if not name and not route.startswith(SUMMARISED_ROUTE_PREFIXES)
    )
    assert set(unnamed) <= UNNAMED_PUBLIC_ROUTES, (
        f"URL patterns without a name cannot have a matrix row: {unnamed}; give them a name "
        "and add a row to shebao/core/tests/permission_matrix.py ROWS"
    )
    named = {name: route for route, name in patterns if name}
    summarised = {name for name in named if name.split(":", 1)[0] in SUMMARISED_NAMESPACES}
    missing = sorted(f"{name} ({named[name]})" for name in set(named) - set(rows) - summarised)
    assert not missing, (
        "URL patterns without a row in the permission matrix: "
        + ", ".join(missing)
        + ". Add a Row for each to ROWS in shebao/core/tests/permission_matrix.py "
        "(see its docstring) saying which roles may use it."
    )
    gone = sorted(set(rows) - set(named))
    assert not gone, (
        f"rows in shebao/core/tests/permission_matrix.py for URL names that no longer exist: "
        f"{gone}; remove or rename them"
    )


def _client_of(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == matrix.ANONYMOUS:
        return client
    if role == matrix.CITIZEN:
        from shebao.portal.models import CitizenAccount

        user: User | None = (
            CitizenAccount.objects.select_related("user").get(person__name="张伟").user
        )
    elif role == matrix.AGENT:
        from shebao.portal.models import EmployerAgent

        user = (
            EmployerAgent.objects.select_related("user")
            .get(employer__name="十堰市示范超市有限公司", phone="13907191001")
            .user
        )
    else:
        user = User.objects.get(username=matrix.STAFF_USERS[role])
    assert user is not None
    client.force_login(user)
    return client


def _outcome(response: Response, row: matrix.Row) -> str:
    status = response.status_code
    if status in (401, 403, 404):
        return DENY
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        at_sign_in = target.startswith(SIGN_IN_PATHS)
        return DENY if at_sign_in and not row.ends_at_sign_in else ALLOW
    if 200 <= status < 300:
        return ALLOW
    if status in (400, 422) and row.method == "POST":
        return DENY if _rule_code(response) in row.refusal_codes else ALLOW
    return f"status {status}"


def _rule_code(response: Response) -> str:
    if not response.get("Content-Type", "").startswith("application/json"):
        return ""
    return str(json.loads(response.content).get("code", ""))


def _url(client: Client, row: matrix.Row, refs: matrix.Refs) -> tuple[str, str]:
    """The row's URL and the token of the batch staged for it ("" if none)."""
    kwargs = dict(row.kwargs(refs)) if row.kwargs else None
    token = ""
    if row.staged_batch and kwargs is not None:
        session = client.session
        token = batch_stage(
            session, employer=refs.employer, data=batch_template("addition"), kind="addition"
        )
        session.save()
        kwargs["token"] = token
    return reverse(row.name, kwargs=kwargs), token


def _request(client: Client, row: matrix.Row, refs: matrix.Refs, url: str) -> Response:
    if row.method == "GET":
        return client.get(url, row.form(refs))
    body = row.body(refs)
    if body is not None:
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, row.form(refs))


@pytest.mark.parametrize("role", matrix.ROLES)
def test_permission_matrix(role: str, demo: None) -> None:
    refs = matrix.Refs()
    wrong: list[str] = []
    for row in matrix.ROWS:
        client = _client_of(role)
        url, token = _url(client, row, refs)
        # Each request in a savepoint of its own: what one row changes, the next never sees.
        # Marked as Django's TestCase marks its own blocks, so that the services' durable
        # transactions may open inside it, as they do inside every test.
        savepoint = transaction.atomic()
        savepoint._from_testcase = True  # type: ignore[attr-defined]
        with savepoint:
            response = _request(client, row, refs, url)
            transaction.set_rollback(True)
        if token:  # the staged file, if the request left it
            batch_unstage(client.session, token=token)
        expected = ALLOW if role in row.allow else DENY
        got = _outcome(response, row)
        if got != expected:
            wrong.append(
                f"{row.method} {url} ({row.name}): expected {expected}, got {got} "
                f"[{response.status_code} {response.get('Location', '')}]"
            )
    assert not wrong, f"{len(wrong)} rows wrong for {role}:\n" + "\n".join(wrong)
