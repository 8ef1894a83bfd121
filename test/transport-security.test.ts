/**
 * How the credential treats the connection to the site: https with a certificate that cannot be
 * verified, and plain http to a host that is not this machine.
 */
import { describe, expect, it } from '@jest/globals';
import { NodeHelpers } from 'n8n-workflow';

import { YetiShareApi } from '../credentials/YetiShareApi.credentials';
import { credentialData, useWorld } from './setup';

describe('a site with a self-signed certificate', () => {
	const world = useWorld({ tls: 'self-signed' });

	it('is refused by default, with an error that says why and what to do', async () => {
		expect(world.sandbox.baseUrl).toMatch(/^https:/);
		const run = await world.run({ resource: 'account', operation: 'get' });
		expect(run.error?.message).toMatch(
			/Could not reach the site: its TLS \(https\) certificate was not accepted/,
		);
		expect(run.error?.description).toMatch(/"Ignore SSL Issues \(Insecure\)"/);
		expect(world.sandbox.count('authorize')).toBe(0);
	});

	it('works with "Ignore SSL Issues": sign-in, calls, upload and download', async () => {
		const credential = world.addCredential({ ignoreSSLIssues: true });
		const account = await world.run({ resource: 'account', operation: 'get' }, { credential });
		expect(account.error).toBeUndefined();
		expect(account.json[0].username).toBe(world.sandbox.demoAccount.username);

		const item = await world.engine.binaryItem(Buffer.from('over https'), {
			fileName: 'tls.txt',
			mimeType: 'text/plain',
		});
		const uploaded = await world.run(
			{
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: { __rl: true, mode: 'id', value: 'root' },
			},
			{ items: [item], credential },
		);
		expect(uploaded.error).toBeUndefined();
		const downloaded = await world.run(
			{
				resource: 'file',
				operation: 'download',
				fileId: { __rl: true, mode: 'id', value: String(uploaded.json[0].file_id) },
				binaryPropertyName: 'data',
			},
			{ credential },
		);
		expect(downloaded.error).toBeUndefined();
		expect((await world.engine.binaryBuffer(downloaded.items[0], 'data')).toString()).toBe(
			'over https',
		);
	});

	it('the editor\'s credential test passes with "Ignore SSL Issues" and fails without it', async () => {
		const refused = await world.engine.testCredential(
			'yetiShareApi',
			credentialData(world.sandbox),
		);
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(/certificate/i);
		const accepted = await world.engine.testCredential(
			'yetiShareApi',
			credentialData(world.sandbox, { ignoreSSLIssues: true }),
		);
		expect(accepted).toMatchObject({ status: 'OK' });
		expect(world.sandbox.count('account/info')).toBe(1);
	});
});

describe('the credential form', () => {
	const credential = new YetiShareApi();
	const notice = credential.properties.find((property) => property.name === 'plainHttpNotice')!;
	const shown = (baseUrl: string) =>
		NodeHelpers.displayParameter({ baseUrl }, notice, null, null, { baseUrl });

	it.each(['http://files.example.com', 'http://192.0.2.10:8080/files'])(
		'warns that %s is unencrypted',
		(baseUrl) => {
			expect(shown(baseUrl)).toBe(true);
			expect(notice.displayName).toMatch(/plain http:\/\/.*unencrypted/);
		},
	);

	it.each([
		'https://files.example.com',
		'http://localhost:8787',
		'http://127.0.0.1:8787',
		'http://[::1]:8787',
	])('does not warn for %s', (baseUrl) => {
		expect(shown(baseUrl)).toBe(false);
	});

	it('offers "Ignore SSL Issues", off by default', () => {
		const option = credential.properties.find((property) => property.name === 'ignoreSSLIssues');
		expect(option).toMatchObject({
			displayName: 'Ignore SSL Issues (Insecure)',
			type: 'boolean',
			default: false,
		});
	});
});
