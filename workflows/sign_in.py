"""Sign-in: identifier + password -> the account, failures capped. A short workflow, so an API
layer in any language calls it through Temporal like every journey."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.accounts import SIGN_IN_WORKFLOW, SignInResult, SignInStart, SignInStatus
    from parcours.contracts.activities import ActivityName, CredentialCheck, VerifySignInRequest
    from parcours.refusals import sign_in_locked
    from parcours.workflows.common import JOURNEY_KIND, journey_workflow, local_activity_options


@journey_workflow(SIGN_IN_WORKFLOW, kind="sign_in")
class SignInWorkflow:
    kind: str  # set by @journey_workflow

    @workflow.run
    async def run(self, start: SignInStart) -> SignInResult:
        workflow.upsert_search_attributes([JOURNEY_KIND.value_set(self.kind)])
        check: CredentialCheck = await workflow.execute_local_activity(
            ActivityName.VERIFY_SIGN_IN.value,
            VerifySignInRequest(identifier=start.credentials.identifier, password=start.credentials.password,
                                now=workflow.now(), max_failures=start.policy.max_failures,
                                lockout=start.policy.lockout, attempt_key=f"{workflow.info().workflow_id}/check"),
            result_type=CredentialCheck, summary="check the password", **local_activity_options(),
        )
        if check.valid:
            return SignInResult(status=SignInStatus.SIGNED_IN, message=messages.SIGNED_IN,
                                account_ref=check.account_ref, kind=check.kind, identifier=check.identifier,
                                session_generation=check.session_generation)
        if check.merged:
            return SignInResult(status=SignInStatus.MERGED, message=messages.SIGN_IN_MERGED)
        if check.locked_until is not None:
            return SignInResult(status=SignInStatus.LOCKED, retry_at=check.locked_until,
                                message=sign_in_locked(check.locked_until, start.policy.time_zone))
        return SignInResult(status=SignInStatus.INVALID, message=messages.SIGN_IN_INVALID)
