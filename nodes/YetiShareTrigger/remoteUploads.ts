/**
 * Remote Upload Finished: every poll asks for the status of the scheduled URL uploads it watches
 * and emits those that finished since the last poll.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isSiteId } from '../YetiShare/shared/utils';
import { apiRequest, settle } from '../YetiShare/transport';

const FINISHED = ['complete', 'failed', 'cancelled'];

interface RemoteState {
	/** Scheduled item ids that finished (emitted, or failed without Include Failed). */
	done?: number[];
	seeded?: boolean;
	checkedAt?: string;
}

function scheduledIds(ctx: IPollFunctions): number[] {
	const raw = ctx.getNodeParameter('scheduledItemIds', '') as
		| string
		| number
		| Array<string | number>;
	const parts = Array.isArray(raw) ? raw : String(raw).split(/[\s,;]+/);
	const ids: number[] = [];
	for (const part of parts.map((value) => String(value).trim()).filter((value) => value !== '')) {
		if (!isSiteId(part)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Parameter "Scheduled Item IDs" holds ${JSON.stringify(part)}, which is not an ID`,
				{
					description:
						'Give the scheduled_item_id numbers that Upload From URL returned, separated by commas.',
				},
			);
		}
		ids.push(Number(part));
	}
	return [...new Set(ids)];
}

export async function pollRemoteUploads(
	ctx: IPollFunctions,
): Promise<INodeExecutionData[][] | null> {
	const includeFailed =
		(ctx.getNodeParameter('options', {}) as { includeFailed?: boolean }).includeFailed === true;
	const manual = ctx.getMode() === 'manual';
	const state = ctx.getWorkflowStaticData('node') as RemoteState;
	const watched = scheduledIds(ctx);
	const done = new Set(manual ? [] : (state.done ?? []));
	const finished: IDataObject[] = [];
	for (const id of watched.filter((value) => !done.has(value))) {
		const asked = await settle(
			ctx,
			async () => await apiRequest.call(ctx, 'file/url_upload_status', { scheduled_item_id: id }),
		);
		if (!asked.ok && asked.failure.kind === 'missingEndpoint') {
			throw new NodeOperationError(
				ctx.getNode(),
				'This site does not offer URL uploads, so there is nothing to watch',
				{
					description:
						'The site runs a version of the script without URL uploads, or its owner turned background URL downloading off.',
				},
			);
		}
		if (!asked.ok) throw asked.error;
		const status = asked.value.data as IDataObject;
		if (FINISHED.includes(String(status.status)))
			finished.push({ ...status, failed: status.status !== 'complete' });
	}
	const emit = finished.filter((status) => includeFailed || !status.failed);
	if (manual) return emit.length > 0 ? [[{ json: emit[emit.length - 1] }]] : null;

	state.checkedAt = new Date().toISOString();
	const firstPoll = state.seeded !== true;
	// keep only ids still watched, so the state cannot outgrow the list
	state.done = [...done, ...finished.map((status) => Number(status.scheduled_item_id))].filter(
		(id) => watched.includes(id),
	);
	state.seeded = true;
	if (firstPoll || emit.length === 0) return null;
	return [emit.map((status) => ({ json: status }))];
}
