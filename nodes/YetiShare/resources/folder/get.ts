import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { folderPickers } from '../../shared/descriptions';
import { resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = folderPickers.folder('The folder to get');

export const get: Operation<'get'> = {
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get a folder',
		description: 'Get the details of a folder',
	},
	properties: [folder.property],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, folder);
		const { data } = await apiRequest.call(
			this,
			'folder/info',
			{ folder_id: folderId },
			{
				itemIndex: i,
				fields: { folder_id: folder.displayName },
			},
		);
		return toItems(data as IDataObject);
	},
};
