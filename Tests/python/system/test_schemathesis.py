"""Schemathesis against the project's OpenAPI document and the real order-api process.

Every operation in openapi.yaml gets schema-valid (positive) and schema-breaking (negative) cases;
each answer must not be a 5xx, must use a status code and content type the document declares, and
must match the declared response schema. Bounded for CI (SCHEMATHESIS_EXAMPLES, default 25 per
operation and mode); `make soak` runs 300."""
from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,  # noqa: E402
                                               status_code_conformance)

from orderapi import ADMIN_TOKEN, ApiServer, write_shop  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def run_schemathesis(repo, bin_dir, tmp_path, output_dir, examples: int, db: str | None = None):
    write_shop(tmp_path)
    schema = schemathesis.openapi.from_path(repo / "openapi.yaml")
    failures = []
    ran = 0
    env = {"ORDER_API_ADMIN_FAILURE_LIMIT": "0"}
    with ApiServer(bin_dir, tmp_path, env=env, db=db) as server:
        for result in schema.get_all_operations():
            operation = result.ok()
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"} if operation.path.startswith("/admin") else {}
            # The document itself is YAML text; schemathesis would parse it and compare it with `type: string`.
            checks = [c for c in CHECKS if c is not response_schema_conformance] if operation.path == "/openapi.yaml" else CHECKS
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def check(case):
                    case.call_and_validate(base_url=server.base, headers=headers, checks=checks)

                try:
                    check()
                except Unsatisfiable:
                    continue  # no way to break the schema of an operation without parameters or body
                except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect every failure, then report them all
                    failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}")
                ran += 1
            assert server.alive(), server.log_tail()
    (output_dir / ("schemathesis-postgres.txt" if db else "schemathesis.txt")).write_text(f"{ran} operation runs, {len(failures)} failed\n\n" + "\n\n".join(failures))
    assert ran >= 10
    assert not failures, "\n\n".join(failure[:1500] for failure in failures)


def test_schemathesis_against_openapi_yaml(repo, bin_dir, tmp_path, output_dir):
    run_schemathesis(repo, bin_dir, tmp_path, output_dir, int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25")))


def test_schemathesis_against_a_postgresql_instance(repo, bin_dir, tmp_path, output_dir, pg_database):
    run_schemathesis(repo, bin_dir, tmp_path, output_dir, int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25")), db=pg_database)


@pytest.mark.soak
def test_schemathesis_soak(repo, bin_dir, tmp_path, output_dir):
    run_schemathesis(repo, bin_dir, tmp_path, output_dir, 300)
