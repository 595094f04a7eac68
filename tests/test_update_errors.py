"""A bug met in an update handler fails that update alone, with a clear French refusal; the journey
stays open and goes on once the bug is gone (workflows/update_errors.py)."""

import logging

import pytest

from parcours import messages
from parcours.client import JourneyActionRejected
from parcours.workflows.code_step import CodeStep
from tests.activation_helpers import at_code_step


async def test_an_unexpected_error_in_a_handler_fails_that_update_alone(harness, inbox, monkeypatch, caplog):
    parcours, _ = harness
    journey = await at_code_step(parcours)
    code = inbox.last_code()

    async def buggy_check(self, submission):
        raise KeyError(submission.code)  # a bug whose message quotes the input

    caplog.set_level(logging.INFO)
    with monkeypatch.context() as patched:
        patched.setattr(CodeStep, "_check_code", buggy_check)
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.submit_code(code)
    assert refused.value.reason == "internal_error"
    assert refused.value.message == messages.INTERNAL_ERROR
    assert code not in str(refused.value.errors)
    logged = [record.getMessage() for record in caplog.records if "unexpected KeyError" in record.getMessage()]
    assert logged and "buggy_check" in logged[0] and code not in caplog.text  # where, never the message
    step = await journey.current_step()
    assert step.state == "code_sent"  # open, at the same step
    assert (await journey.submit_code(code)).step.state == "children_to_confirm"
