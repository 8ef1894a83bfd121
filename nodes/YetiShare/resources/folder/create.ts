import type { IDataObject } from 'n8n-workflow';

import { forgetTree } from '../../execution/cache';
import { folderPasswordField, folderPickers, visibilityField } from '../../shared/descriptions';
import { createFolder } from '../../shared/listing';
import { resolveFolderId } from '../../shared/locators';
import { md5, requireName, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const parentFolder = folderPickers.parent('The folder to create it in, or the root');

export const create: Operation<'create'> = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a folder',
		description: 'Create a folder',
	},
	properties: [
		{
			displayName: 'Folder Name',
			name: 'folderName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Invoices',
		},
		parentFolder.property,
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [folderPasswordField, visibilityField],
		},
	],
	async execute(i) {
		const name = requireName(this, i, 'Folder Name', this.getNodeParameter('folderName', i));
		const parentId = await resolveFolderId(this, i, parentFolder);
		const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const data = await createFolder(
			this,
			{
				folder_name: name,
				parent_id: parentId,
				is_public: (fields.visibility as number | undefined) ?? 0,
				access_password: fields.password ? md5(String(fields.password)) : undefined,
			},
			{ itemIndex: i, fields: { folder_name: 'Folder Name', parent_id: parentFolder.displayName } },
			parentFolder.displayName,
		);
		forgetTree(this);
		return toItems(data);
	},
};
