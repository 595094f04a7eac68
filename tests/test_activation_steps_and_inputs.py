"""The activation workflow on the time-skipping server: the idle clock, children, password, inputs,
supersession, what operators see, the worker's settings."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType

from parcours import messages
from parcours.client import ActivationJourneyClient, JourneyActionRejected, execute
from parcours.db.models import AccountStudent
from parcours.field_messages import FRENCH_BY_TYPE
from parcours.workflows.common import ACCOUNT_REF, JOURNEY_KIND, JOURNEY_STATE
from tests.activation_helpers import (
    CAMILLE_MAIL,
    CAMILLE_SMS,
    ELOISE_SMS,
    GOOD_PASSWORD,
    LEA,
    at_code_step,
    at_password_step,
)
from tests.waiting import settled


async def test_idle_journey_is_abandoned_after_24_hours(harness, time_env):
    """Journey idle lifetime (24 h default) ends the journey as abandoned."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    await time_env.sleep(timedelta(hours=23, minutes=59))
    assert (await journey.current_step()).state == "code_expired"
    await time_env.sleep(timedelta(minutes=2))
    step = await journey.result()
    assert step.state == "abandoned" and step.finished


async def test_activity_resets_the_idle_clock(harness, inbox, time_env):
    parcours, _ = harness
    journey = await at_code_step(parcours)
    await time_env.sleep(timedelta(hours=20))
    await journey.resend_code()
    await time_env.sleep(timedelta(hours=20))
    assert (await journey.current_step()).state == "code_expired"


async def test_wrong_birth_date_then_continue(harness, inbox):
    """R-ACT-7: "La date de naissance saisie est incorrecte"; after 3 tries the child stays
    unconfirmed and the guardian goes on."""
    parcours, dependencies = harness
    journey = await at_code_step(parcours)
    await journey.submit_code(inbox.last_code())
    wrong = {**LEA, "birth_date": "01 01 2015"}
    for tries_left in (2, 1):
        outcome = await journey.answer_child(wrong)
        assert outcome.status == "birth_date_incorrect" and outcome.tries_left == tries_left
        assert outcome.message == "La date de naissance saisie est incorrecte"
    outcome = await journey.answer_child(wrong)
    assert outcome.status == "child_left_unconfirmed" and "Continuez votre inscription cependant" in outcome.message
    assert outcome.step.state == "password_to_choose"
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    async with dependencies.sessions() as session:
        assert [link.status for link in (await session.scalars(select(AccountStudent))).all()] == ["unconfirmed"]


async def test_two_children_one_reported(harness, inbox):
    """R-ACT-7: each linked student is answered; « Je ne suis pas … » reports the link."""
    parcours, dependencies = harness
    journey = await at_code_step(parcours, ELOISE_SMS)
    outcome = await journey.submit_code(inbox.last_code())
    questions = {child.student_ref: child.question for child in outcome.step.children}
    assert questions["stu-ines-dupont"] == "Je confirme être la personne en charge de l'élève suivant"
    denials = {child.student_ref: child.deny_label for child in outcome.step.children}
    assert denials["stu-ines-dupont"] == "Je ne suis pas la personne en charge de cet élève"
    assert denials["stu-hugo-dupont"] == "Je ne suis pas le représentant légal de cet élève"
    outcome = await journey.answer_child(
        {"student_ref": "stu-hugo-dupont", "is_guardian": True, "birth_date": "2012-09-21"})
    assert outcome.step.state == "children_to_confirm"
    outcome = await journey.answer_child({"student_ref": "stu-ines-dupont", "is_guardian": False})
    assert outcome.status == "link_reported" and outcome.step.state == "password_to_choose"
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    async with dependencies.sessions() as session:
        statuses = sorted(link.status for link in (await session.scalars(select(AccountStudent))).all())
    assert statuses == ["confirmed", "unconfirmed"]  # R-KID-3: Inès's only guardian link is not reported


async def test_password_policy_names_each_unmet_criterion(harness, inbox):
    """R-ACT-8: refused with each unmet criterion named; the journey waits for a better one."""
    parcours, _ = harness
    journey = await at_password_step(parcours, inbox)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password("motdepasse", "motdepasse")
    assert refused.value.reason == "password_policy"
    policy = (await journey.current_step()).password_policy  # what the screen shows: every criterion
    assert policy is not None and policy.min_length == 8 and "£" in policy.special_characters
    labels = {criterion.label for criterion in policy.criteria}
    assert {e.message for e in refused.value.errors} <= labels  # each refusal names a criterion shown
    assert [e.message for e in refused.value.errors] == [
        "Doit contenir 1 majuscule", "Doit contenir 1 chiffre",
        "Doit contenir 1 caractère spécial parmi " + " ".join("!?@#$(){}[]_&=+-%*<>£µ/.;"),
        "Ne doit pas être un mot de passe courant, même orné de chiffres ou de symboles",
    ]
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD + "x")
    assert refused.value.reason == "password_confirmation"
    assert refused.value.errors[0].field == "confirmation"
    assert (await journey.current_step()).state == "password_to_choose"
    assert (await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"


async def test_updates_in_the_wrong_state_are_rejected_and_change_nothing(harness, inbox):
    parcours, _ = harness
    journey = await at_code_step(parcours)
    before = await journey.current_step()
    for action in (journey.answer_child(LEA), journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD),
                   journey.submit_identity(CAMILLE_SMS)):
        with pytest.raises(JourneyActionRejected) as refused:
            await action
        assert refused.value.reason == "not_now"
        # The French for the user alone; the update and the state for developers, beside it.
        assert refused.value.message == messages.NOT_NOW and " in state code_sent" in refused.value.debug
    assert await journey.current_step() == before


async def test_unknown_student_is_rejected_naming_the_field(harness, inbox):
    parcours, _ = harness
    journey = await at_code_step(parcours)
    await journey.submit_code(inbox.last_code())
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.answer_child({"student_ref": "stu-someone-else", "is_guardian": True, "birth_date": "2014-03-02"})
    assert refused.value.errors[0].field == "student_ref"
    assert refused.value.message == messages.UNKNOWN_STUDENT
    assert refused.value.errors[0].message == messages.UNKNOWN_STUDENT_FIELD
    assert refused.value.debug == "stu-someone-else is not a student waiting for confirmation"


async def test_bad_input_from_another_language_is_rejected_without_failing_the_task(harness, time_env, inbox):
    """An API layer that skips the client module's validation still gets a clear error naming the
    field, and the journey is unchanged."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    raw = ActivationJourneyClient(time_env.client.get_workflow_handle(journey.journey_id))
    for bad in ({"code": "12ab56"}, {"code": "123456", "extra": 1}, {}, {"code": ["123456"]}):
        with pytest.raises(JourneyActionRejected) as refused:
            await execute(raw.handle, "submit_code", bad)  # no client-side validation
        assert refused.value.reason == "invalid_input"
        assert {e.field for e in refused.value.errors} & {"code", "extra"}, refused.value.errors
    history = await time_env.client.get_workflow_handle(journey.journey_id).fetch_history()
    assert not [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
    assert (await journey.current_step()).state == "code_sent"
    assert (await journey.submit_code(inbox.last_code())).status == "accepted"


async def test_each_bad_field_is_named_exactly_whatever_its_name(harness, time_env, inbox):
    """Field errors cross Temporal as data, not as pydantic's text: a field name with a leading
    space or a line break is named as sent (the text lost them; hypothesis found it)."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    raw = ActivationJourneyClient(time_env.client.get_workflow_handle(journey.journey_id))
    odd = {" leading": 1, "line\nbreak": 2, "line\u2028separator": 3, "": 4}
    with pytest.raises(JourneyActionRejected) as refused:
        await execute(raw.handle, "resend_code", odd)  # ResendInput has no field: only these errors
    assert refused.value.reason == "invalid_input"
    assert sorted((e.field, e.message) for e in refused.value.errors) == sorted(
        (field, FRENCH_BY_TYPE["extra_forbidden"]) for field in odd)
    with pytest.raises(JourneyActionRejected) as refused:
        await execute(raw.handle, "answer_child", {"student_ref": "stu-1", "is_guardian": "sometimes",
                                                "birth_date": "2014-03-02"})
    assert [e.field for e in refused.value.errors] == ["is_guardian"]
    assert (await journey.current_step()).state == "code_sent"


async def test_second_start_for_the_same_person_supersedes_the_first(harness, inbox):
    """Starting twice for the same person never leaves two live journeys: the newer one wins,
    the older one ends and its code is void."""
    parcours, _ = harness
    first = await at_code_step(parcours)
    first_code = inbox.last_code()
    second = await at_code_step(parcours, CAMILLE_MAIL)
    assert (await settled(first, leaving="code_sent")).state == "superseded"
    with pytest.raises(JourneyActionRejected) as refused:
        await first.submit_code(first_code)
    assert refused.value.reason == "journey_finished"
    assert (await second.submit_code(inbox.last_code())).status == "accepted"


async def test_operators_see_kind_state_and_account(harness, time_env, inbox):
    """Search attributes: kind and first state from the start, then each state once it has lasted
    `operator_state_lag` (60 s) or the journey ended; no personal data in them."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    handle = time_env.client.get_workflow_handle(journey.journey_id)
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(JOURNEY_KIND) == "activation" and attributes.get(JOURNEY_STATE) == "identity_to_check"
    await time_env.sleep(timedelta(seconds=61))
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(JOURNEY_STATE) == "code_sent"
    assert attributes.get(ACCOUNT_REF)
    assert "Martin" not in str(attributes) and "0612" not in str(attributes)
    await journey.submit_code(inbox.last_code())
    assert (await handle.describe()).typed_search_attributes.get(JOURNEY_STATE) == "code_sent"
    await time_env.sleep(timedelta(seconds=61))
    assert (await handle.describe()).typed_search_attributes.get(JOURNEY_STATE) == "children_to_confirm"
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)  # the end is shown at once
    assert (await handle.describe()).typed_search_attributes.get(JOURNEY_STATE) == "activated"
    assert journey.journey_id.startswith("activation/") and "Martin" not in journey.journey_id


async def test_a_state_reached_by_a_deadline_is_shown_at_once(harness, time_env):
    """No user steps through an expiry: operators see code_expired as the code expires, and the
    journey does not wake a minute later (and is not replayed then by a worker that let it go) to
    show it."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    handle = time_env.client.get_workflow_handle(journey.journey_id)
    await time_env.sleep(timedelta(minutes=30, seconds=1))
    assert (await journey.current_step()).state == "code_expired"
    assert (await handle.describe()).typed_search_attributes.get(JOURNEY_STATE) == "code_expired"
    events = (await handle.fetch_history()).events
    last_fired = max(index for index, event in enumerate(events)
                     if event.event_type == EventType.EVENT_TYPE_TIMER_FIRED)
    started = [event.user_metadata.summary for event in events[last_fired:]  # since the code's expiry fired
               if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    summaries = await time_env.client.data_converter.decode(started, [str] * len(started)) if started else []
    assert "JourneyState shown to operators" not in summaries, summaries


async def test_the_same_journey_runs_with_the_sandbox_off(time_env, settings, inbox):
    """PARCOURS_WORKFLOW_SANDBOX=false (less memory per journey held open, see bench/README.md)
    runs the journeys unchanged, timers included."""
    from parcours.testing import running_parcours

    bare = settings.model_copy(update={"workflow_sandbox": False})
    async with running_parcours(time_env.client, bare, update_with_start=False) as (parcours, _):
        journey, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.status == "accepted"
        await time_env.sleep(timedelta(minutes=31))
        assert (await journey.current_step()).state == "code_expired"
        await journey.resend_code()
        await journey.submit_code(inbox.last_code())
        await journey.answer_child(LEA)
        outcome = await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
        assert outcome.step.state == "activated"


async def test_the_worker_takes_its_cache_and_task_concurrency_from_the_settings(time_env, settings):
    """A burst of journeys waits on the server past PARCOURS_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS
    (default 10) instead of piling up in one event loop until tasks time out (bench/README.md)."""
    from parcours.activities.dependencies import ActivityDependencies
    from parcours.settings import Settings
    from parcours.worker import build_worker

    assert Settings(_env_file=None).worker_max_concurrent_workflow_tasks == 10
    tuned = settings.model_copy(update={"worker_max_concurrent_workflow_tasks": 3, "worker_max_cached_workflows": 50})
    dependencies = ActivityDependencies.from_settings(tuned)
    try:
        config = build_worker(time_env.client, tuned, dependencies).config()
    finally:
        await dependencies.engine.dispose()
    assert config["max_concurrent_workflow_tasks"] == 3
    assert config["max_cached_workflows"] == 50


async def test_a_code_of_the_wrong_length_is_invalid_input_and_costs_no_try(harness, time_env, inbox):
    """« 12 34 » cannot be the 6-digit code sent: refused by the update's validator, naming the
    field, before the history (no try spent); a well-formed wrong code still costs one, and the
    code typed with spaces inside is taken."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    handle = time_env.client.get_workflow_handle(journey.journey_id)

    async def updates_accepted() -> int:
        history = await handle.fetch_history()
        return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for e in history.events)

    accepted_before = await updates_accepted()
    for malformed in ("12 34", "1234567", "12 34 5"):
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.submit_code(malformed)
        assert refused.value.reason == "invalid_input"
        assert [(e.field, e.message) for e in refused.value.errors] == [
            ("code", messages.CODE_LENGTH.format(digits=6))]
        assert refused.value.message == messages.INPUT_INVALID.format(fields="code")
    assert await updates_accepted() == accepted_before
    code = inbox.last_code()
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    outcome = await journey.submit_code(wrong)
    assert outcome.status == "code_incorrect" and outcome.tries_left == 4
    assert (await journey.submit_code(f"{code[:3]} {code[3:]}")).status == "accepted"
