"""The Temporal contract of Parcours, generated from the workflows and their pydantic models, so
an API layer in any language can drive journeys: `docs/contract/temporal-contract.json`."""

from __future__ import annotations

import json

from pydantic import TypeAdapter
from temporalio import workflow

from parcours.contracts.accounts import PASSWORD_CHANGE_ID_PREFIX, SIGN_IN_ID_PREFIX
from parcours.contracts.activation import ID_PREFIX as ACTIVATION_ID_PREFIX
from parcours.contracts.children import CHILDREN_ID_PREFIX, LINK_REPORT_ID_PREFIX, MERGE_ID_PREFIX
from parcours.contracts.common import INPUT_ERRORS_DETAIL, UPDATE_REJECTED
from parcours.contracts.contact import EMAIL_CHANGE_ID_PREFIX, MOBILE_CHANGE_ID_PREFIX
from parcours.contracts.franceconnect import FRANCECONNECT_ID_PREFIX
from parcours.contracts.letter_activation import LETTER_ACTIVATION_ID_PREFIX
from parcours.contracts.recovery import IDENTIFIER_RECOVERY_ID_PREFIX, PASSWORD_RESET_ID_PREFIX
from parcours.workflows.activation import ActivationWorkflow
from parcours.workflows.children import (
    AccountMergeWorkflow,
    AccountViewWorkflow,
    ChildrenConfirmationWorkflow,
    LinkReportWorkflow,
)
from parcours.workflows.common import SEARCH_ATTRIBUTES
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.franceconnect import FranceConnectActivationWorkflow
from parcours.workflows.letter_activation import LetterActivationWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow
from parcours.workflows.sign_in import SignInWorkflow

WORKFLOW_IDS = {
    ActivationWorkflow: (f"{ACTIVATION_ID_PREFIX}<opaque random>", "FAIL on conflict (a fresh id per start)"),
    SignInWorkflow: (f"{SIGN_IN_ID_PREFIX}<opaque random>", "a fresh id per sign-in"),
    PasswordChangeWorkflow: (f"{PASSWORD_CHANGE_ID_PREFIX}<account_ref>", "USE_EXISTING: one live per account"),
    IdentifierRecoveryWorkflow: (f"{IDENTIFIER_RECOVERY_ID_PREFIX}<opaque random>", "a fresh id per request"),
    PasswordResetWorkflow: (f"{PASSWORD_RESET_ID_PREFIX}<opaque random>",
                            "a fresh id per request; a newer one for the same account supersedes the older"),
    AccountViewWorkflow: ("account-view/<opaque random>", "a fresh id per read"),
    LinkReportWorkflow: (f"{LINK_REPORT_ID_PREFIX}<opaque random>", "a fresh id per report"),
    ChildrenConfirmationWorkflow: (f"{CHILDREN_ID_PREFIX}<account_ref>", "USE_EXISTING: one live per account"),
    AccountMergeWorkflow: (f"{MERGE_ID_PREFIX}<account_ref>", "USE_EXISTING: one live per account"),
    EmailChangeWorkflow: (f"{EMAIL_CHANGE_ID_PREFIX}<account_ref>",
                          "USE_EXISTING: one live per account; a new request is an update to it"),
    MobileChangeWorkflow: (f"{MOBILE_CHANGE_ID_PREFIX}<account_ref>",
                           "USE_EXISTING: one live per account; a new number is an update to it"),
    LetterActivationWorkflow: (f"{LETTER_ACTIVATION_ID_PREFIX}<opaque random>", "a fresh id per start"),
    FranceConnectActivationWorkflow: (f"{FRANCECONNECT_ID_PREFIX}<opaque random>",
                                      "a fresh id per start; a FranceConnect subject activates one account once"),
}


def schema(type_) -> dict:
    return TypeAdapter(type_).json_schema(mode="validation") if type_ is not None else {}


def describe(workflow_class) -> dict:
    definition = workflow._Definition.must_from_class(workflow_class)
    id_scheme, conflict = WORKFLOW_IDS[workflow_class]
    return {
        "workflow_type": definition.name,
        "workflow_id": id_scheme,
        "id_policy": conflict,
        "start_argument": schema(definition.arg_types[0]),
        "result": schema(definition.ret_type),
        "updates": {name: {"argument": schema(update.arg_types[0]), "result": schema(update.ret_type)}
                    for name, update in sorted(definition.updates.items()) if name},
        "queries": {name: {"result": schema(query.ret_type)}
                    for name, query in sorted(definition.queries.items()) if name},
        "signals": sorted(name for name in definition.signals if name),
    }


def build_contract(task_queue: str = "parcours") -> dict:
    return {
        "task_queue": f"{task_queue} (setting PARCOURS_TASK_QUEUE)",
        "payloads": "JSON (pydantic), then AES-256-GCM encrypted: encoding 'binary/encrypted', metadata "
                    "'encryption-key-id'; see parcours/temporal/codec.py, or use the codec server's /encode and /decode",
        "input_types": "JSON-strict: every start and update argument takes each value in the JSON type its schema "
                       "names (0 is not false, \"5\" not 5, a number not a date); a value of another type is an "
                       "undecodable input naming its field",
        "update_rejections": f"ApplicationError type '{UPDATE_REJECTED}', first detail a Refusal "
                             "{reason, message, errors: [{field, message}]}; undecodable input: an "
                             "ApplicationError of type 'ValidationError' (the failure or its cause), first "
                             f"detail {{{INPUT_ERRORS_DETAIL}: [{{field, message}}]}}, its message naming the fields, "
                             "never their values",
        "search_attributes": {key.name: "Keyword" for key in SEARCH_ATTRIBUTES},
        "workflows": [describe(workflow_class) for workflow_class in WORKFLOW_IDS],
    }


def contract_json() -> str:
    return json.dumps(build_contract(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
