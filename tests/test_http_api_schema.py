"""Schemathesis against the OpenAPI spec the running stack serves (`parcours up`, real HTTP): for
every operation, generated valid and invalid requests get no 5xx, and every response matches the
spec — status code, content type and body schema. (Driven through hypothesis directly: the
schemathesis pytest plugin does not run under pytest 9.)"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}  # per operation: ~1 min in all


@pytest.fixture(scope="module")
def operations(embedded_stack):
    schema = schemathesis.openapi.from_url(f"{embedded_stack.api_url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_its_spec(operations, mode):
    assert len(operations) > 30
    for operation in operations:
        started = time.monotonic()
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES[mode], deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def keeps_its_spec(case):
            # Valid by the JSON schema is not always acceptable: names must match the school's
            # records, numbers be mobile numbers, refs exist — well-formed requests may be refused.
            case.call_and_validate(excluded_checks=[positive_data_acceptance], timeout=30)

        try:
            keeps_its_spec()
        except Unsatisfiable:  # nothing of it can be made invalid (no body, no parameters)
            assert mode is GenerationMode.NEGATIVE
            continue
        print(f"{operation.label}: {time.monotonic() - started:.1f} s")
