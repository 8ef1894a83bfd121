import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { folderLocator } from '../../shared/descriptions';
import { resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = { name: 'folderId', displayName: 'Folder' };

export const get: Operation = {
	option: { name: 'Get', value: 'get', action: 'Get a folder', description: 'Get the details of a folder' },
	properties: [folderLocator({ ...folder, description: 'The folder to get' })],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, folder);
		const { data } = await apiRequest.call(this, 'folder/info', { folder_id: folderId }, {
			itemIndex: i,
			fields: { folder_id: 'Folder' },
		});
		return toItems(data as IDataObject);
	},
};
