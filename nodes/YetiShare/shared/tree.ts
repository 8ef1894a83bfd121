import type { IDataObject } from 'n8n-workflow';

import { settle, type CallFailure, type NodeError, type YetiShareContext } from '../transport';
import { isTrashed, listFolder } from './listing';

/** A folder still to read: its id ('' is the root) and its path from where the walk began. */
export interface FolderToList {
	id: string;
	path: string;
}

/** One folder's listing, with the folder it is of. */
export interface ListedFolder {
	folder: FolderToList;
	/** Its folders (the API lists no trashed ones). */
	folders: IDataObject[];
	/** Its files, trashed ones left out. */
	files: IDataObject[];
	/** Its trashed files: script 5.x lists them, 4.x does not. */
	trashedFiles: IDataObject[];
}

/**
 * Listings read at once by a walk. The API has no search and no paging: a walk is one listing per
 * folder, and at real distances (20–200 ms a call) reading them one after another is what makes a
 * big account slow. Listings cost the site more than other calls, hence a fixed, modest bound.
 */
export const LISTINGS_IN_PARALLEL = 5;

export interface WalkOptions {
	/** Go into the subfolders of every folder listed (default true); false lists only `start`. */
	deep?: boolean;
	/** Read at most this many listings, then stop; the folders not read are returned. */
	maxListings?: number;
	itemIndex?: number;
	/** The error for a listing that failed, in place of the call's own (e.g. "the watched folder is gone"). */
	explain?: (folder: FolderToList, failure: CallFailure, error: NodeError) => Error | undefined;
}

/**
 * The package's one walk of the folder tree, used by the pickers, the short-link search on older
 * sites and the trigger. Breadth-first from `start`, reading up to LISTINGS_IN_PARALLEL listings at
 * once: a window over the queue, so a slow listing holds the others back only once the window is
 * full. `visit` gets each listing in breadth-first order, whatever order the answers came in (the
 * same tree is always seen the same way); returning false stops the walk. Returns the folders
 * still to read (empty when the walk went through), in order, for a picker's next page.
 */
export async function walkTree(
	ctx: YetiShareContext,
	start: FolderToList[],
	visit: (listed: ListedFolder) => boolean | void,
	options: WalkOptions = {},
): Promise<FolderToList[]> {
	const { deep = true, maxListings = Infinity, itemIndex } = options;
	const queue = [...start];
	const reading: Array<ReturnType<typeof read>> = [];
	const read = async (folder: FolderToList) =>
		await settle(ctx, async () => await listFolder.call(ctx, folder.id, { itemIndex }), itemIndex);
	const fillWindow = () => {
		while (
			reading.length < queue.length &&
			reading.length < maxListings &&
			reading.length - next < LISTINGS_IN_PARALLEL
		) {
			reading.push(read(queue[reading.length]));
		}
	};
	let next = 0;
	fillWindow();
	while (next < reading.length) {
		const folder = queue[next];
		const listed = await reading[next];
		next++;
		if (!listed.ok) throw options.explain?.(folder, listed.failure, listed.error) ?? listed.error;
		const folders = listed.value.folders.filter((entry) => !isTrashed(entry));
		const files = listed.value.files.filter((entry) => !isTrashed(entry));
		const trashedFiles = listed.value.files.filter(isTrashed);
		if (deep)
			queue.push(
				...folders.map((entry) => ({
					id: String(entry.id),
					path: `${folder.path}/${String(entry.folderName)}`,
				})),
			);
		if (visit({ folder, folders, files, trashedFiles }) === false) break;
		fillWindow();
	}
	return queue.slice(next);
}
