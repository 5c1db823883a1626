"""The API keeps its own OpenAPI document: schemathesis sends requests generated from the whole schema to a
real server on loopback, as an anonymous visitor, a mediator and an admin, and every answer must be no 5xx,
a documented status code and content type, and a body of the documented shape.

Seeded and bounded: derandomized Hypothesis with a few examples per operation, so a run is repeatable and
takes a few minutes at most."""

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from core.settings import Settings
from support.console import PASSWORD, Site, serve_site

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
CALLERS = (None, "wang", "boss")  # anonymous, a mediator, an admin
EXAMPLES = 8


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "schema-fuzz") as site:
        yield site


@pytest.fixture(scope="module")
def headers(site: Site) -> dict[str | None, dict[str, str]]:
    """Each caller's headers: a bearer token from /api/auth/token, taken before any fuzzed login attempt."""
    found: dict[str | None, dict[str, str]] = {None: {}}
    for username in CALLERS[1:]:
        response = httpx.post(f"{site.url}/api/auth/token", data={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        found[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return found


# The document is the app's own, as built from its routes: the same for every settings, so read at import.
schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi())


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, site: Site, headers) -> None:
    for caller in CALLERS:
        case.call_and_validate(base_url=site.url, headers=headers[caller], checks=CHECKS, timeout=60)
