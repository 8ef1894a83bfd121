import type { Operation } from '../types';
import { isSiteId, parameterError, toItems } from '../../shared/utils';
import { urlUploadStatus } from '../../shared/urlUpload';

export const getUploadFromUrlStatus: Operation<'getUploadFromUrlStatus'> = {
	option: {
		name: 'Get Upload From URL Status',
		value: 'getUploadFromUrlStatus',
		action: 'Get the status of an upload from URL',
		description:
			'Check whether the site has finished fetching a file scheduled with Upload From URL',
	},
	properties: [
		{
			displayName: 'Scheduled Item ID',
			name: 'scheduledItemId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 52',
			description: 'The scheduled_item_id that Upload From URL returned',
		},
	],
	async execute(i) {
		const id = String(this.getNodeParameter('scheduledItemId', i) ?? '').trim();
		if (!isSiteId(id))
			throw parameterError(this, i, 'Scheduled Item ID', `is not a number: ${JSON.stringify(id)}`);
		return toItems(await urlUploadStatus(this, i, id));
	},
};
