import type { IDataObject } from 'n8n-workflow';

import { filePicker, folderPickers } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { moveFile } from '../../shared/move';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to move');
const destination = folderPickers.destination('The folder to move the file into, or the root');

export const move: Operation<'move'> = {
	option: {
		name: 'Move',
		value: 'move',
		action: 'Move a file',
		description: 'Move a file into a folder or to the root',
	},
	properties: [file.property, destination.property],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const folderId = await resolveFolderId(this, i, destination);
		return toItems((await moveFile(this, i, fileId, folderId)) as IDataObject);
	},
};
