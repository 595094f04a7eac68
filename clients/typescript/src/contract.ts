// The Temporal contract (docs/contract/temporal-contract.json) as this example reads it: the
// workflow type, its id prefix, its updates and queries come from there, so a renamed update
// breaks the example at its first line instead of at a refused call.
import { readFileSync } from 'node:fs';

interface ContractWorkflow {
  workflow_type: string;
  workflow_id: string; // "activation/<opaque random>"
  id_policy: string;
  updates: Record<string, { argument: unknown; result: unknown }>;
  queries: Record<string, { result: unknown }>;
  signals: string[];
}

interface Contract {
  task_queue: string;
  search_attributes: Record<string, string>;
  workflows: ContractWorkflow[];
}

export interface JourneyContract {
  workflowType: string;
  idPrefix: string;
  updates: string[];
  queries: string[];
  searchAttributes: string[];
}

export function journeyContract(path: string, workflowType: string, needs: { updates: string[]; queries: string[] }): JourneyContract {
  const contract = JSON.parse(readFileSync(path, 'utf-8')) as Contract;
  const workflow = contract.workflows.find((entry) => entry.workflow_type === workflowType);
  if (!workflow) throw new Error(`the contract has no workflow ${workflowType}`);
  const opaque = workflow.workflow_id.indexOf('<');
  if (opaque < 0) throw new Error(`unexpected id scheme ${workflow.workflow_id}`);
  const updates = Object.keys(workflow.updates);
  const queries = Object.keys(workflow.queries);
  for (const name of needs.updates) if (!updates.includes(name)) throw new Error(`the contract has no update ${name}`);
  for (const name of needs.queries) if (!queries.includes(name)) throw new Error(`the contract has no query ${name}`);
  return {
    workflowType,
    idPrefix: workflow.workflow_id.slice(0, opaque),
    updates,
    queries,
    searchAttributes: Object.keys(contract.search_attributes),
  };
}
