// One activation end to end, as an API layer in TypeScript drives it: the Temporal contract, the
// payload codec and the dev inbox, no Python. Camille Martin of the demo records activates her
// account by SMS; on the way, the three kinds of "no" an API layer must read are shown: an
// outcome that is not "accepted" (a wrong code), a refused action (an update the step does not
// allow) and an undecodable input (a number where the contract says a string).
// Prints each step; exits 1 on any answer other than the expected one.
import { randomBytes } from 'node:crypto';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey } from '@temporalio/common';
import { ParcoursCodec, parseKeyRing } from './codec.js';
import { journeyContract } from './contract.js';
import { codeSentFor, readSettings } from './settings.js';

// What Camille types in the forms (the demo records: README, `parcours demo`).
const IDENTITY = { channel: 'sms', last_name: 'Martin', first_name: 'Camille', mobile: '06 12 34 56 78' };
const BIRTH_DATES: Record<string, string> = { 'stu-lea-martin': '2014-03-02' };
const PASSWORD = 'Cartable-Vert-2031!';

// The contract's shapes, as far as this example reads them (ActivationOutcome, ActivationStep, Refusal).
interface Step {
  journey_id: string;
  state: string;
  finished: boolean;
  expected_input: string[];
  messages: string[];
  code_tries_left?: number | null;
  children: { student_ref: string; display_name: string; status: string }[];
  identifier?: string | null;
}
interface Outcome {
  status: string;
  message: string;
  tries_left?: number | null;
  retry_at?: string | null;
  step: Step;
}
interface Refusal {
  reason: string;
  message: string;
  errors: { field: string | null; message: string }[];
  retry_at?: string | null;
}

class Unexpected extends Error {}

function expect(condition: boolean, what: string, answer: unknown): void {
  if (!condition) throw new Unexpected(`${what}: unexpected answer ${JSON.stringify(answer)}`);
}

function show(step: string, outcome: Outcome): void {
  console.log(`${step}: ${outcome.status} -> state ${outcome.step.state} — ${outcome.message}`);
}

/** Why an update failed, read as the contract's update_rejections says: an ApplicationFailure of
 * type UpdateRejected whose first detail is a Refusal, or of type ValidationError (the failure
 * or its cause) whose first detail is {field_errors}. */
function refusalOf(error: unknown): { type: string; refusal: Refusal } | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  for (let cause: unknown = error.cause; cause instanceof ApplicationFailure; cause = cause.cause) {
    const detail = (cause.details?.[0] ?? {}) as Record<string, unknown>;
    if (cause.type === 'UpdateRejected') return { type: cause.type, refusal: detail as unknown as Refusal };
    if (cause.type === 'ValidationError') {
      const errors = (detail.field_errors ?? []) as Refusal['errors'];
      const message = typeof detail.message === 'string' ? detail.message : cause.message;
      return { type: cause.type, refusal: { reason: 'invalid_input', message, errors } };
    }
  }
  return undefined;
}

/** An update the example expects to be refused: what the refusal carries, printed and returned. */
async function refused(handle: WorkflowHandle, update: string, input: unknown): Promise<{ type: string; refusal: Refusal }> {
  try {
    const answer = await handle.executeUpdate(update, { args: [input] });
    throw new Unexpected(`${update} was expected to be refused, it answered ${JSON.stringify(answer)}`);
  } catch (error) {
    const read = refusalOf(error);
    if (!read) throw error;
    console.log(`  refused (${read.type}): reason ${read.refusal.reason} — ${read.refusal.message}`);
    for (const fault of read.refusal.errors) console.log(`    field ${fault.field ?? '(the whole input)'}: ${fault.message}`);
    if (read.refusal.retry_at) console.log(`    may be tried again at ${read.refusal.retry_at}`);
    return read;
  }
}

async function main(): Promise<void> {
  const settings = readSettings();
  const activation = journeyContract(settings.contractPath, 'Activation', {
    updates: ['submit_identity', 'submit_code', 'answer_child', 'choose_password'],
    queries: ['current_step'],
  });
  const connection = await Connection.connect({ address: settings.temporalAddress });
  const client = new Client({
    connection,
    namespace: settings.namespace,
    // Failures' messages and stack traces come encrypted (encoded_attributes): the SDK's default
    // failure converter reads them once the codec has opened them; a client sends no failure.
    dataConverter: { payloadCodecs: [new ParcoursCodec(parseKeyRing(settings.payloadKeys))] },
  });
  try {
    // The contract's id scheme: the prefix, then an opaque random reference (no personal data).
    const workflowId = `${activation.idPrefix}${randomBytes(16).toString('base64url')}`;
    console.log(`journey ${workflowId} on task queue ${settings.taskQueue} (${settings.temporalAddress})`);

    // 1. Start and submit the identity in one round trip (update-with-start). The start input is
    // ActivationStart: {} takes the policy's defaults. JourneyKind and JourneyState are given at
    // start, as Parcours' own client gives them, for operators' searches.
    const start = new WithStartWorkflowOperation(activation.workflowType, {
      workflowId,
      taskQueue: settings.taskQueue,
      args: [{}],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: defineSearchAttributeKey('JourneyKind', 'KEYWORD'), value: 'activation' },
        { key: defineSearchAttributeKey('JourneyState', 'KEYWORD'), value: 'identity_to_check' },
      ],
    });
    const identified = (await client.workflow.executeUpdateWithStart('submit_identity', {
      args: [IDENTITY],
      startWorkflowOperation: start,
    })) as Outcome;
    show('1. submit_identity', identified);
    if (identified.status === 'already_active') {
      console.log('  Camille is already active here: run against fresh demo records (a new stack folder)');
    }
    expect(identified.status === 'accepted' && identified.step.state === 'code_sent', 'submit_identity', identified);
    const handle = await start.workflowHandle();

    // 2. An action the step does not allow: a password before the code.
    console.log('2. choose_password before the code (the step does not allow it):');
    const notNow = await refused(handle, 'choose_password', { password: PASSWORD, confirmation: PASSWORD });
    expect(notNow.type === 'UpdateRejected' && notNow.refusal.reason.length > 0, 'choose_password too early', notNow);

    // 3. An input of the wrong JSON type: the contract's "JSON-strict", the field named.
    console.log('3. submit_code with a number where the contract says a string:');
    const invalid = await refused(handle, 'submit_code', { code: 123456 });
    expect(invalid.type === 'ValidationError' && invalid.refusal.errors.some((e) => e.field === 'code'),
      'submit_code with a number', invalid);

    // 4. A wrong code: not a refusal but an outcome, with the tries left.
    const code = await codeSentFor(settings.devInboxPath, workflowId);
    const wrong = code.replace(/.$/, (digit) => String((Number(digit) + 1) % 10));
    const incorrect = (await handle.executeUpdate('submit_code', { args: [{ code: wrong }] })) as Outcome;
    show(`4. submit_code ${wrong} (wrong)`, incorrect);
    console.log(`  tries left: ${incorrect.tries_left}`);
    expect(incorrect.status === 'code_incorrect' && incorrect.step.state === 'code_sent', 'a wrong code', incorrect);

    // 5. The code of the SMS, read from the dev inbox as the user reads their phone.
    const accepted = (await handle.executeUpdate('submit_code', { args: [{ code }] })) as Outcome;
    show(`5. submit_code ${code} (from the inbox)`, accepted);
    expect(accepted.status === 'accepted' && accepted.step.state === 'children_to_confirm', 'the right code', accepted);

    // 6. « Je confirme être le représentant légal de l'élève suivant », for each child to confirm.
    let step = accepted.step;
    for (const child of step.children.filter((c) => c.status === 'to_confirm')) {
      const birthDate = BIRTH_DATES[child.student_ref];
      expect(birthDate !== undefined, 'a child this example does not know', child);
      const answer = { student_ref: child.student_ref, is_guardian: true, birth_date: birthDate };
      const confirmed = (await handle.executeUpdate('answer_child', { args: [answer] })) as Outcome;
      show(`6. answer_child ${child.student_ref} (${child.display_name})`, confirmed);
      expect(confirmed.status === 'accepted', 'answer_child', confirmed);
      step = confirmed.step;
    }
    expect(step.state === 'password_to_choose', 'after the children', step);

    // 7. The password, twice.
    const chosen = (await handle.executeUpdate('choose_password', {
      args: [{ password: PASSWORD, confirmation: PASSWORD }],
    })) as Outcome;
    show('7. choose_password', chosen);
    expect(chosen.status === 'accepted' && chosen.step.state === 'activated', 'choose_password', chosen);

    // 8. The current step, as any page load reads it.
    const current = (await handle.query('current_step')) as Step;
    console.log(`8. current_step: ${current.state}, finished ${current.finished}, identifier ${current.identifier}`);
    expect(current.state === 'activated' && current.finished, 'current_step', current);
    // One line for scripts and the CI test.
    console.log(`RESULT ${JSON.stringify({ journey_id: workflowId, state: current.state, identifier: current.identifier })}`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Unexpected ? `UNEXPECTED ${error.message}` : error);
  process.exit(1);
});
