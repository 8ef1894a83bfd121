import { defineResource } from '../types';
import { disableAccessToken } from './disableAccessToken';
import { get } from './get';
import { getPackage } from './getPackage';

export const account = defineResource({
	option: { name: 'Account', value: 'account' },
	defaultOperation: 'get',
	operations: { disableAccessToken, get, getPackage },
});
