import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_REQUESTS_IN_PARALLEL,
	forEachItem,
	TRANSFERS_IN_PARALLEL,
} from './execution/parallel';
import { asNodeError, parameterError } from './shared/utils';

import { resources } from './resources';
import type { Operation } from './resources/types';

function operationOf(ctx: IExecuteFunctions, itemIndex: number): Operation {
	const resource = ctx.getNodeParameter('resource', itemIndex) as string;
	const operation = ctx.getNodeParameter('operation', itemIndex) as string;
	const found = resources[resource]?.operations[operation];
	if (!found) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
			{ itemIndex },
		);
	}
	return found;
}

/** How many items may be in flight: the node's "Requests in Parallel", lower for transfers. */
function inParallel(ctx: IExecuteFunctions): number {
	const chosen = ctx.getNodeParameter(
		'requestsInParallel',
		0,
		DEFAULT_REQUESTS_IN_PARALLEL,
	) as number;
	if (!Number.isInteger(chosen) || chosen < 1) {
		throw parameterError(
			ctx,
			0,
			'Requests in Parallel',
			`must be a whole number of at least 1, not ${JSON.stringify(chosen)}`,
		);
	}
	return operationOf(ctx, 0).transfer ? Math.min(chosen, TRANSFERS_IN_PARALLEL) : chosen;
}

/**
 * Runs the chosen operation for every input item, several at once (execution/parallel.ts). The
 * output keeps the input's order, each item paired with its input. With "Continue On Fail" a
 * failed item becomes an error item in its place and the others go on; without it no further
 * item is started, the ones in flight end, and the first failed item's error is the node's.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const outputs: INodeExecutionData[][] = [];
	let failed: { itemIndex: number; error: unknown } | undefined;

	await forEachItem(
		this,
		items.length,
		inParallel(this),
		async (i) => {
			try {
				const results = await operationOf(this, i).execute.call(this, i);
				outputs[i] = this.helpers.constructExecutionMetaData(results, { itemData: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					outputs[i] = [
						{
							json: {
								error: error.message,
								...(error.description ? { errorDescription: error.description } : {}),
							},
							pairedItem: { item: i },
						},
					];
				} else if (!failed || i < failed.itemIndex) {
					failed = { itemIndex: i, error };
				}
			}
		},
		() => failed !== undefined,
	);
	// the transport and the operations fail with node errors; anything else is named as one
	if (failed) throw asNodeError(this, failed.error, failed.itemIndex);
	return [outputs.flat()];
}
