"""The OpenAPI document is in step with the code: every /api/v1 route has its operation and
every operation its route, and schemathesis calls every operation through the WSGI app with an
organizer's write token: no 5xx, and every answer matches the document's status codes, content
type and schema."""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum.extensions import db
from forum.services import api_tokens
from forum.views.api_spec import document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_route_has_an_operation_and_every_operation_a_route(app):
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods & METHODS
    }
    operations = {
        (path, method)
        for path, item in document()["paths"].items()
        for method in item
        if method.upper() in METHODS
    }
    assert routes == operations


def test_the_served_document_is_the_one_the_code_holds(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json() == document()
    assert response.get_json()["openapi"] == "3.1.0"


@pytest.fixture
def write_token(forum):
    _token, secret = api_tokens.create_token(forum.organizer, "schemathesis", "write")
    db.session.commit()
    return secret


def test_every_operation_answers_as_documented(app, forum, write_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods & METHODS
    }
    assert len(operations) == len(routes)  # every route but the document itself is called below
    app.config["API_RATE_LIMIT"] = 10_000  # the limit has its own test (test_api.py)
    try:
        _call_every_operation(operations, forum.event.slug, headers)
    finally:
        app.config["API_RATE_LIMIT"] = 120


def _call_every_operation(operations, slug, headers):
    """A few generated calls of each operation (derandomized: the same calls on every run)."""
    for operation in operations:

        @settings(
            max_examples=4,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            if case.path_parameters and "slug" in case.path_parameters:
                # every call with an event reaches the real one, so that its data is generated and checked
                case.path_parameters["slug"] = slug
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
