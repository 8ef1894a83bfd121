import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { filePicker } from '../../shared/descriptions';
import { resolveFileId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to move to the trash');

export const deleteFile: Operation<'delete'> = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a file',
		description: 'Move a file to the trash',
	},
	properties: [file.property],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const { data } = await apiRequest.call(
			this,
			'file/delete',
			{ file_id: fileId },
			{ itemIndex: i, fields: { file_id: file.displayName } },
		);
		return toItems(data as IDataObject);
	},
};
