/**
 * The two nodes the harness adds to the node under test: an input node that feeds the test's
 * items (so the node reads them from a real preceding node, with `$json`, `$('Input')` and
 * paired items as in a workflow), and the noOp node n8n's credential tester runs a test as.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes, UnexpectedError } from 'n8n-workflow';

export const INPUT_NODE_TYPE = 'harness.input';
export const INPUT_NODE_NAME = 'Input';
/** n8n's credential tester uses this exact type name, and preAuthentication looks for it. */
export const NOOP_NODE_TYPE = 'n8n-nodes-base.noOp';

/**
 * Builds the input node type: it hands out the items of one run (its only parameter says which
 * run). n8n calls `execute` with its own context as `this`, hence the closure over the table.
 */
export function createInputNode(pending: Map<string, INodeExecutionData[]>): INodeType {
	return {
		description: {
			displayName: 'Input',
			name: INPUT_NODE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Emits the items a test gave to engine.run()',
			defaults: { name: INPUT_NODE_NAME },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Key', name: 'key', type: 'string', default: '' }],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const key = this.getNodeParameter('key', 0) as string;
			const items = pending.get(key);
			if (items === undefined) throw new UnexpectedError(`No input items for run "${key}"`);
			pending.delete(key);
			return [items];
		},
	};
}

/** The stand-in for n8n-nodes-base's "No Operation, do nothing" node. */
export function createNoOpNode(): INodeType {
	return {
		description: {
			displayName: 'No Operation, do nothing',
			name: NOOP_NODE_TYPE,
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			return [this.getInputData()];
		},
	};
}
