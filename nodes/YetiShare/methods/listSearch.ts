import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { rootFolderValue } from '../shared/descriptions';
import { walkTree, type FolderToList } from '../shared/tree';
import { nameMatcher } from '../shared/utils';

/** Folder listings one page of the picker may read; the API has no search, so the tree is walked. */
const LISTINGS_PER_PAGE = 10;

/**
 * The folder and file pickers: walk the account's tree (shared/tree.ts), a few listings per page,
 * and show each entry with its path so same-named ones can be told apart. The folders still to
 * read travel in the pagination token.
 */
async function walkFolders(
	ctx: ILoadOptionsFunctions,
	filter: string | undefined,
	token: string | undefined,
	show: 'folders' | 'files',
) {
	const start: FolderToList[] = token
		? JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
		: [{ id: '', path: '' }];
	const matches = nameMatcher(filter);
	const results: INodeListSearchItems[] = [];
	const left = await walkTree(
		ctx,
		start,
		({ folder, folders, files }) => {
			const entries =
				show === 'folders'
					? folders.map((entry) => ({ entry, name: entry.folderName, url: entry.url_folder }))
					: files.map((entry) => ({ entry, name: entry.filename, url: entry.url_file }));
			for (const { entry, name, url } of entries) {
				const path = `${folder.path}/${String(name)}`;
				if (matches(path))
					results.push({ name: path, value: String(entry.id), url: url as string | undefined });
			}
		},
		{ maxListings: LISTINGS_PER_PAGE },
	);
	const paginationToken =
		left.length > 0 ? Buffer.from(JSON.stringify(left)).toString('base64') : undefined;
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
		? {
				...page,
				results: [
					{ name: rootFolderValue.cachedResultName, value: rootFolderValue.value },
					...page.results,
				],
			}
		: page;
}

export async function searchFiles(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await walkFolders(this, filter, paginationToken, 'files');
}
