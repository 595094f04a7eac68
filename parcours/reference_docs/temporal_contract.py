"""The Temporal contract of Parcours, generated from the workflows and their pydantic models, so
an API layer in any language can drive journeys: `docs/contract/temporal-contract.json`."""

from __future__ import annotations

import json

from pydantic import TypeAdapter
from temporalio import workflow

from parcours.contracts.common import INPUT_ERRORS_DETAIL, UPDATE_REJECTED, Refusal
from parcours.journeys import JOURNEYS
from parcours.workflows.common import SEARCH_ATTRIBUTES
from parcours.workflows.updates import updates_of

WORKFLOW_IDS = {journey.workflow: (journey.id_scheme, journey.id_policy) for journey in JOURNEYS}


def schema(type_) -> dict:
    return TypeAdapter(type_).json_schema(mode="validation") if type_ is not None else {}


def describe(workflow_class) -> dict:
    definition = workflow._Definition.must_from_class(workflow_class)
    id_scheme, conflict = WORKFLOW_IDS[workflow_class]
    return {
        "workflow_type": definition.name,
        "workflow_id": id_scheme,
        "id_policy": conflict,
        "start_argument": schema(definition.arg_types[0] if definition.arg_types else None),
        "result": schema(definition.ret_type),
        "updates": {name: {"argument": schema(update.input_type), "result": schema(update.outcome_type)}
                    for name, update in sorted(updates_of(workflow_class).items())},
        "queries": {name: {"result": schema(query.ret_type)}
                    for name, query in sorted(definition.queries.items()) if name},
        "signals": sorted(name for name in definition.signals if name),
    }


def build_contract(task_queue: str = "parcours") -> dict:
    return {
        "task_queue": f"{task_queue} (setting PARCOURS_TASK_QUEUE)",
        "payloads": "JSON (pydantic: 'json/plain'; null: 'binary/null'), then AES-256-GCM encrypted: encoding "
                    "'binary/encrypted', metadata 'encryption-key-id'; specified for any language in "
                    "docs/codec.md, with test vectors (docs/codec-test-vectors.json), or use the codec server's "
                    "/encode and /decode",
        "input_types": "JSON-strict: every start and update argument takes each value in the JSON type its schema "
                       "names (0 is not false, \"5\" not 5, a number not a date); a value of another type is an "
                       "undecodable input naming its field",
        "update_rejections": f"ApplicationError type '{UPDATE_REJECTED}', first detail a Refusal "
                             "{reason, message, errors: [{field, message}], retry_at, debug} (refusal_schema): "
                             "message and each field's message French, for the user; debug for developers "
                             "only; undecodable input: an "
                             "ApplicationError of type 'ValidationError' (the failure or its cause), first "
                             f"detail {{{INPUT_ERRORS_DETAIL}: [{{field, message}}], message}}, naming the fields, "
                             "never their values. Either failure's message is the Refusal as one line of JSON "
                             "(reason invalid_input for an undecodable input), for clients that show only a "
                             "failure's message and type (the temporal CLI); refusals are not retryable",
        # The schema itself, so the contract follows the model (the freshness test sees a change).
        "refusal_schema": Refusal.model_json_schema(),
        "search_attributes": {key.name: "Keyword" for key in SEARCH_ATTRIBUTES},
        "workflows": [describe(workflow_class) for workflow_class in WORKFLOW_IDS],
    }


def contract_json() -> str:
    return json.dumps(build_contract(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
