/**
 * File Changed, File Trashed, Folder Changed and Folder Trashed: every poll lists the watched tree
 * (one listing per folder, never a call per file), compares it with what the last poll remembered
 * and emits each change once. Nothing at activation; a failed poll leaves the state as it was; a
 * manual test shows the newest change and leaves the state alone.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { nameMatcher, outputFields } from '../YetiShare/shared/utils';
import { fileChanges, fileMark, folderChanges, folderMark, markAll, type Change } from './changes';
import {
	packFiles,
	packFolders,
	unpackFiles,
	unpackFolders,
	type FileMark,
	type FolderMark,
} from './fingerprints';
import { walkWatched, watchedScope } from './watched';

export type ChangeEvent = 'fileChanged' | 'fileTrashed' | 'folderChanged' | 'folderTrashed';

/**
 * The most files or folders one trigger remembers: about 2.4 MB of state, which n8n writes into
 * the workflow's row after every poll. Beyond it the poll fails and says so; it never forgets
 * what it knew (that would report everything again, or nothing).
 */
export const MAX_WATCHED = 200_000;

interface ChangesState {
	scope?: string;
	/** The highest id the watched tree has shown: a file not remembered and not above it entered. */
	maxId?: number;
	/** File events: every watched file's marks (fingerprints.ts). */
	files?: string;
	/** Folder events: every watched folder. */
	folders?: Array<[number, string, number, string]>;
	checkedAt?: string;
}

export async function pollChanges(
	ctx: IPollFunctions,
	event: ChangeEvent,
): Promise<INodeExecutionData[][] | null> {
	const kind = event.startsWith('file') ? 'file' : 'folder';
	const { folderId, options } = await watchedScope(ctx);
	const deep = options.includeSubfolders === true;
	const matches = nameMatcher(options.name);
	const listed = await walkWatched(ctx, folderId, deep);

	const now = new Map<number, IDataObject>();
	let maxId = 0;
	for (const listing of listed) {
		const entries = kind === 'file' ? [...listing.files, ...listing.trashedFiles] : listing.folders;
		for (const entry of entries) {
			const id = Number(entry.id);
			maxId = Math.max(maxId, id);
			if (matches(kind === 'file' ? entry.filename : entry.folderName)) now.set(id, entry);
		}
	}
	if (now.size > MAX_WATCHED) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The watched folder holds ${now.size} ${kind}s, more than the ${MAX_WATCHED} this trigger remembers`,
			{
				description:
					'Watch a folder further down, turn off Include Subfolders, or narrow the Name ' +
					'filter. What the trigger remembered is kept, so nothing is reported twice.',
			},
		);
	}

	const state = ctx.getWorkflowStaticData('node') as ChangesState;
	const scope = JSON.stringify([kind, folderId, deep, options.name ?? '']);
	const remembered = state.scope === scope && state.maxId !== undefined;
	// each entry's marks once: compared with the state, then kept as the next state
	const nowFiles = kind === 'file' ? markAll(now, fileMark) : undefined;
	const nowFolders = kind === 'folder' ? markAll(now, folderMark) : undefined;
	const changes = remembered ? compareOrSay(ctx, state, now, nowFiles, nowFolders) : [];
	const wanted = event.endsWith('Changed');
	const items = changes
		.filter((change) => change.changed === wanted)
		.map((change) => ({ json: item(kind, event, change) }));

	if (ctx.getMode() === 'manual') return items.length > 0 ? [items.slice(-1)] : null;

	// only after the whole tree was read: a failed poll changes nothing
	state.scope = scope;
	state.maxId = Math.max(maxId, remembered ? state.maxId! : 0);
	if (nowFiles) state.files = packFiles(nowFiles);
	if (nowFolders) state.folders = packFolders(nowFolders);
	state.checkedAt = new Date().toISOString();
	return remembered && items.length > 0 ? [items] : null;
}

function compareOrSay(
	ctx: IPollFunctions,
	state: ChangesState,
	now: Map<number, IDataObject>,
	nowFiles: Map<number, FileMark> | undefined,
	nowFolders: Map<number, FolderMark> | undefined,
): Change[] {
	try {
		return nowFiles
			? fileChanges(unpackFiles(state.files ?? ''), state.maxId!, now, nowFiles)
			: folderChanges(unpackFolders(state.folders ?? []), state.maxId!, now, nowFolders);
	} catch (error) {
		// never taken for "nothing remembered": that would report every file, or none
		throw new NodeOperationError(
			ctx.getNode(),
			`What this trigger remembers of the watched folder cannot be read: ${(error as Error).message}`,
			{
				description:
					'It was written by another version of n8n-nodes-yetishare. Choose the folder ' +
					'again (or another folder and back) to start watching afresh from what is there now.',
			},
		);
	}
}

/** The file or folder as the site sent it, and what changed. */
function item(kind: 'file' | 'folder', event: ChangeEvent, change: Change): IDataObject {
	return {
		...outputFields({ type: kind, ...change.entry }),
		change: { event, kinds: change.kinds, fields: change.fields } as unknown as IDataObject,
	};
}
