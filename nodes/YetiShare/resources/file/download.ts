import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { filePicker } from '../../shared/descriptions';
import { downloadInto } from '../../shared/download';
import { resolveFile } from '../../shared/locators';
import { requireText } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to download');

/** Asks the site for a download link (finding a file by its short link may already give one). */
async function downloadLink(ctx: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { fileId, link } = await resolveFile(ctx, itemIndex, file);
	if (link) return link;
	const { data } = await apiRequest.call(
		ctx,
		'file/download',
		{ file_id: fileId },
		{ itemIndex, fields: { file_id: file.displayName } },
	);
	return data as IDataObject;
}

export const download: Operation<'download'> = {
	transfer: true,
	option: {
		name: 'Download',
		value: 'download',
		action: 'Download a file',
		description: 'Download a file as binary data, or get a download link',
	},
	properties: [
		file.property,
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the output binary field to put the file in',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Link Only',
					name: 'linkOnly',
					type: 'boolean',
					default: false,
					description:
						'Whether to return only the download link (valid 24 hours; it carries its own token, so treat it as a secret) instead of the file',
				},
			],
		},
	],
	async execute(i) {
		const property = requireText(
			this,
			i,
			'Put Output File in Field',
			this.getNodeParameter('binaryPropertyName', i),
			'a field name, e.g. data',
		);
		const options = this.getNodeParameter('options', i, {}) as { linkOnly?: boolean };
		const link = await downloadLink(this, i);
		if (options.linkOnly) return [{ json: link }];
		return [{ json: link, binary: await downloadInto(this, i, link, property) }];
	},
};
