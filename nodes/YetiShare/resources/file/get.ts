import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { filePicker } from '../../shared/descriptions';
import { resolveFileId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to get');

export const get: Operation<'get'> = {
	option: {
		name: 'Get',
		value: 'get',
		action: "Get a file's details and links",
		description: 'Get the details and links of a file',
	},
	properties: [file.property],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const { data } = await apiRequest.call(
			this,
			'file/info',
			{ file_id: fileId },
			{ itemIndex: i, fields: { file_id: file.displayName } },
		);
		return toItems(data as IDataObject);
	},
};
