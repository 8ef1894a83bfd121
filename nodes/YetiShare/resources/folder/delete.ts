import { apiRequest } from '../../transport';
import { folderLocator } from '../../shared/descriptions';
import { getFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = { name: 'folderId', displayName: 'Folder' };

export const deleteFolder: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a folder',
		description: 'Move a folder and everything in it to the trash',
	},
	properties: [folderLocator({ ...folder, description: 'The folder to move to the trash' })],
	async execute(i) {
		const folderId = getFolderId(this, i, folder);
		const { response } = await apiRequest.call(this, 'folder/delete', { folder_id: folderId }, {
			itemIndex: i,
			fields: { folder_id: 'Folder' },
		});
		return toItems({ id: folderId, deleted: true, message: response ?? '' });
	},
};
