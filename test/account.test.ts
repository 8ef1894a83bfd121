import { describe, expect, it } from '@jest/globals';

import { useWorld } from './setup';

describe.each([
	{ authMode: 'keys' as const, scriptVersion: 5 as const },
	{ authMode: 'login' as const, scriptVersion: 4 as const },
])('Account resource ($authMode, script version $scriptVersion)', (site) => {
	const world = useWorld(site);

	describe('Get', () => {
		it('returns the account the credential signs in to', async () => {
			const { json, error } = await world.run({ resource: 'account', operation: 'get' });
			expect(error).toBeUndefined();
			expect(json).toHaveLength(1);
			expect(json[0].id).toBe(world.sandbox.demoAccount.id);
			expect(json[0].username).toBe(world.sandbox.demoAccount.username);
			// the data object, not the envelope
			expect(json[0]).not.toHaveProperty('_status');
			expect(json[0]).not.toHaveProperty('data');
		});
	});

	describe('Get Package', () => {
		it('returns the package limits as the API sends them', async () => {
			const { json, error } = await world.run({ resource: 'account', operation: 'getPackage' });
			expect(error).toBeUndefined();
			expect(json[0].label).toBe('Premium Account');
			expect(json[0].max_upload_size).toBe('1073741824');
		});
	});

	describe('Disable Access Token', () => {
		it('ends the session, and the next call signs in again by itself', async () => {
			const first = await world.run({ resource: 'account', operation: 'disableAccessToken' });
			expect(first.error).toBeUndefined();
			expect(first.json[0].success).toBe(true);
			expect(world.sandbox.count('disable_access_token')).toBe(1);

			const next = await world.run({ resource: 'account', operation: 'get' });
			expect(next.error).toBeUndefined();
			expect(next.json[0].username).toBe(world.sandbox.demoAccount.username);
			expect(world.sandbox.count('authorize')).toBe(2);
		});
	});
});
