import type { IDataObject } from 'n8n-workflow';

import { folderLocator } from '../../shared/descriptions';
import { isTrashed, listFolder } from '../../shared/listing';
import { resolveFolderId } from '../../shared/locators';
import { nameMatcher, parameterError, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const parentFolder = { name: 'parentFolder', displayName: 'Parent Folder', allowRoot: true };

export const getMany: Operation = {
	option: {
		name: 'Get Many',
		value: 'getMany',
		action: 'Get many folders and files',
		description: 'List the folders and files inside a folder, each as its own item',
	},
	properties: [
		folderLocator({ ...parentFolder, description: 'The folder whose contents to list' }),
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
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [
				{
					displayName: 'Include Trashed Files',
					name: 'includeTrashed',
					type: 'boolean',
					default: false,
					description: 'Whether to also return files that were deleted (moved to the trash) in this folder',
				},
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. invoice or *.pdf',
					description:
						'Only return entries whose name contains this text (case-insensitive). With * or ? it is a pattern for the whole name, e.g. *.pdf.',
				},
			],
		},
	],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, parentFolder);
		const include = this.getNodeParameter('include', i) as 'all' | 'folders' | 'files';
		const returnAll = this.getNodeParameter('returnAll', i) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i) as number);
		if (!returnAll && !(Number.isInteger(limit) && limit >= 1)) {
			throw parameterError(this, i, 'Limit', `must be a whole number of at least 1 (got ${JSON.stringify(limit)})`);
		}
		const filters = this.getNodeParameter('filters', i, {}) as { name?: string; includeTrashed?: boolean };
		const matches = nameMatcher(filters.name);

		const listing = await listFolder.call(this, folderId, { itemIndex: i, fields: { parent_folder_id: 'Parent Folder', folder_id: 'Parent Folder' } });
		const entries: IDataObject[] = [];
		if (include !== 'files') {
			for (const folder of listing.folders) {
				if (matches(folder.folderName) && !isTrashed(folder)) entries.push({ type: 'folder', ...folder });
			}
		}
		if (include !== 'folders') {
			for (const file of listing.files) {
				if (matches(file.filename) && (filters.includeTrashed || !isTrashed(file))) entries.push({ type: 'file', ...file });
			}
		}
		return toItems(entries.slice(0, limit));
	},
};
