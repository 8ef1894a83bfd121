import { apiRequest } from '../../transport';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

export const disableAccessToken: Operation<'disableAccessToken'> = {
	option: {
		name: 'Disable Access Token',
		value: 'disableAccessToken',
		action: 'Disable the access token',
		description:
			'End the API session the credential holds. Nothing else is needed afterwards: the next call signs in again.',
	},
	properties: [],
	async execute(i) {
		const { response } = await apiRequest.call(this, 'disable_access_token', {}, { itemIndex: i });
		return toItems({ success: true, message: response ?? '' });
	},
};
