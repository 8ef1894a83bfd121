import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

export const get: Operation<'get'> = {
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get the account',
		description:
			'Get the details of the account the credential signs in to (username, email, level, …)',
	},
	properties: [],
	async execute(i) {
		const { data } = await apiRequest.call(this, 'account/info', {}, { itemIndex: i });
		return toItems(data as IDataObject);
	},
};
