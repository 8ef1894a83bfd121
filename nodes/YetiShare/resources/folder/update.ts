import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { forgetTree } from '../../execution/cache';
import {
	folderPasswordField,
	folderPickers,
	updateFieldsCollection,
	visibilityField,
} from '../../shared/descriptions';
import { resolveFolderId } from '../../shared/locators';
import { md5, parameterError, requireName, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = folderPickers.folder('The folder to update');

export const update: Operation<'update'> = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a folder',
		description: 'Rename a folder or change its visibility or password',
	},
	properties: [
		folder.property,
		updateFieldsCollection([
			{
				displayName: 'Folder Name',
				name: 'folderName',
				type: 'string',
				default: '',
				description: 'The new name',
			},
			{
				...folderPasswordField,
				description:
					'A new password for the folder. Type it as is: the node sends the MD5 hash the API expects.',
			},
			visibilityField,
		]),
	],
	async execute(i) {
		const folderId = await resolveFolderId(this, i, folder);
		const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		const changes: IDataObject = {};
		if (fields.folderName !== undefined)
			changes.folder_name = requireName(this, i, 'Folder Name', fields.folderName);
		if (fields.visibility !== undefined) changes.is_public = fields.visibility;
		if (fields.password !== undefined && fields.password !== '')
			changes.access_password = md5(String(fields.password));
		if (Object.keys(changes).length === 0) {
			throw parameterError(this, i, 'Update Fields', 'is empty: add at least one field to change');
		}
		const { data } = await apiRequest.call(
			this,
			'folder/edit',
			{ folder_id: folderId, ...(changes as Record<string, string>) },
			{ itemIndex: i, fields: { folder_id: folder.displayName, folder_name: 'Folder Name' } },
		);
		forgetTree(this);
		return toItems(data as IDataObject);
	},
};
