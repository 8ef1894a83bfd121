import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { folderLocator, nameFilterField, returnAllOrLimit } from './descriptions';
import { resolveFolderId } from './locators';
import { LISTINGS_IN_PARALLEL, walkTree, type ListedFolder } from './tree';
import { nameMatcher, outputFields, parameterError, resultLimit } from './utils';

/** Where a search looks: the Parent Folder picker of both searches. */
export const searchedFolder = { name: 'parentFolder', displayName: 'Parent Folder', allowRoot: true };

/**
 * The parameters File → Search and Folder → Search share. The API has no search, so a search
 * walks the folder tree (shared/tree.ts) and filters what the listings show.
 */
export function searchProperties(kind: 'file' | 'folder'): INodeProperties[] {
	const what = `${kind}s`;
	return [
		nameFilterField(what),
		folderLocator({
			...searchedFolder,
			description: `Where to look. The root (the default) searches the whole account; a folder searches inside it. Results carry their path from here, e.g. Invoices/2026/${kind === 'file' ? 'march.pdf' : 'March'}.`,
		}),
		{
			displayName: 'Include Subfolders',
			name: 'includeSubfolders',
			type: 'boolean',
			default: true,
			description: `Whether to look in every folder below the Parent Folder too (one listing per folder, ${LISTINGS_IN_PARALLEL} at once), or only directly in it`,
		},
		...returnAllOrLimit.map((property) =>
			property.name === 'limit' ? { ...property, description: 'Max number of results to return; the search stops as soon as it has them' } : property,
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
	const folderId = await resolveFolderId(ctx, itemIndex, searchedFolder);
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
				found.push({ type: kind, ...outputFields(entry), path: `${listed.folder.path}/${entryName}`.slice(1) });
				if (found.length >= limit) return false;
			}
			return true;
		},
		{
			deep,
			itemIndex,
			explain: (folder, failure) =>
				folder.id === folderId && failure.problem === 'folderNotFound'
					? parameterError(ctx, itemIndex, searchedFolder.displayName, `is folder ${folderId}, which this account does not have (or which is in the trash)`)
					: undefined,
		},
	);
	return found;
}
