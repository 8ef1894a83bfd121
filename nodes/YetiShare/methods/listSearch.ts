import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { rootFolderValue } from '../shared/descriptions';
import { isTrashed, listFolder } from '../shared/listing';
import { nameMatcher } from '../shared/utils';

/** Folder listings one page of the picker may read; the API has no search, so the tree is walked. */
const LISTINGS_PER_PAGE = 10;

interface Pending {
	id: string;
	path: string;
}

/**
 * The folder and file pickers: walk the account's tree breadth-first, a few listings per page, and
 * show each entry with its path so same-named ones can be told apart. The queue of
 * folders still to read travels in the pagination token.
 */
async function walkFolders(
	ctx: ILoadOptionsFunctions,
	filter: string | undefined,
	token: string | undefined,
	show: 'folders' | 'files',
) {
	const queue: Pending[] = token ? JSON.parse(Buffer.from(token, 'base64').toString('utf8')) : [{ id: '', path: '' }];
	const matches = nameMatcher(filter);
	const results: INodeListSearchItems[] = [];
	for (let read = 0; read < LISTINGS_PER_PAGE && queue.length > 0; read++) {
		const parent = queue.shift()!;
		const { folders, files } = await listFolder.call(ctx, parent.id);
		for (const folder of folders as IDataObject[]) {
			if (isTrashed(folder)) continue;
			const path = `${parent.path}/${String(folder.folderName)}`;
			queue.push({ id: String(folder.id), path });
			if (show === 'folders' && matches(path)) {
				results.push({ name: path, value: String(folder.id), url: folder.url_folder as string | undefined });
			}
		}
		if (show === 'files') {
			for (const file of files as IDataObject[]) {
				const path = `${parent.path}/${String(file.filename)}`;
				if (!isTrashed(file) && matches(path)) {
					results.push({ name: path, value: String(file.id), url: file.url_file as string | undefined });
				}
			}
		}
	}
	const paginationToken = queue.length > 0 ? Buffer.from(JSON.stringify(queue)).toString('base64') : undefined;
	return { results, paginationToken };
}

export async function searchFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await walkFolders(this, filter, paginationToken, 'folders');
}

export async function searchFoldersWithRoot(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await walkFolders(this, filter, paginationToken, 'folders');
	const showRoot = !paginationToken && nameMatcher(filter)('/ (Root)');
	return showRoot
		? { ...page, results: [{ name: rootFolderValue.cachedResultName, value: rootFolderValue.value }, ...page.results] }
		: page;
}

export async function searchFiles(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await walkFolders(this, filter, paginationToken, 'files');
}
