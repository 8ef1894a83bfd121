import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	folderPickers,
	includeSubfoldersField,
	nameFilterField,
	returnAllOrLimit,
} from './descriptions';
import { resolveFolderId } from './locators';
import { LISTINGS_IN_PARALLEL, walkTree, type ListedFolder } from './tree';
import { nameMatcher, outputFields, parameterError, resultLimit } from './utils';

function searchedFolderPicker(examplePath: string) {
	return folderPickers.parent(
		`Where to look. The root (the default) searches the whole account; a folder searches ` +
			`inside it. Results carry their path from here, e.g. Invoices/2026/${examplePath}.`,
	);
}

/** Where a search looks: the Parent Folder picker of both searches, its example path fitting what they find. */
const searchedFolder = {
	file: searchedFolderPicker('march.pdf'),
	folder: searchedFolderPicker('March'),
};

/**
 * The parameters File → Search and Folder → Search share. The API has no search, so a search
 * walks the folder tree (shared/tree.ts) and filters what the listings show.
 */
export function searchProperties(kind: 'file' | 'folder'): INodeProperties[] {
	const what = `${kind}s`;
	return [
		nameFilterField(what),
		searchedFolder[kind].property,
		includeSubfoldersField(
			`Whether to look in every folder below the Parent Folder too ` +
				`(one listing per folder, ${LISTINGS_IN_PARALLEL} at once), or only directly in it`,
			{ default: true },
		),
		...returnAllOrLimit.map((property) =>
			property.name === 'limit'
				? {
						...property,
						description: 'Max number of results to return; the search stops as soon as it has them',
					}
				: property,
		),
	];
}

/**
 * Walks from the Parent Folder, breadth-first, and returns the entries `accept` takes (and whose
 * name matches), each with `type` and its `path` from the Parent Folder, up to the limit: the walk
 * stops as soon as the limit is reached.
 */
export async function searchTree(
	ctx: IExecuteFunctions,
	itemIndex: number,
	kind: 'file' | 'folder',
	entriesOf: (listed: ListedFolder) => IDataObject[],
): Promise<IDataObject[]> {
	const name = ctx.getNodeParameter('name', itemIndex, '') as string;
	const matches = nameMatcher(name);
	const parent = searchedFolder[kind];
	const folderId = await resolveFolderId(ctx, itemIndex, parent);
	const deep = ctx.getNodeParameter('includeSubfolders', itemIndex, true) as boolean;
	const limit = resultLimit(ctx, itemIndex);
	const found: IDataObject[] = [];
	await walkTree(
		ctx,
		[{ id: folderId, path: '' }],
		(listed) => {
			for (const entry of entriesOf(listed)) {
				const entryName = String(kind === 'file' ? entry.filename : entry.folderName);
				if (!matches(entryName)) continue;
				found.push({
					type: kind,
					...outputFields(entry),
					path: `${listed.folder.path}/${entryName}`.slice(1),
				});
				if (found.length >= limit) return false;
			}
			return true;
		},
		{
			deep,
			itemIndex,
			explain: (folder, failure) =>
				folder.id === folderId && failure.problem === 'folderNotFound'
					? parameterError(
							ctx,
							itemIndex,
							parent.displayName,
							`is folder ${folderId}, which this account does not have (or which is in the trash)`,
						)
					: undefined,
		},
	);
	return found;
}
