/**
 * File Added and Folder Added: every poll lists the watched folder (and those below it, if asked)
 * and emits what has an id above the last poll's; the site's ids only grow.
 */
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { downloadById } from '../YetiShare/shared/download';
import { nameMatcher, outputFields } from '../YetiShare/shared/utils';
import { walkWatched, watchedScope } from './watched';

/** Ids remembered above the cursor at most: the state stays small on a busy account. */
const MAX_SEEN = 10_000;

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

export async function pollAdditions(
	ctx: IPollFunctions,
	kind: 'file' | 'folder',
): Promise<INodeExecutionData[][] | null> {
	const { folderId, options } = await watchedScope(ctx);
	const matches = nameMatcher(options.name);
	const entries = (await walkWatched(ctx, folderId, options.includeSubfolders === true))
		.flatMap((listed) => (kind === 'folder' ? listed.folders : listed.files))
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
