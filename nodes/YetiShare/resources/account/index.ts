import type { Resource } from '../types';
import { disableAccessToken } from './disableAccessToken';
import { get } from './get';
import { getPackage } from './getPackage';

export const account: Resource = {
	option: { name: 'Account', value: 'account' },
	defaultOperation: 'get',
	operations: { disableAccessToken, get, getPackage },
};
