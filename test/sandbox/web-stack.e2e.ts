/**
 * The web stack in front of the sandbox (web-stack.ts, front.php), without n8n: real PHP parses
 * every API call and its limits hold, nginx answers 413, 502 and 504 by itself and redirects,
 * the answers' links name nginx's address, and only the stack can hand the sandbox a parsed call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'crypto';

import { MESSAGES, SandboxServer } from './server';
import { STOCK_SETTINGS, WebStack } from './web-stack';

const MiB = 1024 * 1024;
const RAISED = { postMaxSize: '64M', uploadMaxFilesize: '64M', clientMaxBodySize: '64m' };
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe('the sandbox behind nginx and PHP-FPM', () => {
	const sandbox = new SandboxServer();
	const stack = new WebStack(sandbox, RAISED);
	let session: { access_token: string; account_id: string };

	beforeAll(async () => {
		await sandbox.start();
		await stack.start();
	});
	afterAll(async () => {
		await stack.stop();
		await sandbox.stop();
	});
	beforeEach(async () => {
		sandbox.reset();
		await stack.configure(RAISED);
		const { key1, key2 } = sandbox.demoAccount;
		const answer = (await (
			await fetch(`${stack.apiUrl}/authorize`, {
				method: 'POST',
				body: new URLSearchParams({ key1, key2 }),
			})
		).json()) as any;
		session = { access_token: answer.data.access_token, account_id: answer.data.account_id };
	});

	async function upload(name: string, bytes: Buffer) {
		const form = new FormData();
		for (const [field, value] of Object.entries({ ...session, folder_id: '' }))
			form.append(field, value);
		form.append('upload_file', new Blob([bytes]), name);
		const response = await fetch(`${stack.apiUrl}/file/upload`, { method: 'POST', body: form });
		return { status: response.status, text: await response.text() };
	}

	it('starts on stock settings unless told otherwise', () => {
		expect(new WebStack(sandbox).options).toEqual(STOCK_SETTINGS);
		expect(STOCK_SETTINGS).toMatchObject({
			postMaxSize: '8M',
			uploadMaxFilesize: '2M',
			clientMaxBodySize: '1m',
			maxChildren: 5,
		});
	});

	it('stores an upload PHP parsed, with links to nginx, and serves its download through nginx', async () => {
		const bytes = Buffer.alloc(MiB + 7, 3);
		const uploaded = JSON.parse((await upload('dir/a "quoted" name.bin', bytes)).text);
		expect(uploaded.data[0]).toMatchObject({ size: String(bytes.length), hash: md5(bytes) });
		// PHP's own name handling: the part after the last "/", `"` as the form encoder sent it
		expect(uploaded.data[0].name).toBe('a %22quoted%22 name.bin');
		expect(uploaded.data[0].url).toMatch(new RegExp(`^${stack.baseUrl}/`));
		expect(sandbox.log.find((entry) => entry.endpoint === 'file/upload')?.upload).toEqual({
			filename: 'a %22quoted%22 name.bin',
			size: bytes.length,
		});

		const link = (await (
			await fetch(
				`${stack.apiUrl}/file/download?${new URLSearchParams({ ...session, file_id: uploaded.data[0].file_id })}`,
			)
		).json()) as any;
		expect(link.data.download_url).toMatch(new RegExp(`^${stack.baseUrl}/`));
		const download = await fetch(link.data.download_url);
		expect(md5(Buffer.from(await download.arrayBuffer()))).toBe(md5(bytes));
		expect(
			stack
				.accessLog()
				.filter((entry) => entry.uri.includes('download_token='))
				.map((entry) => entry.status),
		).toEqual([200]);
	});

	it(
		"holds PHP's stock limits as PHP does: a file over upload_max_filesize is not received, " +
			'a body over post_max_size loses every field',
		async () => {
			await stack.configure({ ...RAISED, postMaxSize: '8M', uploadMaxFilesize: '2M' });
			expect(JSON.parse((await upload('three.bin', Buffer.alloc(3 * MiB))).text).response).toBe(
				'Did not receive uploaded file.',
			);
			expect(await upload('twelve.bin', Buffer.alloc(12 * MiB))).toMatchObject({
				status: 200,
				text: expect.stringContaining('Please provide the access_token param.'),
			});
			expect(JSON.parse((await upload('empty.bin', Buffer.alloc(0))).text).response).toBe(
				'Filesize received was zero.',
			);
			expect(
				sandbox.state.files.filter((file) =>
					['three.bin', 'twelve.bin', 'empty.bin'].includes(file.filename),
				),
			).toEqual([]);
		},
	);

	it("answers 413 itself over nginx's client_max_body_size: the site never sees the call", async () => {
		await stack.configure({ ...RAISED, clientMaxBodySize: '1m' });
		const since = Date.now();
		expect((await upload('two.bin', Buffer.alloc(2 * MiB))).status).toBe(413);
		expect(sandbox.count('file/upload')).toBe(0);
		for (
			const deadline = Date.now() + 5000;
			!stack.count('file/upload', { since }) && Date.now() < deadline;

		)
			await new Promise((resolve) => setTimeout(resolve, 50));
		expect(stack.count('file/upload', { since, status: 413 })).toBe(1);
	});

	it("answers 504 itself after fastcgi_read_timeout; PHP's call goes on and the file is stored once", async () => {
		await stack.configure({ ...RAISED, fastcgiReadTimeout: '1s' });
		sandbox.fail({ endpoint: 'file/upload' }, { slowMs: 2000, afterSite: true });
		expect((await upload('late.bin', Buffer.alloc(1000, 1))).status).toBe(504);
		expect(sandbox.state.files.filter((file) => file.filename === 'late.bin')).toHaveLength(1);
	});

	it("relays the site's status and Retry-After, and answers 502 when the site closes the connection", async () => {
		const info = () =>
			fetch(`${stack.apiUrl}/file/info`, {
				method: 'POST',
				body: new URLSearchParams({ ...session, file_id: '1161' }),
			});
		sandbox.fail({ endpoint: 'file/info' }, { status: 429, retryAfter: '7' });
		const limited = await info();
		expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
		sandbox.fail({ endpoint: 'file/info' }, { close: true });
		expect((await info()).status).toBe(502);
		expect(((await (await info()).json()) as any).data.filename).toBe('readme.txt');
	});

	it('redirects: http to the https site, and the host without www. to the one with it', async () => {
		for (const [redirect, status] of [
			[stack.redirects.toHttps, 301],
			[stack.redirects.toWww, 308],
		] as const) {
			await stack.configure({ ...RAISED, redirectStatus: status });
			const answer = await fetch(`${redirect.from}/api/v2/authorize?x=1`, {
				method: 'POST',
				redirect: 'manual',
			});
			expect([answer.status, answer.headers.get('location')]).toEqual([
				status,
				`${redirect.to}/api/v2/authorize?x=1`,
			]);
		}
		expect(sandbox.count('authorize')).toBe(1);
	});

	describe('takes a parsed call only from the stack', () => {
		const parsed = JSON.stringify({
			get: {},
			post: { key1: 'k'.repeat(64), key2: 'k'.repeat(64) },
			upload_file: null,
		});
		const send = (secret: string) =>
			fetch(`${sandbox.apiUrl}/authorize`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-sandbox-front+json', 'X-Sandbox-Front': secret },
				body: parsed,
			}).then(async (response) => ((await response.json()) as any).response);

		it('with the secret, the fields are those PHP parsed', async () => {
			expect(await send(sandbox.frontSecret)).toBe(MESSAGES.badKeys);
		});

		it('without it, the body is JSON, which the script ignores', async () => {
			expect(await send('forged')).toBe('Please provide key1. It must be 64 characters in length.');
		});
	});
});
