import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { fileLocator, folderLocator } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = { name: 'fileId', displayName: 'File' };
const destination = { name: 'destinationFolder', displayName: 'Destination Folder', allowRoot: true };

export const move: Operation = {
	option: { name: 'Move', value: 'move', action: 'Move a file', description: 'Move a file into a folder or to the root' },
	properties: [
		fileLocator({ ...file, description: 'The file to move' }),
		folderLocator({ ...destination, description: 'Where to move it' }),
	],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const folderId = await resolveFolderId(this, i, destination);
		const { data } = await apiRequest.call(
			this,
			'file/move',
			{ file_id: fileId, new_parent_folder_id: folderId },
			{ itemIndex: i, fields: { file_id: 'File', new_parent_folder_id: 'Destination Folder' } },
		);
		return toItems(data as IDataObject);
	},
};
