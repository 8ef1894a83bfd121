import { createHash } from 'crypto';
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { describe, expect, it } from '@jest/globals';

import { normalizeBaseUrl } from '../nodes/YetiShare/transport/site';
import { credentialData, folderById, useWorld } from './setup';

describe('Base URL', () => {
	it.each([
		['https://files.example.com', 'https://files.example.com'],
		['https://files.example.com/', 'https://files.example.com'],
		['https://files.example.com/api/v2', 'https://files.example.com'],
		['https://files.example.com/api/v2/', 'https://files.example.com'],
		['  https://example.com/files/API/V2/ ', 'https://example.com/files'],
		['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
	])('%s is read as %s', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});

	it.each(['ftp://files.example.com', 'files.example.com', 'javascript:alert(1)', ''])(
		'%s is refused with a clear message',
		(input) => {
			expect(() => normalizeBaseUrl(input)).toThrow(/Base URL/);
		},
	);
});

describe.each([{ authMode: 'keys' as const }, { authMode: 'login' as const }])(
	"the editor's credential test ($authMode)",
	(site) => {
		const world = useWorld(site);
		const login = site.authMode === 'login' ? { authentication: 'usernamePassword' } : {};

		it('succeeds for good credentials', async () => {
			const result = await world.engine.testCredential(
				'yetiShareApi',
				credentialData(world.sandbox, login),
			);
			expect(result).toMatchObject({ status: 'OK' });
			expect(world.sandbox.count('authorize')).toBe(1);
			expect(world.sandbox.count('account/info')).toBe(1);
		});

		it("shows the site's own words for bad ones", async () => {
			const bad =
				site.authMode === 'login' ? { password: 'wrong password' } : { apiKey1: 'C'.repeat(64) };
			const result = await world.engine.testCredential(
				'yetiShareApi',
				credentialData(world.sandbox, { ...login, ...bad }),
			);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				site.authMode === 'login'
					? /Could not authenticate user\. The username and password may be invalid/
					: /Could not authenticate user\. The key pair may be invalid/,
			);
		});

		it('says in words that nothing listens at the address, not a bare error code', async () => {
			const closed = createServer();
			await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
			const { port } = closed.address() as AddressInfo;
			await new Promise((resolve) => closed.close(resolve));
			const result = await world.engine.testCredential(
				'yetiShareApi',
				credentialData(world.sandbox, { ...login, baseUrl: `http://127.0.0.1:${port}` }),
			);
			expect(result).toMatchObject({
				status: 'Error',
				message:
					'Could not reach the site: the connection was refused (nothing is listening at that address)',
			});
		});

		it('says in words that the site did not answer in time', async () => {
			world.sandbox.fail({ endpoint: 'authorize' }, { hang: true });
			const result = await world.engine.testCredential(
				'yetiShareApi',
				credentialData(world.sandbox, { ...login, timeout: 1 }),
			);
			expect(result).toMatchObject({
				status: 'Error',
				message: 'The site did not answer authorize in time',
			});
		});

		it("shows the site's refusal for an account level without API access", async () => {
			const restricted = world.sandbox.restrictedAccount;
			const data =
				site.authMode === 'login'
					? { ...login, username: restricted.username, password: restricted.password }
					: { apiKey1: restricted.key1, apiKey2: restricted.key2 };
			const result = await world.engine.testCredential(
				'yetiShareApi',
				credentialData(world.sandbox, data),
			);
			expect(result.status).toBe('Error');
			expect(result.message).toContain(restricted.apiRefusal);
		});
	},
);

describe('secrets', () => {
	const world = useWorld({});

	it('never appear in output items, errors or logs', async () => {
		const demo = world.sandbox.demoAccount;
		const ok = await world.run({ resource: 'account', operation: 'get' });
		const token = world.engine.credentials.get(world.credential.id).accessToken as string;
		world.sandbox.fail({}, { html: true });
		const failed = await world.run(
			{ resource: 'account', operation: 'getPackage' },
			{ continueOnFail: true },
		);
		const bad = await world.run(
			{ resource: 'account', operation: 'get' },
			{ credential: world.addCredential({ apiKey2: 'D'.repeat(64) }) },
		);
		// a folder's access password, as the MD5 the site keeps and shows in its answers
		world.sandbox.clearFaults();
		world.sandbox.configure({ listingPasswords: true });
		const folderPassword = createHash('md5').update('folder secret').digest('hex');
		const locked = world.sandbox.addFolder(demo.id, {
			name: 'Locked',
			accessPassword: folderPassword,
		});
		const folder = await world.run({
			resource: 'folder',
			operation: 'get',
			folderId: folderById(locked.id),
		});
		const listing = await world.run({
			resource: 'folder',
			operation: 'getMany',
			parentFolder: folderById('root'),
			include: 'folders',
			returnAll: true,
		});
		expect(folder.json[0].hasPassword).toBe(true);
		expect(listing.json.find((entry) => entry.id === locked.id)?.hasPassword).toBe(true);
		const seen = JSON.stringify([
			ok.items,
			failed.items,
			bad.error,
			folder.items,
			listing.items,
			world.engine.logs,
		]);
		for (const secret of [
			demo.key1,
			demo.key2,
			demo.password,
			token,
			'D'.repeat(64),
			folderPassword,
		]) {
			expect(seen).not.toContain(secret);
		}
	});
});
