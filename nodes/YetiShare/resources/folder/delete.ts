import { apiRequest } from '../../transport';
import { forgetTree } from '../../execution/cache';
import { folderPickers } from '../../shared/descriptions';
import { resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = folderPickers.folder('The folder to move to the trash');

export const deleteFolder: Operation<'delete'> = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a folder',
		description: 'Move a folder and everything in it to the trash',
	},
	properties: [folder.property],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, folder);
		const { response } = await apiRequest.call(
			this,
			'folder/delete',
			{ folder_id: folderId },
			{
				itemIndex: i,
				fields: { folder_id: folder.displayName },
			},
		);
		forgetTree(this);
		return toItems({ id: folderId, deleted: true, message: response ?? '' });
	},
};
