/**
 * File Added and Folder Added: every poll lists the watched folder (and those below it, if asked)
 * and emits what has an id above the last poll's; the site's ids only grow.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forgetAll } from '../YetiShare/execution/cache';
import { folderPicker } from '../YetiShare/shared/descriptions';
import { downloadById } from '../YetiShare/shared/download';
import { resolveFolderId } from '../YetiShare/shared/locators';
import { walkTree } from '../YetiShare/shared/tree';
import { nameMatcher, outputFields } from '../YetiShare/shared/utils';

/** Ids remembered above the cursor at most: the state stays small on a busy account. */
const MAX_SEEN = 10_000;

/** The form's folder picker, and what each poll resolves. */
export const watchedFolder = folderPicker({
	name: 'folder',
	displayName: 'Folder',
	allowRoot: true,
	description: 'The folder to watch',
});

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

export async function pollAdditions(
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
