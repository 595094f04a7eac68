"""Hostile input, property-based (hypothesis): arbitrary JSON — unicode, huge values, wrong types,
unknown fields — at every input model and at every update of live journeys, in states where the
update is not expected too. Each is accepted or refused with a clear error; a refusal changes
nothing; no workflow task ever fails."""

import asyncio
import importlib
import pkgutil

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

import parcours.contracts as parcours_contracts
from parcours.client import refusal_from
from parcours.contracts.common import FieldError, StrictInput
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from tests.activation_helpers import CAMILLE_SMS, at_code_step
from tests.french import english_in
from tests.waiting import settled

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | TEXT | st.text(max_size=5).map(lambda s: s * 2000))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=10)


def input_models() -> list[type[StrictInput]]:
    """Every StrictInput subclass of every contracts module."""
    for module in pkgutil.iter_modules(parcours_contracts.__path__):
        importlib.import_module(f"{parcours_contracts.__name__}.{module.name}")
    found, pending = set(), list(StrictInput.__subclasses__())
    while pending:
        model = pending.pop()
        found.add(model)
        pending.extend(model.__subclasses__())
    return sorted(found, key=lambda model: model.__name__)


def payloads(model: type[StrictInput] | None = None):
    """Anything at all, or the model's own field names with anything as values (past the first
    line of defence, into each field's validation)."""
    if model is None or not model.model_fields:
        return JSON
    shaped = st.fixed_dictionaries({}, optional={name: JSON | TEXT for name in model.model_fields})
    return JSON | shaped | shaped.flatmap(lambda d: st.just(d) | st.dictionaries(TEXT, JSON, max_size=2).map(d.__or__))


def test_there_are_input_models_to_check():
    assert len(input_models()) >= 15


@pytest.mark.parametrize("model", input_models(), ids=lambda model: model.__name__)
def test_every_input_model_accepts_or_names_the_field(model):
    @hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(payloads(model))
    def check(payload):
        try:
            model.model_validate(payload)
        except ValidationError as error:
            assert error.errors() and all(isinstance(e["msg"], str) and e["msg"] for e in error.errors())
            told = [FieldError.from_pydantic(e).message for e in error.errors()]  # what a person reads
            assert all(message and not english_in(message) for message in told), told
            if isinstance(payload, dict):
                assert all(e["loc"] for e in error.errors()), error  # each error names its field

    check()


# -- live journeys ------------------------------------------------------------------------------

async def live_journeys(parcours, inbox):
    """(handle, its updates) for a journey of each kind, in a state that expects input."""
    account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
    fresh, _ = await parcours.start_activation(None)
    waiting_code = await at_code_step(parcours, CAMILLE_SMS)
    reset, _ = await parcours.start_password_reset({"channel": "mail", "identifier": "s.bernard1",
                                                    "email": "sophie.bernard@example.org"})
    await settled(reset)
    activation_updates = ["submit_identity", "submit_code", "resend_code", "answer_child", "choose_password"]
    return [
        (fresh.handle, activation_updates),
        (waiting_code.handle, activation_updates),
        (reset.handle, ["request_reset", "open_link", "choose_password", "submit_code", "resend_code"]),
        ((await parcours.start_password_change(account_ref)).handle, ["change_password"]),
        ((await parcours.email_change(account_ref)).handle, ["request_change", "resend_link", "open_link", "confirm"]),
        ((await parcours.mobile_change(account_ref)).handle, ["request_change", "submit_code", "resend_code"]),
        ((await parcours.start_letter_activation()).handle, ["submit_credentials", "submit_details"]),
        ((await parcours.start_merge(account_ref)).handle, ["merge"]),
    ]


async def step_of(handle) -> dict:
    step = await handle.query("current_step", result_type=dict)
    step.pop("deadlines", None)  # the time left moves on by itself
    return step


async def test_arbitrary_updates_are_refused_clearly_and_change_nothing(harness, inbox):
    parcours, _ = harness
    journeys = await live_journeys(parcours, inbox)
    loop = asyncio.get_running_loop()
    outcomes = {"accepted": 0, "refused": 0}

    async def send(handle, update, payload):
        before = await step_of(handle)
        try:
            await handle.execute_update(update, payload, result_type=dict)
            outcomes["accepted"] += 1
        except WorkflowUpdateFailedError as error:
            refusal = refusal_from(error)
            assert refusal.message and refusal.reason != "failed", (update, payload, refusal)
            if refusal.reason == "invalid_input" and isinstance(payload, dict) and payload:
                assert refusal.errors, refusal  # the field is named
            assert await step_of(handle) == before, (update, payload)
            outcomes["refused"] += 1

    def fuzz(handle, update):
        @hypothesis_settings(max_examples=12, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(JSON | st.dictionaries(st.sampled_from(["code", "password", "confirmation", "token", "channel",
                                                       "mobile", "email", "identifier", "student_ref", "birth_date",
                                                       "new_email", "new_mobile", "is_guardian", "last_name"]),
                                      JSON | TEXT, max_size=4))
        def check(payload):
            asyncio.run_coroutine_threadsafe(send(handle, update, payload), loop).result(timeout=60)

        check()

    for handle, updates in journeys:
        for update in updates:
            await asyncio.to_thread(fuzz, handle, update)
    for handle, _ in journeys:
        history = await handle.fetch_history()
        failed = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
        assert failed == [], handle.id
        assert (await handle.describe()).status.name == "RUNNING", handle.id
    assert outcomes["refused"] > 0
    print(outcomes)
