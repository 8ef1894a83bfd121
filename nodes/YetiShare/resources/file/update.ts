import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { fileLocator, folderLocator, updateFieldsCollection } from '../../shared/descriptions';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { parameterError, requireName, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = { name: 'fileId', displayName: 'File' };
const folder = { name: 'folderId', displayName: 'Folder', allowRoot: false };

export const update: Operation = {
	option: { name: 'Update', value: 'update', action: 'Update a file', description: 'Rename a file, change its MIME type or folder' },
	properties: [
		fileLocator({ ...file, description: 'The file to update' }),
		updateFieldsCollection([
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '', description: 'The new name' },
			{ ...folderLocator({ ...folder, description: 'The folder to put the file in (use Move for the root)' }), required: false },
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
		if (fields.fileName !== undefined) changes.filename = requireName(this, i, 'File Name', fields.fileName);
		if (fields.mimeType !== undefined) {
			const mimeType = String(fields.mimeType).trim();
			if (!/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) {
				throw parameterError(this, i, 'MIME Type', `is not a MIME type: ${JSON.stringify(mimeType)} (write it like application/pdf)`);
			}
			changes.fileType = mimeType;
		}
		if (fields.folderId !== undefined) changes.folder_id = await resolveFolderId(this, i, { ...folder, name: 'updateFields.folderId' });
		if (Object.keys(changes).length === 0) {
			throw parameterError(this, i, 'Update Fields', 'is empty: add at least one field to change');
		}
		const { data } = await apiRequest.call(
			this,
			'file/edit',
			{ file_id: fileId, ...changes },
			{ itemIndex: i, fields: { file_id: 'File', folder_id: 'Folder', filename: 'File Name' } },
		);
		return toItems(data as IDataObject);
	},
};
