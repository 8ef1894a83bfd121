import type { IDataObject } from 'n8n-workflow';

import {
	filtersCollection,
	folderPickers,
	nameFilterField,
	returnAllOrLimit,
} from '../../shared/descriptions';
import { isTrashed, listFolder } from '../../shared/listing';
import { resolveFolderId } from '../../shared/locators';
import { nameMatcher, resultLimit, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const parentFolder = folderPickers.parent('The folder whose contents to list');

export const getMany: Operation<'getMany'> = {
	option: {
		name: 'Get Many',
		value: 'getMany',
		action: 'Get many folders and files inside a folder',
		description: 'List the folders and files inside a folder, each as its own item',
	},
	properties: [
		parentFolder.property,
		{
			displayName: 'Return',
			name: 'include',
			type: 'options',
			options: [
				{ name: 'Folders and Files', value: 'all' },
				{ name: 'Folders Only', value: 'folders' },
				{ name: 'Files Only', value: 'files' },
			],
			default: 'all',
			description: 'Each output item has a "type" field: folder or file. Folders come first.',
		},
		...returnAllOrLimit,
		filtersCollection([
			{
				displayName: 'Include Trashed Files',
				name: 'includeTrashed',
				type: 'boolean',
				default: false,
				description:
					'Whether to also return files that were deleted (moved to the trash) in this folder',
			},
			nameFilterField('entries'),
		]),
	],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, parentFolder);
		const include = this.getNodeParameter('include', i) as 'all' | 'folders' | 'files';
		const limit = resultLimit(this, i);
		const filters = this.getNodeParameter('filters', i, {}) as {
			name?: string;
			includeTrashed?: boolean;
		};
		const matches = nameMatcher(filters.name);

		const listing = await listFolder.call(this, folderId, {
			itemIndex: i,
			fields: { parent_folder_id: parentFolder.displayName, folder_id: parentFolder.displayName },
		});
		const entries: IDataObject[] = [];
		if (include !== 'files') {
			for (const folder of listing.folders) {
				if (matches(folder.folderName) && !isTrashed(folder))
					entries.push({ type: 'folder', ...folder });
			}
		}
		if (include !== 'folders') {
			for (const file of listing.files) {
				if (matches(file.filename) && (filters.includeTrashed || !isTrashed(file)))
					entries.push({ type: 'file', ...file });
			}
		}
		return toItems(entries.slice(0, limit));
	},
};
