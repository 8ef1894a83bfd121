import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { describe, expect, it } from '@jest/globals';

import { folderById, items, useWorld } from './setup';

const getFolder = (value: any) => ({ resource: 'folder', operation: 'get', folderId: value });

// values from an expression, one bad item among good ones, are in bad-input.test.ts
describe('bad input gets a clear error naming the parameter and the item', () => {
	const world = useWorld({});

	it('an ID typed into the form that is not a number: the node\'s own error, not n8n\'s "workflow has issues"', async () => {
		// n8n checks a picker mode's validation regex before the run, in a sandbox with a 250 ms
		// wall-clock limit, and refuses the whole workflow without naming the parameter; the node checks it itself
		const run = await world.run(getFolder({ __rl: true, mode: 'id', value: 'abc' }), {
			items: items(2),
			continueOnFail: true,
		});
		expect(run.json.map((json) => json.error)).toEqual([
			expect.stringMatching(
				/Parameter "Folder" is not a folder ID: "abc" is not a number \[item 0\]/,
			),
			expect.stringMatching(
				/Parameter "Folder" is not a folder ID: "abc" is not a number \[item 1\]/,
			),
		]);
		expect(world.sandbox.count('folder/info')).toBe(0);
	});

	it("folder not found: the site's words, the parameter and the item", async () => {
		const run = await world.run(getFolder(folderById(987654)), { items: items(1) });
		expect(run.error?.message).toMatch(/Could not find folder based on folder_id\./);
		expect(run.error?.message).toMatch(/parameter "Folder": "987654"/);
		expect(run.error?.message).toMatch(/\[item 0\]/);
		expect(run.error?.name).toBe('NodeApiError');
	});

	it('without Continue On Fail the first bad item stops the run with its index', async () => {
		const good = world.sandbox.addFolder(world.sandbox.demoAccount.id, { name: 'Fine' });
		const run = await world.run(getFolder('={{ $json.folder }}'), {
			items: [{ json: { folder: folderById(good.id) } }, { json: { folder: folderById('x') } }],
		});
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toMatch(/\[item 1\]/);
	});

	it('Update with nothing to change', async () => {
		const run = await world.run(
			{ resource: 'folder', operation: 'update', folderId: folderById(5), updateFields: {} },
			{ continueOnFail: true },
		);
		expect(run.json[0].error).toMatch(/Parameter "Update Fields" is empty/);
	});
});

describe('credential and site problems', () => {
	const world = useWorld({});
	const account = { resource: 'account', operation: 'get' };

	it('a key of the wrong length says where keys are generated, and nothing is sent', async () => {
		const credential = world.addCredential({ apiKey1: 'short' });
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/Key 1 must be 64 characters long \(it has 5\)/);
		expect(run.error?.message).toMatch(/account_edit/);
		expect(run.error?.message).not.toContain(world.sandbox.demoAccount.key2);
		expect(world.sandbox.count('authorize')).toBe(0);
	});

	it("wrong keys: the site's own message", async () => {
		const credential = world.addCredential({ apiKey2: 'B'.repeat(64) });
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/Could not authenticate user/);
	});

	it('a base URL that is not http(s)', async () => {
		const credential = world.addCredential({ baseUrl: 'ftp://files.example.com' });
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/Base URL must start with http:\/\/ or https:\/\//);
	});

	it('every usual way of writing the base URL works', async () => {
		for (const baseUrl of [
			world.sandbox.baseUrl,
			`${world.sandbox.baseUrl}/`,
			`${world.sandbox.baseUrl}/api/v2`,
			`${world.sandbox.baseUrl}/api/v2/`,
		]) {
			const run = await world.run(account, { credential: world.addCredential({ baseUrl }) });
			expect(run.error).toBeUndefined();
		}
	});

	it('a host that answers HTML: the status and the start of the page', async () => {
		world.sandbox.fail({}, { html: true });
		const credential = world.addCredential({
			accessToken: 'A'.repeat(128),
			accountId: world.sandbox.demoAccount.id,
		});
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/did not answer account\/info with JSON \(HTTP 200\)/);
		expect(run.error?.description).toMatch(
			/Start of the answer: <!DOCTYPE html>|Start of the answer: <html/i,
		);
	});

	it('a site without this endpoint (HTTP 404)', async () => {
		const credential = world.addCredential({
			baseUrl: `${world.sandbox.baseUrl}/not-the-site`,
			accessToken: 'A'.repeat(128),
			accountId: '1',
		});
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/This site does not offer account\/info/);
	});

	it('an unreachable host fails promptly and says so', async () => {
		const closed: Server = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as AddressInfo;
		await new Promise((resolve) => closed.close(resolve));
		const started = world.clock.now();
		const run = await world.run(account, {
			credential: world.addCredential({ baseUrl: `http://127.0.0.1:${port}` }),
		});
		expect(run.error?.message).toMatch(/Could not reach the site: the connection was refused/);
		expect(world.clock.now() - started).toBeLessThan(5000);
	});

	it("a site that never answers is given up after the credential's timeout", async () => {
		// signed in already: the call that hangs is the user's own, not the sign-in
		const credential = world.addCredential({ timeout: 1, maxRetryWait: 0 });
		expect((await world.run(account, { credential })).error).toBeUndefined();
		world.sandbox.fail({ endpoint: 'account/info' }, { hang: true });
		const run = await world.run(account, { credential });
		expect(run.error?.message).toMatch(/did not answer account\/info in time/);
	});

	it("an account level without API access gets the site's own message", async () => {
		const restricted = world.sandbox.restrictedAccount;
		const credential = world.addCredential({ apiKey1: restricted.key1, apiKey2: restricted.key2 });
		const run = await world.run(account, { credential });
		expect(run.error?.message).toBe(`${restricted.apiRefusal} [item 0]`);
	});
});

describe('the error shape of script version 4', () => {
	const world = useWorld({ scriptVersion: 4 });

	it('is recognised too', async () => {
		const run = await world.run(getFolder(folderById(987654)));
		expect(run.error?.message).toMatch(/Could not find folder based on folder_id\./);
	});
});
