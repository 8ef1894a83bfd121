import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { filePicker, folderPicker, updateFieldsCollection } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { moveFile } from '../../shared/move';
import { asNodeError, parameterError, requireName, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to update');
const folder = folderPicker({
	name: 'folderId',
	displayName: 'Parent Folder',
	allowRoot: true,
	collection: 'updateFields',
	description: 'The folder to move the file into, or the root',
});

export const update: Operation<'update'> = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a file',
		description: 'Rename a file, change its MIME type or parent folder',
	},
	properties: [
		file.property,
		updateFieldsCollection([
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'The new name',
			},
			folder.property,
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description: 'The type browsers are told when the file is downloaded',
			},
		]),
	],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		const changes: Record<string, string> = {};
		if (fields.fileName !== undefined)
			changes.filename = requireName(this, i, 'File Name', fields.fileName);
		if (fields.mimeType !== undefined) {
			const mimeType = String(fields.mimeType).trim();
			if (!/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) {
				throw parameterError(
					this,
					i,
					'MIME Type',
					`is not a MIME type: ${JSON.stringify(mimeType)} (write it like application/pdf)`,
				);
			}
			changes.fileType = mimeType;
		}
		const parent =
			fields.folderId === undefined ? undefined : await resolveFolderId(this, i, folder);
		if (Object.keys(changes).length === 0 && parent === undefined) {
			throw parameterError(this, i, 'Update Fields', 'is empty: add at least one field to change');
		}
		// file/edit reads an empty folder_id as "keep the folder": only file/move can put a file in the
		// root. The other fields are saved first, so a failed move leaves them saved and the error says so.
		if (parent !== undefined && parent !== '') changes.folder_id = parent;
		let edited: IDataObject | undefined;
		if (Object.keys(changes).length > 0) {
			const { data } = await apiRequest.call(
				this,
				'file/edit',
				{ file_id: fileId, ...changes },
				{
					itemIndex: i,
					fields: {
						file_id: file.displayName,
						folder_id: folder.displayName,
						filename: 'File Name',
					},
				},
			);
			edited = data as IDataObject;
		}
		// nothing to move: the edit (never skipped here, since the fields are not empty) is the answer
		if (parent !== '') return toItems(edited ?? {});
		try {
			return toItems((await moveFile(this, i, fileId, parent)) as IDataObject);
		} catch (error) {
			const failed = asNodeError(this, error, i);
			if (edited) {
				failed.description = [
					failed.description,
					`The other fields (${Object.keys(changes).join(', ')}) were saved; only the move into the root failed.`,
				]
					.filter(Boolean)
					.join(' ');
			}
			throw failed;
		}
	},
};
