import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { searchFolders, searchFoldersWithRoot } from '../YetiShare/methods/listSearch';
import { forgetAll } from '../YetiShare/execution/cache';
import {
	folderPicker,
	includeSubfoldersField,
	nameFilterField,
} from '../YetiShare/shared/descriptions';
import { downloadById } from '../YetiShare/shared/download';
import { walkTree } from '../YetiShare/shared/tree';
import { resolveFolderId } from '../YetiShare/shared/locators';
import { isSiteId, nameMatcher, outputFields } from '../YetiShare/shared/utils';
import { apiRequest, settle } from '../YetiShare/transport';

/** Ids remembered above the cursor at most: the state stays small on a busy account. */
const MAX_SEEN = 10_000;
const FINISHED = ['complete', 'failed', 'cancelled'];

const watchedFolder = folderPicker({
	name: 'folder',
	displayName: 'Folder',
	allowRoot: true,
	description: 'The folder to watch',
});

const includeSubfolders = includeSubfoldersField(
	'Whether to watch every folder below the chosen one too (one listing per folder per poll)',
);

/** The action node's Name filter, worded as the trigger's other options are. */
function nameFilter(what: 'files' | 'folders', placeholder: string) {
	return nameFilterField(what, {
		placeholder,
		description: `Only ${what} whose name contains this text, or matches it with * and ? as wildcards (case-insensitive). For a literal * or ? write \\* or \\? (and \\\\ for a backslash).`,
	});
}

interface AdditionsState {
	scope?: string;
	/** Every id at or below this was there before (the site's ids only grow). */
	floor?: number;
	/** The highest id the previous poll saw: the next floor. */
	lastMax?: number;
	/** Ids above the floor already emitted. */
	seen?: number[];
	checkedAt?: string;
}

interface RemoteState {
	/** Scheduled item ids that finished (emitted, or failed without Include Failed). */
	done?: number[];
	seeded?: boolean;
	checkedAt?: string;
}

/** Every file or folder in the watched folder (and below it, if asked): one listing per folder. */
async function walk(ctx: IPollFunctions, rootId: string, deep: boolean, kind: 'file' | 'folder') {
	const found: IDataObject[] = [];
	await walkTree(
		ctx,
		[{ id: rootId, path: '' }],
		({ folders, files }) => void found.push(...(kind === 'folder' ? folders : files)),
		{
			deep,
			explain: (folder, failure) =>
				folder.id === rootId && rootId !== '' && failure.problem === 'folderNotFound'
					? new NodeOperationError(
							ctx.getNode(),
							`The watched folder (ID ${rootId}) no longer exists on the site`,
							{
								description:
									'It was deleted or moved to the trash. Choose another folder in the trigger.',
							},
						)
					: undefined,
		},
	);
	return found;
}

async function pollAdditions(
	ctx: IPollFunctions,
	kind: 'file' | 'folder',
): Promise<INodeExecutionData[][] | null> {
	// n8n may reuse one context for every poll of an active workflow: look the path up afresh
	forgetAll(ctx);
	const folderId = await resolveFolderId(ctx, 0, watchedFolder);
	const options = ctx.getNodeParameter('options', {}) as {
		includeSubfolders?: boolean;
		name?: string;
		download?: boolean;
	};
	const matches = nameMatcher(options.name);
	const entries = (await walk(ctx, folderId, options.includeSubfolders === true, kind))
		.filter((entry) => matches(kind === 'file' ? entry.filename : entry.folderName))
		.map((entry) => ({ id: Number(entry.id), entry }))
		.sort((a, b) => a.id - b.id);
	const maxId = entries.reduce((max, { id }) => Math.max(max, id), 0);
	const emit = async (list: typeof entries) => {
		const items: INodeExecutionData[] = [];
		// one file at a time: each streams to n8n's binary store
		for (const { entry } of list) {
			const binary =
				kind === 'file' && options.download
					? await downloadById(ctx, undefined, String(entry.id))
					: undefined;
			items.push({ json: outputFields({ type: kind, ...entry }), ...(binary ? { binary } : {}) });
		}
		return items;
	};

	if (ctx.getMode() === 'manual') {
		// a sample for building the workflow: the newest match; the state is left alone
		return entries.length > 0 ? [await emit(entries.slice(-1))] : null;
	}

	const state = ctx.getWorkflowStaticData('node') as AdditionsState;
	const scope = JSON.stringify([kind, folderId, options.includeSubfolders === true]);
	state.checkedAt = new Date().toISOString();
	if (state.scope !== scope || state.floor === undefined) {
		// activation (or a new folder to watch): what exists now is not new
		Object.assign(state, { scope, floor: maxId, lastMax: maxId, seen: [] });
		return null;
	}
	const seen = new Set(state.seen ?? []);
	const fresh = entries.filter(({ id }) => id > state.floor! && !seen.has(id));
	// The floor trails by one poll: an id handed out while this poll was listing other folders
	// may sit below this poll's maximum and must still count as new next time.
	const floor = Math.max(state.floor, state.lastMax ?? state.floor);
	const keep = [...seen, ...fresh.map(({ id }) => id)]
		.filter((id) => id > floor)
		.sort((a, b) => a - b);
	const items = fresh.length > 0 ? await emit(fresh) : [];
	Object.assign(state, { floor, lastMax: Math.max(maxId, floor), seen: keep.slice(-MAX_SEEN) });
	return items.length > 0 ? [items] : null;
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

async function pollRemoteUploads(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
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

export class YetiShareTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'YetiShare Trigger',
		name: 'yetiShareTrigger',
		icon: { light: 'file:../../icons/yetishare.svg', dark: 'file:../../icons/yetishare.dark.svg' },
		group: ['trigger'],
		version: 1,
		// the event in words on the canvas, as the node creator names it
		subtitle:
			'={{ { fileAdded: "On new file", folderAdded: "On new folder", remoteUploadFinished: "On remote upload finished" }[$parameter["event"]] }}',
		// n8n's node creator lists this node and the YetiShare node as one app and shows this text
		// under it in both the actions and the triggers panel, so it speaks for both.
		description:
			'Upload, download and organise files on a YetiShare site; start workflows when files or folders appear or remote uploads finish',
		defaults: { name: 'YetiShare Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'yetiShareApi', required: true }],
		properties: [
			{
				displayName: 'Trigger On',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					// action: the name the node creator gives this event (else "On " and the name in lower case).
					{
						name: 'File Added',
						value: 'fileAdded',
						action: 'On new file',
						description: 'A new file appears in the watched folder',
					},
					{
						name: 'Folder Added',
						value: 'folderAdded',
						action: 'On new folder',
						description: 'A new folder appears in the watched folder',
					},
					{
						name: 'Remote Upload Finished',
						value: 'remoteUploadFinished',
						action: 'On remote upload finished',
						description: 'A file scheduled with Upload From URL has been fetched by the site',
					},
				],
				default: 'fileAdded',
			},
			{
				...watchedFolder.property,
				displayOptions: { show: { event: ['fileAdded', 'folderAdded'] } },
			},
			{
				displayName: 'Scheduled Item IDs',
				name: 'scheduledItemIds',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. 52, 53',
				description:
					'The scheduled_item_id numbers Upload From URL returned, separated by commas (an expression may give a list)',
				displayOptions: { show: { event: ['remoteUploadFinished'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['fileAdded'] } },
				options: [
					{
						displayName: 'Download File',
						name: 'download',
						type: 'boolean',
						default: false,
						description: 'Whether to attach each new file as binary data (field "data")',
					},
					includeSubfolders,
					nameFilter('files', 'e.g. *.pdf'),
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['folderAdded'] } },
				options: [includeSubfolders, nameFilter('folders', 'e.g. Invoices*')],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['remoteUploadFinished'] } },
				options: [
					{
						displayName: 'Include Failed',
						name: 'includeFailed',
						type: 'boolean',
						default: false,
						description:
							'Whether to also start the workflow for URL uploads that failed or were cancelled (marked "failed": true)',
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchFolders, searchFoldersWithRoot },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event') as string;
		if (event === 'remoteUploadFinished') return await pollRemoteUploads(this);
		return await pollAdditions(this, event === 'fileAdded' ? 'file' : 'folder');
	}
}
