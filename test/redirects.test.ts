/**
 * A Base URL the site redirects (http:// for an https:// site, a host without www.): the web
 * server answers every call with a redirect. Followed, a 301 or 302 turns the POST into a GET
 * without its fields, and correct keys are refused as wrong; so the node never follows one, and
 * says which address to use instead, in the node and in the editor's credential test.
 */
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';
import { randomBytes } from 'crypto';
import { describe, expect, it } from '@jest/globals';

import { credentialData, folderById, useWorld } from './setup';

/** A web server that answers every request with `status` to `target` + the request's path. */
function redirector(status: number, target: (path: string) => string) {
	const seen: Array<{ method?: string; url?: string }> = [];
	const server: Server = createServer((req: IncomingMessage, res) => {
		seen.push({ method: req.method, url: req.url });
		req.resume();
		req.on('end', () => {
			res.writeHead(status, { Location: target(req.url ?? '/'), 'Content-Type': 'text/html' });
			res.end(
				`<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`,
			);
		});
	});
	return {
		seen,
		async start() {
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
		async stop() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

describe.each([301, 302, 307, 308])('a site that answers every call with HTTP %i', (status) => {
	const world = useWorld({});

	async function withRedirector<T>(
		target: (path: string) => string,
		use: (baseUrl: string, seen: Array<{ method?: string; url?: string }>) => Promise<T>,
	) {
		const site = redirector(status, target);
		const baseUrl = await site.start();
		try {
			return await use(baseUrl, site.seen);
		} finally {
			await site.stop();
		}
	}

	it('the node names the address to use, and never says the keys are wrong', async () => {
		await withRedirector(
			(path) => `https://www.files.example${path}`,
			async (baseUrl, seen) => {
				const credential = world.addCredential({ baseUrl });
				const run = await world.run(
					{ resource: 'account', operation: 'get' },
					{ credential, continueOnFail: true },
				);
				expect(run.json[0].error).toBe(
					"The site redirects its API to another address: set the credential's Base URL to https://www.files.example [item 0]",
				);
				expect(run.json[0].errorDescription).toBe(
					`The site at ${baseUrl} answered authorize with HTTP ${status}, ` +
						`pointing to https://www.files.example. The node does not follow redirects: ` +
						`one would turn the call into a request without its fields (correct ` +
						`keys would then be refused as wrong) or send a whole upload twice.`,
				);
				// the sign-in was sent once, to the address given, and not again anywhere
				expect(seen).toEqual([{ method: 'POST', url: '/api/v2/authorize' }]);
				expect(world.sandbox.count('authorize')).toBe(0);
			},
		);
	});

	it("the editor's credential test says the same", async () => {
		await withRedirector(
			(path) => `https://www.files.example${path}`,
			async (baseUrl) => {
				const result = await world.engine.testCredential(
					'yetiShareApi',
					credentialData(world.sandbox, { baseUrl }),
				);
				expect(result.status).toBe('Error');
				expect(result.message).toContain(
					"set the credential's Base URL to https://www.files.example",
				);
				expect(result.message).not.toMatch(/Could not authenticate|check the keys/i);
			},
		);
	});

	it('a site in a sub-folder, redirected with a relative address: the base keeps the folder', async () => {
		await withRedirector(
			(path) => `/files${path}`,
			async (baseUrl) => {
				const run = await world.run(
					{ resource: 'account', operation: 'get' },
					{ credential: world.addCredential({ baseUrl }), continueOnFail: true },
				);
				expect(run.json[0].error).toBe(
					`The site redirects its API to another address: set the credential's Base URL to ${baseUrl}/files [item 0]`,
				);
			},
		);
	});

	it('an upload with a token at hand: stopped at its first call, named, nothing sent again', async () => {
		await withRedirector(
			(path) => `https://files.example${path}`,
			async (baseUrl, seen) => {
				const credential = world.addCredential({
					baseUrl,
					accessToken: 'a'.repeat(128),
					accountId: '158642',
				});
				const item = await world.engine.binaryItem(randomBytes(200_000), {
					fileName: 'moved.bin',
					mimeType: 'application/octet-stream',
				});
				const run = await world.run(
					{
						resource: 'file',
						operation: 'upload',
						binaryPropertyName: 'data',
						parentFolder: folderById('root'),
					},
					{ items: [item], credential, continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(
					/^The site redirects its API to another address: set the credential's Base URL to https:\/\/files\.example \[item 0\]$/,
				);
				// the first call of an upload asks for the account's limits; nothing was tried again
				expect(seen).toEqual([{ method: 'POST', url: '/api/v2/account/package' }]);
			},
		);
	});
});

describe('a redirect to no usable address', () => {
	const world = useWorld({});

	it('says so, and what to do', async () => {
		const site = redirector(302, () => 'ftp://files.example/');
		const baseUrl = await site.start();
		try {
			const run = await world.run(
				{ resource: 'account', operation: 'get' },
				{ credential: world.addCredential({ baseUrl }), continueOnFail: true },
			);
			expect(run.json[0].error).toBe(
				`The site at ${baseUrl} answered authorize with a redirect (HTTP 302) to no usable address [item 0]`,
			);
			expect(run.json[0].errorDescription).toMatch(
				/use the address it ends up at as the credential's Base URL/,
			);
		} finally {
			await site.stop();
		}
	});
});
