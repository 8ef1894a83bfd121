import type { IDataObject } from 'n8n-workflow';

import { apiRequest, siteDate, type ApiRequestOptions, type YetiShareContext } from '../transport';

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
	const { data } = await apiRequest.call(this, 'folder/listing', { parent_folder_id: folderId }, options);
	const listing = (data ?? {}) as IDataObject;
	const asList = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]) : []);
	return { folders: asList(listing.folders), files: asList(listing.files) };
}

export function isTrashed(entry: IDataObject): boolean {
	return entry.status === 'trash';
}

/**
 * After a create failed in a way that leaves it unknown whether the site acted: the file or
 * folder the call would have made in `folderId`, if the site made it. "Made by that call" means
 * it matches (name, size…) and is dated no earlier than the attempt began, by the site's own
 * clock (the listing's `_datetime`), since the API has no request ids. Two such entries are
 * ambiguous: that is an error, so the caller reports the outcome as unknown instead of guessing.
 */
export async function findCreated(
	ctx: YetiShareContext,
	options: {
		folderId: string;
		kind: 'file' | 'folder';
		matches: (entry: IDataObject) => boolean;
		attemptAgeMs: number;
		itemIndex?: number;
	},
): Promise<IDataObject | undefined> {
	const { folderId, kind, matches, attemptAgeMs, itemIndex } = options;
	const envelope = await apiRequest.call(ctx, 'folder/listing', { parent_folder_id: folderId }, { itemIndex });
	const now = siteDate(envelope._datetime);
	if (!now) throw new Error('the site\'s answer carries no time (_datetime) to compare with');
	// Dates have whole seconds; allow a little for the clock reading and the network.
	const since = now.getTime() - attemptAgeMs - 2000;
	const listing = (envelope.data ?? {}) as IDataObject;
	const entries = (Array.isArray(listing[`${kind}s`]) ? listing[`${kind}s`] : []) as IDataObject[];
	const made: IDataObject[] = [];
	for (const entry of entries.filter((candidate) => !isTrashed(candidate) && matches(candidate))) {
		// Listings give a folder's date but not a file's: file/info has it.
		const full =
			kind === 'folder'
				? entry
				: ((await apiRequest.call(ctx, 'file/info', { file_id: String(entry.id) }, { itemIndex })).data as IDataObject);
		const date = siteDate(kind === 'folder' ? full.date_added : full.uploadedDate);
		if (date && date.getTime() >= since) made.push(full);
	}
	if (made.length > 1) {
		throw new Error(`${made.length} matching ${kind}s appeared there meanwhile (ids ${made.map((entry) => entry.id).join(', ')})`);
	}
	return made[0];
}

/**
 * folder/create, never made twice: after an unknown outcome the parent is checked for the new
 * folder before the call is repeated. Returns the new folder's data.
 */
export async function createFolder(
	ctx: YetiShareContext,
	folder: { folder_name: string; parent_id: string; is_public?: number; access_password?: string },
	options: ApiRequestOptions,
): Promise<IDataObject> {
	const { data } = await apiRequest.call(ctx, 'folder/create', folder, {
		...options,
		creates: `the folder "${folder.folder_name}"`,
		confirm: async (attemptAgeMs) => {
			const made = await findCreated(ctx, {
				folderId: folder.parent_id,
				kind: 'folder',
				matches: (entry) => entry.folderName === folder.folder_name,
				attemptAgeMs,
				itemIndex: options.itemIndex,
			});
			return made && { data: made };
		},
	});
	return data as IDataObject;
}
