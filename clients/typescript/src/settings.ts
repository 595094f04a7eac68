// What the example needs to know about a Parcours deployment, read from the same PARCOURS_*
// variables Parcours reads (docs/settings.md), so one environment serves both; and the dev inbox.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Settings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  payloadKeys: string;
  devInboxPath: string;
  contractPath: string;
}

// Relative paths are read from the folder the command was typed in: npm runs scripts in the
// package's folder but says where it was called from (INIT_CWD), e.g. `npm run --prefix …`.
const base = process.env.INIT_CWD ?? process.cwd();

// Beside `bash scripts/up`, the dev keys sit in .parcours/secrets.env of the folder it ran in;
// a variable set in the environment wins, as with Parcours' own settings.
function secretsFile(): Record<string, string> {
  const path = resolve(base, '.parcours/secrets.env');
  if (!existsSync(path)) return {};
  const entries = readFileSync(path, 'utf-8')
    .split('\n')
    .filter((line) => line.includes('=') && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]);
  return Object.fromEntries(entries);
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const setting = (name: string, fallback?: string): string => {
    const value = env[`PARCOURS_${name}`] ?? secretsFile()[`PARCOURS_${name}`] ?? fallback;
    if (value === undefined) throw new Error(`PARCOURS_${name} is not set (and no .parcours/secrets.env here)`);
    return value;
  };
  return {
    temporalAddress: setting('TEMPORAL_ADDRESS', env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'),
    namespace: setting('TEMPORAL_NAMESPACE', env.TEMPORAL_NAMESPACE ?? 'default'),
    taskQueue: setting('TASK_QUEUE', 'parcours'),
    payloadKeys: setting('PAYLOAD_KEYS'),
    devInboxPath: resolve(base, setting('DEV_INBOX_PATH', '.parcours/dev-inbox.jsonl')),
    // The contract this example reads its names from; a deployment ships its own copy.
    contractPath: env.PARCOURS_CONTRACT ?? new URL('../../../docs/contract/temporal-contract.json', import.meta.url).pathname,
  };
}

interface InboxMessage {
  key: string; // the message's idempotency key: "<journey id>/<step>/<n>"
  channel: 'sms' | 'mail';
  to: string;
  subject: string | null;
  body: string;
  at: string;
}

const CODE = /\b(\d{4,10})\b/; // PARCOURS_CODE_DIGITS: 4 to 10 digits, 6 by default

/** The code of the journey's last message in the dev inbox (one JSON object a line), waited for:
 * the send is an activity, and a retried one may land a moment after the answer. */
export async function codeSentFor(inboxPath: string, journeyId: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = existsSync(inboxPath) ? readFileSync(inboxPath, 'utf-8').split('\n') : [];
    const messages = lines.filter((line) => line.trim()).map((line) => JSON.parse(line) as InboxMessage);
    const ours = messages.filter((message) => message.key.startsWith(`${journeyId}/`));
    const found = ours.length ? CODE.exec(ours[ours.length - 1].body) : null;
    if (found) return found[1];
    if (Date.now() > deadline) throw new Error(`no code for ${journeyId} in ${inboxPath}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
