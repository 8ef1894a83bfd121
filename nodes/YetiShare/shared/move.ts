import type { IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from '../transport';

/**
 * file/move: the one call that can put a file in the root (folderId ''); file/edit keeps the folder
 * when given an empty one. File → Move and File → Update (for the root) both use it.
 */
export async function moveFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fileId: string,
	folderId: string,
): Promise<unknown> {
	const { data } = await apiRequest.call(
		ctx,
		'file/move',
		{ file_id: fileId, new_parent_folder_id: folderId },
		// both operations call the destination picker "Parent Folder"
		{ itemIndex, fields: { file_id: 'File', new_parent_folder_id: 'Parent Folder' } },
	);
	return data;
}
