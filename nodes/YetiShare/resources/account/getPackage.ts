import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

export const getPackage: Operation<'getPackage'> = {
	option: {
		name: 'Get Package',
		value: 'getPackage',
		action: 'Get the account package',
		description:
			"Get the limits of the account's package (max upload size, storage, download limits, …)",
	},
	properties: [],
	async execute(i) {
		const { data } = await apiRequest.call(this, 'account/package', {}, { itemIndex: i });
		return toItems(data as IDataObject);
	},
};
