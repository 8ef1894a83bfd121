/**
 * What changed in the watched tree between two polls, from what the last poll remembered
 * (fingerprints.ts) and what the listings show now. Pure: the poll (changeEvents.ts) reads the
 * site and keeps the state.
 */
import type { IDataObject } from 'n8n-workflow';

import { hash16, hash32, type FileMark, type FolderMark } from './fingerprints';

/**
 * Why a file or folder is reported:
 * - renamed, moved (to another watched folder or parent), replaced (size or type), restored
 *   (from the trash), privacy (a folder's), entered (now in view: moved into the watched tree, or
 *   renamed to match the Name filter), for File/Folder Changed;
 * - trashed (listed in the trash), gone (in no listing of the watched tree any more: trashed on a
 *   site that lists no trash, deleted, moved out, renamed out of the Name filter), for
 *   File/Folder Trashed.
 */
export type ChangeKind =
	| 'renamed'
	| 'moved'
	| 'replaced'
	| 'restored'
	| 'privacy'
	| 'entered'
	| 'trashed'
	| 'gone';

export interface FieldChange {
	/** Absent where the state keeps only a fingerprint (a file's name and type). */
	before?: unknown;
	after: unknown;
}

export interface Change {
	id: number;
	/** The file or folder as the site listed it; for one that is gone, what is known of it. */
	entry: IDataObject;
	kinds: ChangeKind[];
	fields: Record<string, FieldChange>;
	/** A change of File/Folder Changed, else of File/Folder Trashed. */
	changed: boolean;
}

/** A site's folder id as a number: the root (null, '' or 0) is 0. */
export function folderNumber(value: unknown): number {
	const id = Number(value ?? 0);
	return Number.isFinite(id) ? id : 0;
}

/** The API's form of a remembered folder id: the root is null. */
function folderValue(id: number): string | null {
	return id === 0 ? null : String(id);
}

function sizeOf(entry: IDataObject): number | undefined {
	const size =
		entry.fileSize === null || entry.fileSize === undefined ? NaN : Number(entry.fileSize);
	return Number.isFinite(size) && size >= 0 ? size : undefined;
}

/** What is remembered of a file as listed now. */
export function fileMark(entry: IDataObject): FileMark {
	return {
		folderId: folderNumber(entry.folderId),
		trashed: entry.status === 'trash',
		size: sizeOf(entry),
		nameHash: hash32(String(entry.filename ?? '')),
		typeHash: hash16(String(entry.fileType ?? '')),
	};
}

export function folderMark(entry: IDataObject): FolderMark {
	return {
		name: String(entry.folderName ?? ''),
		parentId: folderNumber(entry.parentId),
		isPublic: String(entry.isPublic ?? ''),
	};
}

/** A field that changed, and the kind of change it makes. */
type Found = [ChangeKind, string, FieldChange];

const when = (differs: boolean, found: Found): Found[] => (differs ? [found] : []);

/** What one kind (files or folders) needs for `compare`. */
interface Rules<M> {
	/** Whether it is in the trash (a file listed there). */
	trashed: (mark: M) => boolean;
	/** What changed in one that was remembered and is still listed, not in the trash. */
	fields: (was: M, is: M, entry: IDataObject) => Found[];
	/** What is known of one no longer listed. */
	gone: (id: number, was: M) => IDataObject;
}

/**
 * `before` as remembered, `now` as listed (trashed files included where the site lists them).
 * An id not remembered counts as entered only if it is not above `maxId`, the highest the last
 * poll saw; above it, it is new (File/Folder Added's) and not a change.
 */
function compare<M>(
	rules: Rules<M>,
	before: Map<number, M>,
	maxId: number,
	now: Map<number, IDataObject>,
	nowMarks: Map<number, M>,
): Change[] {
	const changes: Change[] = [];
	const add = (id: number, entry: IDataObject, found: Found[] | ChangeKind) => {
		const all = typeof found === 'string' ? [] : found;
		const kinds = typeof found === 'string' ? [found] : [...new Set(all.map(([kind]) => kind))];
		const fields = Object.fromEntries(all.map(([, field, change]) => [field, change]));
		const changed = !kinds.includes('trashed') && !kinds.includes('gone');
		changes.push({ id, entry, kinds, fields, changed });
	};
	for (const [id, entry] of now) {
		const was = before.get(id);
		const is = nowMarks.get(id)!;
		if (!was) {
			if (id <= maxId && !rules.trashed(is)) add(id, entry, 'entered');
		} else if (rules.trashed(is)) {
			const status: FieldChange = { before: 'active', after: entry.status };
			if (!rules.trashed(was)) add(id, entry, [['trashed', 'status', status]]);
		} else {
			const found = [
				...when(rules.trashed(was), [
					'restored',
					'status',
					{ before: 'trash', after: entry.status },
				]),
				...rules.fields(was, is, entry),
			];
			if (found.length > 0) add(id, entry, found);
		}
	}
	for (const [id, was] of before) {
		if (!now.has(id) && !rules.trashed(was)) add(id, rules.gone(id, was), 'gone');
	}
	return changes.sort((a, b) => a.id - b.id);
}

const fileRules: Rules<FileMark> = {
	trashed: (mark) => mark.trashed,
	fields: (was, is, entry) => [
		...when(was.nameHash !== is.nameHash, ['renamed', 'filename', { after: entry.filename }]),
		...when(was.folderId !== is.folderId, [
			'moved',
			'folderId',
			{ before: folderValue(was.folderId), after: entry.folderId ?? null },
		]),
		...when(was.size !== is.size, [
			'replaced',
			'fileSize',
			{ before: was.size === undefined ? null : String(was.size), after: entry.fileSize },
		]),
		...when(was.typeHash !== is.typeHash, ['replaced', 'fileType', { after: entry.fileType }]),
	],
	gone: (id, was) => ({ id: String(id), folderId: folderValue(was.folderId) }),
};

const folderRules: Rules<FolderMark> = {
	trashed: () => false,
	fields: (was, is, entry) => [
		...when(was.name !== is.name, [
			'renamed',
			'folderName',
			{ before: was.name, after: entry.folderName },
		]),
		...when(was.parentId !== is.parentId, [
			'moved',
			'parentId',
			{ before: folderValue(was.parentId), after: entry.parentId ?? null },
		]),
		...when(was.isPublic !== is.isPublic, [
			'privacy',
			'isPublic',
			{ before: was.isPublic, after: entry.isPublic },
		]),
	],
	gone: (id, was) => ({
		id: String(id),
		folderName: was.name,
		parentId: folderValue(was.parentId),
	}),
};

/** What is remembered of each listed entry: computed once, compared, then kept. */
export function markAll<M>(
	entries: Map<number, IDataObject>,
	mark: (entry: IDataObject) => M,
): Map<number, M> {
	return new Map([...entries].map(([id, entry]) => [id, mark(entry)]));
}

/** Files: renamed, moved, replaced, restored, entered; trashed, gone. */
export function fileChanges(
	before: Map<number, FileMark>,
	maxId: number,
	now: Map<number, IDataObject>,
	nowMarks = markAll(now, fileMark),
): Change[] {
	return compare(fileRules, before, maxId, now, nowMarks);
}

/** Folders, the same way; the API lists no trashed folders, so a trashed one is gone. */
export function folderChanges(
	before: Map<number, FolderMark>,
	maxId: number,
	now: Map<number, IDataObject>,
	nowMarks = markAll(now, folderMark),
): Change[] {
	return compare(folderRules, before, maxId, now, nowMarks);
}
