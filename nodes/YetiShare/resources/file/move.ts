import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { fileLocator, folderLocator } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
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

/** file/move: the one call that also takes the root ('' here). Update uses it for the root. */
export async function moveFile(ctx: IExecuteFunctions, itemIndex: number, fileId: string, folderId: string): Promise<unknown> {
	const { data } = await apiRequest.call(
		ctx,
		'file/move',
		{ file_id: fileId, new_parent_folder_id: folderId },
		{ itemIndex, fields: { file_id: 'File', new_parent_folder_id: destination.displayName } },
	);
	return data;
}
