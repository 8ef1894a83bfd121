/**
 * What one execution has learnt from the site's answers about what exists, so that a create
 * whose outcome is unknown can tell what it may have made from what was there before.
 *
 * The site's file and folder ids only grow (database auto-increment), so an object whose id is
 * not above one this execution saw before a create began existed before it. Only an object's own
 * id counts, never one it refers to (`parentId`, `folderId`, the `file_id` file/download echoes):
 * the site stores a `parent_id` without checking that the folder exists.
 *
 * A folder whose contents the execution has seen (a listing of it, or it was made by this
 * execution and so began empty) is "known": whatever appears in it later with an id above the
 * mark arrived after that.
 */
import type { IDataObject } from 'n8n-workflow';

import { clock } from './clock';

export type Kind = 'file' | 'folder';

interface Knowledge {
	highest: Record<Kind, number>;
	/** Folders ('' is the root) whose contents this execution has seen. */
	known: Set<string>;
}

const perExecution = new WeakMap<object, Knowledge>();

function knowledge(ctx: object): Knowledge {
	let found = perExecution.get(ctx);
	if (!found)
		perExecution.set(ctx, (found = { highest: { file: 0, folder: 0 }, known: new Set() }));
	return found;
}

/** '' for the root, as folder/listing takes it ('' or '0'); otherwise the id as given. */
export function folderKey(folderId: unknown): string {
	const text = String(folderId ?? '').trim();
	return text === '0' ? '' : text;
}

export function idOf(value: unknown): number | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined;
}

function see(found: Knowledge, kind: Kind, value: unknown) {
	const id = idOf(value);
	if (id !== undefined && id > found.highest[kind]) found.highest[kind] = id;
}

const asObject = (value: unknown) =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
const asList = (value: unknown) => (Array.isArray(value) ? (value as unknown[]).map(asObject) : []);

/** Records the ids of what a successful answer shows to exist. Called by the transport for every answer. */
export function noteAnswer(
	ctx: object,
	endpoint: string,
	fields: Record<string, unknown>,
	envelope: Record<string, unknown>,
): void {
	const found = knowledge(ctx);
	const data = envelope.data;
	switch (endpoint) {
		case 'folder/listing': {
			const listing = asObject(data);
			for (const folder of asList(listing.folders)) see(found, 'folder', folder.id);
			for (const file of asList(listing.files)) see(found, 'file', file.id);
			found.known.add(folderKey(fields.parent_folder_id));
			break;
		}
		case 'folder/create':
			see(found, 'folder', asObject(data).id);
			if (idOf(asObject(data).id) !== undefined) found.known.add(String(asObject(data).id));
			break;
		case 'folder/info':
		case 'folder/edit':
		case 'folder/move':
			see(found, 'folder', asObject(data).id);
			break;
		case 'file/info':
		case 'file/edit':
		case 'file/delete':
		case 'file/move':
			see(found, 'file', asObject(data).id);
			break;
		case 'file/copy':
			see(found, 'file', asObject(asObject(envelope.original_file).data).id);
			see(found, 'file', asObject(asObject(envelope.new_file).data).id);
			break;
		case 'file/upload':
			for (const file of asList(data)) see(found, 'file', file.file_id);
			break;
		case 'file/url_upload_status':
			see(found, 'file', asObject(asObject(data).downloaded_file).file_id);
			break;
	}
}

export interface Snapshot {
	/** The highest id of this kind seen so far: nothing at or below it can be new. */
	highest: number;
	/** Whether the folder's contents were seen before now. */
	folderKnown: boolean;
	/** When the snapshot was taken (this machine's clock). */
	at: number;
}

/** What the execution knows right now, before a create into `folderId` begins. */
export function snapshot(ctx: object, kind: Kind, folderId: string): Snapshot {
	const found = knowledge(ctx);
	return {
		highest: found.highest[kind],
		folderKnown: found.known.has(folderKey(folderId)),
		at: clock.now(),
	};
}

export function isFolderKnown(ctx: object, folderId: string): boolean {
	return knowledge(ctx).known.has(folderKey(folderId));
}

/**
 * A create into this folder failed, and may have made something this execution never saw: its
 * contents count as unseen again, so the next create into it lists it first and sets its mark
 * above whatever that was.
 */
export function forgetFolderContents(ctx: object, folderId: string): void {
	knowledge(ctx).known.delete(folderKey(folderId));
}
