"""Every endpoint driven from the OpenAPI schema by schemathesis: no 5xx, and responses
conform to the schema (status codes, content types, bodies)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("schemathesis")

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from reachmap.server.app import Settings, create_app

# (schemathesis needs the schema when the tests are collected: the app is built here)
_tmp = Path(tempfile.mkdtemp(prefix="reachmap-schema-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
_app = create_app(Settings(database_url=f"sqlite:///{_tmp / 'schema.sqlite3'}"))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_from_its_schema(case: schemathesis.Case) -> None:
    # Every check but one: a schema-valid request may still name a place, system or
    # region that does not exist, and the API rightly answers 422 naming the field.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
