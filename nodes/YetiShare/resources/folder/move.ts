import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { forgetTree } from '../../execution/cache';
import { folderPickers } from '../../shared/descriptions';
import { resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = folderPickers.folder('The folder to move');
const destination = folderPickers.destination('The folder to move it into, or the root');

export const move: Operation<'move'> = {
	option: {
		name: 'Move',
		value: 'move',
		action: 'Move a folder',
		description: 'Move a folder into another folder or to the root',
	},
	properties: [folder.property, destination.property],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, folder);
		const parentId = await resolveFolderId(this, i, destination);
		const { data } = await apiRequest.call(
			this,
			'folder/move',
			{ folder_id: folderId, new_parent_folder_id: parentId },
			{
				itemIndex: i,
				fields: { folder_id: folder.displayName, new_parent_folder_id: destination.displayName },
			},
		);
		forgetTree(this);
		return toItems(data as IDataObject);
	},
};
