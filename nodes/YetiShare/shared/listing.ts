import type { IDataObject } from 'n8n-workflow';

import {
	apiRequest,
	OutcomeInconclusive,
	resultOf,
	settle,
	type ApiRequestOptions,
	type YetiShareContext,
} from '../transport';
import {
	folderKey,
	forgetFolderContents,
	idOf,
	isFolderKnown,
	snapshot,
	type Kind,
} from '../execution/seenIds';
import { forget, remember, TREE } from '../execution/cache';
import { clock } from '../execution/clock';
import { oneAtATime } from '../execution/parallel';
import { parameterError } from './utils';

export interface FolderListing {
	folders: IDataObject[];
	files: IDataObject[];
}

/**
 * One level of a folder: the API returns all its folders and files at once (it has no paging
 * and no search). `folderId` '' is the root.
 */
export async function listFolder(
	this: YetiShareContext,
	folderId: string,
	options: ApiRequestOptions = {},
): Promise<FolderListing> {
	const { data } = await apiRequest.call(
		this,
		'folder/listing',
		{ parent_folder_id: folderId },
		options,
	);
	const listing = (data ?? {}) as IDataObject;
	const asList = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]) : []);
	return { folders: asList(listing.folders), files: asList(listing.files) };
}

/**
 * One level of a folder as this execution read it last: read once and shared by the items that
 * need it (path lookups, the look before a create), until a change to the tree forgets it.
 */
export async function cachedListing(
	ctx: YetiShareContext,
	folderId: string,
	itemIndex?: number,
): Promise<FolderListing> {
	return await remember(
		ctx,
		listingKey(folderId),
		async () => await listFolder.call(ctx, folderId, { itemIndex }),
	);
}

export function forgetListing(ctx: YetiShareContext, folderId: string): void {
	forget(ctx, listingKey(folderId));
}

function listingKey(folderId: string): string {
	return `${TREE}listing:${folderKey(folderId)}`;
}

export function isTrashed(entry: IDataObject): boolean {
	return entry.status === 'trash';
}

/** A folder in words, for errors: "the root folder" or "folder 125". */
export function folderInWords(folderId: string): string {
	return folderKey(folderId) === '' ? 'the root folder' : `folder ${folderId}`;
}

/** "2026-11-23 10:00:00" (the API's date format, in the site's local time) as a comparable Date. */
function siteDate(text: unknown): Date | undefined {
	const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(text ?? ''));
	if (!match) return undefined;
	const [, y, mo, d, h, mi, se] = match.map(Number);
	return new Date(Date.UTC(y, mo - 1, d, h, mi, se));
}

/** What the entry a create would have made looks like, as the site stores it. */
export interface CreatedShape {
	name: string;
	/** Bytes, for files, when known. */
	size?: number;
	/** An id that is certainly not the new entry (a copy's original). */
	exclude?: string;
}

/**
 * The check for one create call, prepared before its first attempt: after a failure that leaves
 * it unknown whether the site acted, `find` says whether the call made something, and returns it.
 *
 * It lists the target folder and takes every entry that matches (name as the site stores it;
 * size when both sides know it; not trashed, for a trashed entry is not something the user has,
 * and making it again leaves one). Then it rules out, by what the API really returns:
 * - an id not above the highest this execution had seen when the call began (ids only grow:
 *   that entry existed before);
 * - a date, when the site gives one, from before the call began (by the site's own clock).
 * Nothing left: nothing was made, the call may be repeated. One entry left that is certainly new
 * (dated from the call on, or its id above the mark in a folder whose contents the execution had
 * seen before the call): that is what the call made. Anything else (two candidates, or one that
 * may have been there before) is thrown as OutcomeInconclusive: unknown, never "absent".
 *
 * So that the ids can rule out what was there before, a folder whose contents this execution has
 * not seen yet is listed once before the first create into it.
 */
export async function prepareCreationCheck(
	ctx: YetiShareContext,
	target: { kind: Kind; folderId: string; itemIndex: number; parameter: string },
): Promise<{ find: (shape: CreatedShape) => Promise<IDataObject | undefined> }> {
	const { kind, folderId, itemIndex } = target;
	if (!isFolderKnown(ctx, folderId)) {
		const listed = await settle(
			ctx,
			async () => await cachedListing(ctx, folderId, itemIndex),
			itemIndex,
		);
		// Better said now than left to the site, which files an upload into the root and makes
		// a folder under a parent that does not exist, where no one sees it.
		if (!listed.ok && listed.failure.problem === 'folderNotFound') {
			throw parameterError(
				ctx,
				itemIndex,
				target.parameter,
				`is folder ${folderId}, which this account does not have (or which is in the trash)`,
			);
		}
		if (!listed.ok) throw listed.error;
	}
	const before = snapshot(ctx, kind, folderId);

	async function find(shape: CreatedShape): Promise<IDataObject | undefined> {
		const envelope = await apiRequest.call(
			ctx,
			'folder/listing',
			{ parent_folder_id: folderId },
			{ itemIndex },
		);
		const siteNow = siteDate(envelope._datetime);
		// Dates have whole seconds; allow a little for the clock reading and the network.
		const since = siteNow ? siteNow.getTime() - (clock.now() - before.at) - 2000 : undefined;
		const listing = (envelope.data ?? {}) as IDataObject;
		const entries = (
			Array.isArray(listing[`${kind}s`]) ? listing[`${kind}s`] : []
		) as IDataObject[];
		const sizeOf = (entry: IDataObject) =>
			entry.fileSize === undefined || entry.fileSize === null ? undefined : Number(entry.fileSize);
		const matching = entries.filter(
			(entry) =>
				!isTrashed(entry) &&
				(kind === 'file' ? entry.filename : entry.folderName) === shape.name &&
				(shape.size === undefined || sizeOf(entry) === undefined || sizeOf(entry) === shape.size) &&
				(shape.exclude === undefined || String(entry.id) !== shape.exclude),
		);
		const open: Array<{ entry: IDataObject; certainlyNew: boolean }> = [];
		for (const entry of matching) {
			const id = idOf(entry.id);
			if (id !== undefined && id <= before.highest) continue;
			// Listings give a folder's date (when the site has one) but not a file's: file/info may.
			const full =
				kind === 'folder'
					? entry
					: {
							...entry,
							...((
								await apiRequest.call(
									ctx,
									'file/info',
									{ file_id: String(entry.id) },
									{ itemIndex },
								)
							).data as IDataObject),
						};
			const date = siteDate(kind === 'folder' ? full.date_added : full.uploadedDate);
			if (date && since !== undefined && date.getTime() < since) continue;
			const dated = date !== undefined && since !== undefined;
			open.push({ entry: full, certainlyNew: dated || (before.folderKnown && id !== undefined) });
		}
		if (open.length === 0) return undefined;
		if (open.length === 1 && open[0].certainlyNew) return open[0].entry;
		const what =
			`${kind === 'file' ? 'file' : 'folder'}${open.length > 1 ? 's' : ''} named ` +
			`"${shape.name}"${shape.size === undefined ? '' : ` of ${shape.size} bytes`}`;
		const ids = open.map(({ entry }) => entry.id).join(', ');
		throw new OutcomeInconclusive(
			open.length > 1
				? `Looking in ${folderInWords(folderId)} found ${open.length} ${what} ` +
					`${open.every((candidate) => candidate.certainlyNew) ? 'that appeared during the call' : 'that it cannot rule out'}` +
					` (ids ${ids}): any of them may be the one it made`
				: `Looking in ${folderInWords(folderId)} found a ${what} (id ${ids}) ` +
					`that may have been there before the call: the site gives no date for it`,
		);
	}
	return { find };
}

/**
 * Runs one create with its check (see prepareCreationCheck), one at a time with every other
 * create of the same name into the same folder in this execution: items in flight must not take
 * each other's result for their own. Creates of other names run alongside, since the check looks
 * for the name. After a failure the folder counts as unseen, so the next create lists it first.
 */
export async function createOnce<T>(
	ctx: YetiShareContext,
	target: { kind: Kind; folderId: string; name: string; itemIndex: number; parameter: string },
	create: (check: Awaited<ReturnType<typeof prepareCreationCheck>>) => Promise<T>,
): Promise<T> {
	return await oneAtATime(
		ctx,
		`create:${target.kind}:${folderKey(target.folderId)}:${target.name}`,
		async () => {
			const check = await prepareCreationCheck(ctx, target);
			const created = await resultOf(async () => await create(check));
			if (!created.ok) {
				forgetFolderContents(ctx, target.folderId);
				forgetListing(ctx, target.folderId);
				throw created.error;
			}
			return created.value;
		},
	);
}

/**
 * folder/create, never made twice: after an unknown outcome the parent is checked for the new
 * folder before the call is repeated. Returns the new folder's data.
 */
export async function createFolder(
	ctx: YetiShareContext,
	folder: { folder_name: string; parent_id: string; is_public?: number; access_password?: string },
	options: ApiRequestOptions,
	/** The parameter that chose the parent, for the error when it does not exist. */
	parameter: string,
): Promise<IDataObject> {
	const target = {
		kind: 'folder' as const,
		folderId: folder.parent_id,
		name: folder.folder_name,
		itemIndex: options.itemIndex ?? 0,
		parameter,
	};
	return await createOnce(ctx, target, async (check) => {
		const { data } = await apiRequest.call(ctx, 'folder/create', folder, {
			...options,
			creates: `the folder "${folder.folder_name}" in ${folderInWords(folder.parent_id)}`,
			confirm: async () => {
				const made = await check.find({ name: folder.folder_name });
				return made && { data: made };
			},
		});
		return data as IDataObject;
	});
}
