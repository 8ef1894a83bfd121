import type { IDataObject } from 'n8n-workflow';

import { fileLocator, folderLocator } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { moveFile } from '../../shared/move';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = { name: 'fileId', displayName: 'File' };
const destination = { name: 'destinationFolder', displayName: 'Parent Folder', allowRoot: true };

export const move: Operation = {
	option: { name: 'Move', value: 'move', action: 'Move a file', description: 'Move a file into a folder or to the root' },
	properties: [
		fileLocator({ ...file, description: 'The file to move' }),
		folderLocator({ ...destination, description: 'The folder to move the file into, or the root' }),
	],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const folderId = await resolveFolderId(this, i, destination);
		return toItems((await moveFile(this, i, fileId, folderId)) as IDataObject);
	},
};
