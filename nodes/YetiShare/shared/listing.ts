import type { IDataObject } from 'n8n-workflow';

import { apiRequest, type ApiRequestOptions, type YetiShareContext } from '../transport';

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
