import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from './shared/utils';

import { resources } from './resources';

/**
 * Runs the chosen operation once per input item. With "Continue On Fail" a failed item becomes
 * an error item (paired with its input) and the next item goes on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];

	for (let i = 0; i < items.length; i++) {
		try {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const run = resources[resource]?.operations[operation];
			if (!run) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
					itemIndex: i,
				});
			}
			const results = await run.execute.call(this, i);
			output.push(...this.helpers.constructExecutionMetaData(results, { itemData: { item: i } }));
		} catch (error) {
			if (this.continueOnFail()) {
				output.push({
					json: { error: error.message, ...(error.description ? { errorDescription: error.description } : {}) },
					pairedItem: { item: i },
				});
				continue;
			}
			// the transport and the operations fail with node errors; anything else is named as one
			throw asNodeError(this, error, i);
		}
	}
	return [output];
}
