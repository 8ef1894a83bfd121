/**
 * The sandbox itself, over real HTTP on loopback: every endpoint, both script versions, both
 * auth modes, both API revisions, uploads and downloads, URL uploads, and every fault.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { readdirSync } from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';

import busboy from 'busboy';

import { PartHeaders, phpFilename } from './part-headers';
import { cleanInput, phpInt, phpJsonEncode, stripTags } from './php';
import { MESSAGES, SandboxServer } from './server';

const sandbox = new SandboxServer();
const DEMO = '158642';

beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => {
	sandbox.reset();
});

interface Answer {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

type Fields = Record<string, string | number>;

function form(fields: Fields): string {
	return new URLSearchParams(
		Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]),
	).toString();
}

async function read(response: Response): Promise<Answer> {
	const text = await response.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

/** POSTs a form to /api/v2/<endpoint>, or GETs it with the fields as the query. */
async function call(
	endpoint: string,
	fields: Fields = {},
	method: 'GET' | 'POST' = 'POST',
): Promise<Answer> {
	if (method === 'GET') return read(await fetch(`${sandbox.apiUrl}/${endpoint}?${form(fields)}`));
	return read(
		await fetch(`${sandbox.apiUrl}/${endpoint}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: form(fields),
		}),
	);
}

async function authorize(
	account: { key1: string; key2: string } = sandbox.demoAccount,
): Promise<{ access_token: string; account_id: string }> {
	const answer = await call('authorize', { key1: account.key1, key2: account.key2 });
	expect(answer.json._status).toBe('success');
	return answer.json.data;
}

/** Calls an endpoint with a fresh session of the demo account. */
async function api(endpoint: string, fields: Fields = {}): Promise<Answer> {
	const session = await authorize();
	return call(endpoint, { ...session, ...fields });
}

async function fetchBytes(url: string, headers: Record<string, string> = {}) {
	const response = await fetch(url, { headers });
	return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

function md5(bytes: Buffer | string): string {
	return createHash('md5').update(bytes).digest('hex');
}

function partFiles(): string[] {
	return readdirSync(join(sandbox.storagePath, 'files')).filter((name) => name.endsWith('.part'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
	probe: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs = 5000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (done(value) || Date.now() > deadline) return value;
		await sleep(25);
	}
}

/** A deterministic byte pattern, so big uploads need no big buffers on either side. */
function patternChunk(index: number, size: number): Buffer {
	const chunk = Buffer.alloc(Math.ceil(size / 4) * 4);
	for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((index * 2654435761 + i) >>> 0, i);
	return chunk.subarray(0, size);
}

interface StreamedUpload {
	status?: number;
	headers?: http.IncomingHttpHeaders;
	body?: string;
	error?: Error;
	md5: string;
	sent: number;
}

/**
 * Streams a multipart upload of `size` bytes with http.request, honouring backpressure.
 * `abortAfter` destroys the request after that many bytes of file content; `chunked` sends no
 * Content-Length.
 */
function streamUpload(
	fields: Fields,
	filename: string,
	size: number,
	options: { abortAfter?: number; chunk?: number; chunked?: boolean } = {},
): Promise<StreamedUpload> {
	const boundary = `----sandbox${Date.now().toString(16)}`;
	const head = Object.entries(fields)
		.map(
			([name, value]) =>
				`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
		)
		.join('');
	const preamble = Buffer.from(
		`${head}--${boundary}\r\nContent-Disposition: form-data; name="upload_file"; ` +
			`filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
	);
	const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
	const chunkSize = options.chunk ?? 1024 * 1024;
	const hash = createHash('md5');
	const result: StreamedUpload = { md5: '', sent: 0 };
	return new Promise((resolve) => {
		let settled = false;
		const settle = () => {
			if (settled) return;
			settled = true;
			result.md5 = hash.digest('hex');
			resolve(result);
		};
		const request = http.request(`${sandbox.apiUrl}/file/upload`, {
			method: 'POST',
			headers: {
				'content-type': `multipart/form-data; boundary=${boundary}`,
				...(options.chunked
					? {}
					: { 'content-length': String(preamble.length + size + epilogue.length) }),
			},
		});
		request.on('response', (response) => {
			result.status = response.statusCode;
			result.headers = response.headers;
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				result.body = Buffer.concat(chunks).toString('utf8');
				settle();
			});
		});
		request.on('error', (error) => {
			result.error = error;
			settle();
		});
		request.write(preamble);
		let index = 0;
		const pump = () => {
			while (result.sent < size) {
				if (options.abortAfter !== undefined && result.sent >= options.abortAfter) {
					request.destroy();
					settle();
					return;
				}
				const chunk = patternChunk(index++, Math.min(chunkSize, size - result.sent));
				hash.update(chunk);
				result.sent += chunk.length;
				if (!request.write(chunk)) {
					request.once('drain', pump);
					return;
				}
			}
			request.end(epilogue);
		};
		pump();
	});
}

/** A throwaway HTTP server on loopback for URL uploads to fetch from. */
async function withServer(
	handler: http.RequestListener,
	run: (url: string) => Promise<void>,
): Promise<void> {
	const server = http.createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	try {
		await run(`http://127.0.0.1:${port}`);
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
}

/** POSTs a body with no Content-Length (chunked), as a client streaming it does. */
function postChunked(url: string, contentType: string, body: string): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const request = http.request(url, { method: 'POST', headers: { 'content-type': contentType } });
		request.on('response', (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json: any;
				try {
					json = JSON.parse(text);
				} catch {
					json = undefined;
				}
				resolve({
					status: response.statusCode ?? 0,
					headers: new Headers(response.headers as Record<string, string>),
					text,
					json,
				});
			});
		});
		request.on('error', reject);
		request.write(body);
		request.end();
	});
}

/** POSTs a hand-written multipart body to file/upload: the fields, then one file part with this Content-Disposition. */
async function postUploadPart(
	fields: Fields,
	disposition: string,
	content: string,
): Promise<Answer> {
	const boundary = 'sandbox-part';
	const body = [
		...Object.entries(fields).map(
			([name, value]) =>
				`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
		),
		`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: text/plain\r\n\r\n${content}\r\n--${boundary}--\r\n`,
	].join('');
	return read(
		await fetch(`${sandbox.apiUrl}/file/upload`, {
			method: 'POST',
			headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
			body,
		}),
	);
}

/** Runs `npm run sandbox` with these arguments until `use` is done with what it printed and its API URL. */
async function withCli(
	args: string[],
	use: (printed: string, apiUrl: string) => Promise<void>,
): Promise<void> {
	const cli = join(__dirname, 'cli.ts');
	const tsNode = require.resolve('ts-node/dist/bin.js');
	const child = spawn(process.execPath, [tsNode, '--transpile-only', cli, '--port', '0', ...args], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	try {
		const printed = await new Promise<string>((resolve, reject) => {
			let out = '';
			child.stdout!.on('data', (chunk: Buffer) => {
				out += chunk.toString();
				if (out.includes('Press Ctrl-C')) resolve(out);
			});
			child.once('exit', (code) => reject(new Error(`the sandbox CLI exited (${code}): ${out}`)));
		});
		await use(printed, /API:\s+(\S+)\//.exec(printed)![1]);
	} finally {
		// the CLI stops the sandbox (and removes its storage) on SIGTERM
		const exited =
			child.exitCode !== null
				? Promise.resolve()
				: new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		await exited;
	}
}

describe('PHP behaviour', () => {
	it('strip_tags and trim like the script cleans input', () => {
		expect(cleanInput('  Report <b>final</b> ')).toBe('Report final');
		expect(stripTags('a < b')).toBe('a < b');
		expect(stripTags('a<b')).toBe('a');
		expect(stripTags('x<a href="1>2">y</a>z')).toBe('xyz');
		expect(stripTags('one<!-- note -->two<?php echo 1; ?>three')).toBe('onetwothree');
		expect(cleanInput('\t name \n')).toBe('name');
	});

	it('strip_tags keeps a "<" only before an ASCII space (C\'s isspace), like PHP', () => {
		expect(stripTags('I <3 cats')).toBe('I ');
		expect(stripTags('a<\u00a0b')).toBe('a');
		expect(stripTags('a<')).toBe('a');
		expect(stripTags('a <\tb')).toBe('a <\tb');
	});

	it('(int) casts and JSON like PHP', () => {
		expect(phpInt('12abc')).toBe(12);
		expect(phpInt('abc')).toBe(0);
		expect(phpInt(' 7')).toBe(7);
		expect(phpJsonEncode({ url: 'https://a/b', name: 'é😀' })).toBe(
			'{"url":"https:\\/\\/a\\/b","name":"\\u00e9\\ud83d\\ude00"}',
		);
	});
});

describe('sessions', () => {
	it('authorize with API keys returns a 128-character token and the account id', async () => {
		const answer = await call('authorize', {
			key1: sandbox.demoAccount.key1,
			key2: sandbox.demoAccount.key2,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json');
		expect(Object.keys(answer.json)).toEqual(['data', '_status', '_datetime']);
		expect(answer.json.data.access_token).toMatch(/^[A-Za-z0-9]{128}$/);
		expect(answer.json.data.account_id).toBe(DEMO);
		expect(answer.json._datetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
	});

	it('refuses keys of the wrong length, and wrong keys', async () => {
		const demo = sandbox.demoAccount;
		expect((await call('authorize', { key1: 'short', key2: demo.key2 })).json.response).toBe(
			'Please provide key1. It must be 64 characters in length.',
		);
		expect((await call('authorize', { key1: demo.key1 })).json.response).toBe(
			'Please provide key2. It must be 64 characters in length.',
		);
		const wrong = await call('authorize', { key1: 'C'.repeat(64), key2: demo.key2 });
		expect(wrong.status).toBe(200);
		expect(wrong.json).toEqual({
			response: MESSAGES.badKeys,
			_status: 'error',
			_datetime: expect.any(String),
		});
	});

	it('login mode takes username and password instead', async () => {
		sandbox.configure({ authMode: 'login' });
		const demo = sandbox.demoAccount;
		expect((await call('authorize', { key1: demo.key1, key2: demo.key2 })).json.response).toBe(
			'Please provide a username.',
		);
		expect((await call('authorize', { username: demo.username })).json.response).toBe(
			'Please provide a password.',
		);
		expect(
			(await call('authorize', { username: demo.username, password: 'nope' })).json.response,
		).toBe(MESSAGES.badLogin);
		const ok = await call('authorize', { username: 'DEMO', password: demo.password });
		expect(ok.json.data.account_id).toBe(DEMO);
	});

	it.each(['keys', 'login'] as const)(
		'an account level without API access is refused at /authorize (%s)',
		async (authMode) => {
			sandbox.configure({ authMode });
			const restricted = sandbox.restrictedAccount;
			const fields: Fields =
				authMode === 'keys'
					? { key1: restricted.key1, key2: restricted.key2 }
					: { username: restricted.username, password: restricted.password };
			const answer = await call('authorize', fields);
			expect(answer.json.response).toBe(restricted.apiRefusal);
			expect(restricted.apiRefusal).toMatch(/account level does not have access/);
			expect(sandbox.state.tokens).toHaveLength(0);
			expect(sandbox.log[0]).toMatchObject({
				endpoint: 'authorize',
				outcome: 'error',
				accountId: restricted.id,
			});
		},
	);

	it('keeps one live token per account: a new /authorize kills the earlier token', async () => {
		const first = await authorize();
		expect((await call('account/info', first)).json._status).toBe('success');
		const second = await authorize();
		const stale = await call('account/info', first);
		expect(stale.status).toBe(200);
		expect(stale.json.response).toBe(MESSAGES.invalidToken);
		expect((await call('account/info', second)).json._status).toBe('success');
		expect(sandbox.state.tokens).toHaveLength(1);
	});

	it('a token dies after tokenIdleSeconds unused, and each call refreshes it', async () => {
		// Only the clock is faked and moved by hand, so a slow machine cannot end the session early.
		jest.useFakeTimers({
			doNotFake: [
				'hrtime',
				'nextTick',
				'performance',
				'queueMicrotask',
				'setImmediate',
				'clearImmediate',
				'setInterval',
				'clearInterval',
				'setTimeout',
				'clearTimeout',
			],
		});
		try {
			sandbox.configure({ tokenIdleSeconds: 1 });
			const kept = await authorize();
			jest.setSystemTime(Date.now() + 900);
			expect((await call('account/info', kept)).json._status).toBe('success');
			jest.setSystemTime(Date.now() + 900);
			expect((await call('account/info', kept)).json._status).toBe('success');
			jest.setSystemTime(Date.now() + 1100);
			expect((await call('account/info', kept)).json.response).toBe(MESSAGES.invalidToken);
		} finally {
			jest.useRealTimers();
		}
	});

	it('asks for missing token fields and refuses a token of another account id', async () => {
		expect((await call('folder/listing')).json.response).toBe(
			'Please provide the access_token param.',
		);
		expect((await call('folder/listing', { access_token: 'x' })).json.response).toBe(
			'Please provide the account_id param.',
		);
		const session = await authorize();
		expect((await call('folder/listing', { ...session, account_id: '158650' })).json.response).toBe(
			MESSAGES.invalidToken,
		);
	});

	it('disable_access_token ends the session', async () => {
		const session = await authorize();
		const answer = await call('disable_access_token', session);
		expect(answer.json).toEqual({
			response: 'Token removed or no longer available.',
			_status: 'success',
			_datetime: expect.any(String),
		});
		expect((await call('account/info', session)).json.response).toBe(MESSAGES.invalidToken);
		expect((await call('disable_access_token', session)).json.response).toBe(MESSAGES.invalidToken);
	});

	it('killTokens and killTokensAfter end sessions on demand', async () => {
		const session = await authorize();
		sandbox.killTokens(DEMO);
		expect((await call('account/info', session)).json.response).toBe(MESSAGES.invalidToken);

		const next = await authorize();
		sandbox.killTokensAfter(2);
		expect((await call('account/info', next)).json._status).toBe('success');
		expect((await call('account/info', next)).json._status).toBe('success');
		expect((await call('account/info', next)).json.response).toBe(MESSAGES.invalidToken);
	});
});

describe('requests', () => {
	it('script version 5 and 4 shape errors differently', async () => {
		const v5 = await call('folder/info', { access_token: 'x', account_id: '1' });
		expect(Object.keys(v5.json)).toEqual(['response', '_status', '_datetime']);
		sandbox.configure({ scriptVersion: 4 });
		const v4 = await call('folder/info', { access_token: 'x', account_id: '1' });
		expect(Object.keys(v4.json)).toEqual(['status', 'response', '_datetime']);
		expect(v4.json.status).toBe('error');
		expect(v4.json.response).toBe(MESSAGES.invalidToken);
	});

	it('a JSON body is ignored', async () => {
		const demo = sandbox.demoAccount;
		const response = await fetch(`${sandbox.apiUrl}/authorize`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ key1: demo.key1, key2: demo.key2 }),
		});
		expect((await read(response)).json.response).toBe(
			'Please provide key1. It must be 64 characters in length.',
		);
	});

	it('GET reads the query string, POST never does; the path is lower-cased', async () => {
		const session = await authorize();
		const get = await call('FOLDER/Listing', session, 'GET');
		expect(get.json._status).toBe('success');
		const post = await read(
			await fetch(`${sandbox.apiUrl}/folder/listing?${form(session)}`, { method: 'POST' }),
		);
		expect(post.json.response).toBe('Please provide the access_token param.');
	});

	it('multipart forms work for any call', async () => {
		const session = await authorize();
		const body = new FormData();
		body.append('access_token', session.access_token);
		body.append('account_id', session.account_id);
		body.append('folder_id', '123');
		const answer = await read(
			await fetch(`${sandbox.apiUrl}/folder/info`, { method: 'POST', body }),
		);
		expect(answer.json.data.folderName).toBe('Invoices');
	});

	it('strips tags and trims every input', async () => {
		const answer = await api('folder/create', { folder_name: '  Report <b>final</b>  ' });
		expect(answer.json.data.folderName).toBe('Report final');
		const logged = sandbox.log.find((entry) => entry.endpoint === 'folder/create');
		expect(logged?.params.folder_name).toBe('Report final');
	});

	it('answers 404 with an HTML page for unknown endpoints and paths outside the API', async () => {
		for (const path of [
			'/api/v2/nope',
			'/api/v2/file/nope',
			'/api/v2/folder/info/extra',
			'/not-the-site/api/v2/account/info',
		]) {
			const answer = await read(await fetch(`${sandbox.baseUrl}${path}`, { method: 'POST' }));
			expect(answer.status).toBe(404);
			expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
			expect(answer.text).toContain('<title>404 Not Found</title>');
		}
		expect(sandbox.count('file/nope')).toBe(1);
	});

	it("notFound 'script' answers like the script's own router", async () => {
		sandbox.configure({ notFound: 'script' });
		const endpoint = await call('nope');
		expect(endpoint.status).toBe(404);
		expect(endpoint.json).toBe('No endpoint found for: nope');
		expect((await call('file/nope')).json.response).toBe('Please provide the access_token param.');
		const action = await api('file/nope');
		expect(action.status).toBe(404);
		expect(action.json[0]).toBe('No method found within endpoint (file): nope');
	});

	it('drops a urlencoded body over 8 MiB as a stock PHP does (post_max_size 8M): HTTP 200, no fields', async () => {
		const session = await authorize();
		sandbox.clearLog();
		const answer = await call('folder/listing', {
			...session,
			parent_folder_id: '',
			pad: 'a'.repeat(9 * 1024 * 1024),
		});
		expect(answer.status).toBe(200);
		expect(answer.json.response).toBe('Please provide the access_token param.');
		expect(sandbox.log[0].params).toEqual({});
	});

	it('survives malformed multipart, garbage and other methods', async () => {
		const broken = await read(
			await fetch(`${sandbox.apiUrl}/file/upload`, {
				method: 'POST',
				headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
				body: '--xyz\r\nContent-Disposition: form-data; name="upload_file"; filename="a.txt"\r\n\r\nhalf a file',
			}),
		);
		expect(broken.json.response).toBe('Please provide the access_token param.');
		const noBoundary = await read(
			await fetch(`${sandbox.apiUrl}/authorize`, {
				method: 'POST',
				headers: { 'content-type': 'multipart/form-data' },
				body: 'x',
			}),
		);
		expect(noBoundary.json.response).toMatch(/Please provide key1/);
		const put = await read(
			await fetch(`${sandbox.apiUrl}/account/info`, { method: 'PUT', body: 'x' }),
		);
		expect(put.status).toBe(405);
		await new Promise<void>((resolve) => {
			const socket = require('net').connect(
				Number(new URL(sandbox.baseUrl).port),
				'127.0.0.1',
				() => {
					socket.end('GARBAGE \x00\x01 HTTP/9\r\n\r\n');
				},
			);
			socket.on('close', () => resolve());
			socket.on('error', () => resolve());
			socket.resume();
		});
		expect((await call('authorize')).json.response).toMatch(/Please provide key1/);
	});

	it('logs every request with its endpoint, params, status and outcome', async () => {
		const session = await authorize();
		await call('folder/info', { ...session, folder_id: '987654' });
		await fetch(`${sandbox.apiUrl}/nope`);
		const [auth, info, missing] = sandbox.log;
		expect(auth).toMatchObject({
			method: 'POST',
			path: '/api/v2/authorize',
			endpoint: 'authorize',
			kind: 'api',
			status: 200,
			outcome: 'success',
			accountId: DEMO,
		});
		expect(info).toMatchObject({
			endpoint: 'folder/info',
			params: { access_token: session.access_token, account_id: DEMO, folder_id: '987654' },
			status: 200,
			outcome: 'error',
			message: MESSAGES.folderNotFound,
		});
		expect(missing).toMatchObject({ endpoint: 'nope', status: 404, outcome: 'http-error' });
		expect(typeof auth.at).toBe('number');
		expect(sandbox.count('authorize')).toBe(1);
		sandbox.clearLog();
		expect(sandbox.log).toHaveLength(0);
	});
});

describe('account', () => {
	it('account/info', async () => {
		const answer = await api('account/info');
		expect(answer.json.data).toEqual({
			id: DEMO,
			username: 'demo',
			level_id: '20',
			email: 'demo@sandbox.example',
			lastlogindate: expect.any(String),
			lastloginip: '127.0.0.1',
			status: 'active',
			title: 'Mx',
			firstname: 'Demo',
			lastname: 'Admin',
			languageId: '1',
			datecreated: expect.any(String),
			lastPayment: expect.any(String),
			paidExpiryDate: null,
			storageLimitOverride: null,
		});
	});

	it('account/package, with download_size_per_24_hours only in the newer revision', async () => {
		const newer = await api('account/package');
		expect(newer.json.data).toMatchObject({
			id: '20',
			label: 'Premium Account',
			max_upload_size: '1073741824',
			level_type: 'paid user',
			download_size_per_24_hours: '0',
		});
		expect(Object.values(newer.json.data).every((value) => typeof value === 'string')).toBe(true);
		sandbox.configure({ revision: 'older' });
		const older = await api('account/package');
		expect(older.json.data).not.toHaveProperty('download_size_per_24_hours');
	});
});

describe('folders', () => {
	it('folder/listing lists one level with the reference types; 5.x shows trashed files, 4.x does not', async () => {
		const root = await api('folder/listing', { parent_folder_id: '' });
		const folders = root.json.data.folders;
		expect(folders.map((folder: any) => folder.folderName)).toEqual([
			'Invoices',
			'Photos',
			'Private',
			'Shared with team',
		]);
		expect(folders[0]).toEqual({
			id: '123',
			parentId: null,
			folderName: 'Invoices',
			totalSize: '0',
			isPublic: '0',
			date_added: '2026-01-05 09:12:44',
			date_updated: null,
			url_folder: `${sandbox.baseUrl}/folder/123/Invoices`,
			total_downloads: 0,
			child_folder_count: 1,
			file_count: 0,
		});
		const files = root.json.data.files;
		expect(files.map((file: any) => [file.filename, file.status])).toEqual([
			['old-notes.txt', 'trash'],
			['readme.txt', 'active'],
			['Résumé – José.txt', 'active'],
		]);
		expect(files[1]).toEqual({
			id: '1161',
			filename: 'readme.txt',
			shortUrl: '2U1',
			fileType: 'text/plain',
			extension: 'txt',
			fileSize: '100',
			status: 'active',
			downloads: '12',
			folderId: null,
			keywords: 'readme,txt',
			url_file: `${sandbox.baseUrl}/2U1`,
		});

		sandbox.configure({ listingPasswords: true });
		const withPasswords = await api('folder/listing', { parent_folder_id: '' });
		expect(withPasswords.json.data.folders[0]).toEqual({ ...folders[0], accessPassword: null });
		expect(Object.keys(withPasswords.json.data.folders[0]).indexOf('accessPassword')).toBe(5);

		sandbox.configure({ scriptVersion: 4 });
		const v4 = await api('folder/listing', { parent_folder_id: '0' });
		expect(v4.json.data.files.map((file: any) => file.filename)).toEqual([
			'readme.txt',
			'Résumé – José.txt',
		]);

		const march = await api('folder/listing', { parent_folder_id: '125' });
		expect(march.json.data.folders).toEqual([]);
		expect(march.json.data.files.map((file: any) => file.filename)).toEqual([
			'invoice-2026-001.pdf',
			'invoice-2026-002.pdf',
		]);
		expect((await api('folder/listing', { parent_folder_id: '110' })).json.response).toBe(
			MESSAGES.folderNotFound,
		);
	});

	it('folder/info takes folder_id, shows the access password, and hides trashed and foreign folders', async () => {
		const session = await authorize();
		const info = await call('folder/info', { ...session, folder_id: '129' });
		expect(info.json.data).toMatchObject({
			id: '129',
			folderName: 'Private',
			accessPassword: '54ef36ec71201fdf9d1423fd26f97f6b',
			file_count: 1,
		});
		expect(Object.keys(info.json.data)).toEqual([
			'id',
			'parentId',
			'folderName',
			'totalSize',
			'isPublic',
			'accessPassword',
			'date_added',
			'date_updated',
			'url_folder',
			'total_downloads',
			'child_folder_count',
			'file_count',
		]);
		expect((await call('folder/info', session)).json.response).toBe(
			'Please provide the folder_id param.',
		);
		expect((await call('folder/info', { ...session, parent_folder_id: '129' })).json.response).toBe(
			'Please provide the folder_id param.',
		);
		for (const folderId of ['130', '110', '987654', 'abc']) {
			expect((await call('folder/info', { ...session, folder_id: folderId })).json.response).toBe(
				MESSAGES.folderNotFound,
			);
		}
	});

	it('folder/create with parent, visibility and an MD5 access password', async () => {
		const session = await authorize();
		const password = md5('s3cret');
		const answer = await call('folder/create', {
			...session,
			folder_name: 'Q3 2026',
			parent_id: '123',
			is_public: '2',
			access_password: password,
		});
		expect(answer.json.response).toBe('Folder successfully created.');
		expect(answer.json.data).toMatchObject({
			id: '131',
			parentId: '123',
			folderName: 'Q3 2026',
			totalSize: '0',
			isPublic: '2',
			accessPassword: password,
		});
		expect(answer.json.data.url_folder).toBe(`${sandbox.baseUrl}/folder/131/Q3_2026`);
		expect(answer.json.data.date_added).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

		const root = await call('folder/create', { ...session, folder_name: 'Top', is_public: '7' });
		expect(root.json.data).toMatchObject({ parentId: null, isPublic: '0', accessPassword: null });
		expect((await call('folder/create', session)).json.response).toBe(
			'Please provide the folder_name param.',
		);
		expect(
			(await call('folder/create', { ...session, folder_name: '<b></b>' })).json.response,
		).toBe('Please provide the folder_name param.');
		expect(
			(await call('folder/create', { ...session, folder_name: 'X', access_password: 'plain' })).json
				.response,
		).toBe(MESSAGES.badAccessPassword);

		sandbox.configure({ scriptVersion: 4 });
		const v4 = await api('folder/create', { folder_name: 'X', access_password: 'plain' });
		expect(v4.json.data.accessPassword).toBeNull();
	});

	it('folder/edit changes only what it is given and stores any access_password', async () => {
		const session = await authorize();
		const renamed = await call('folder/edit', {
			...session,
			folder_id: '128',
			folder_name: 'Team',
			is_public: '0',
			access_password: 'not-a-hash',
		});
		expect(renamed.json.response).toBe('Folder successfully updated.');
		expect(renamed.json.data).toMatchObject({
			folderName: 'Team',
			isPublic: '0',
			accessPassword: 'not-a-hash',
			parentId: null,
		});
		const moved = await call('folder/edit', { ...session, folder_id: '128', parent_id: '126' });
		expect(moved.json.data).toMatchObject({ folderName: 'Team', parentId: '126' });
		const ignored = await call('folder/edit', { ...session, folder_id: '128', parent_id: '110' });
		expect(ignored.json.data.parentId).toBe('126');
		const cleared = await call('folder/edit', {
			...session,
			folder_id: '128',
			parent_id: 'null',
			access_password: 'null',
		});
		expect(cleared.json.data).toMatchObject({ parentId: null, accessPassword: null });
		expect(
			(await call('folder/edit', { ...session, folder_id: '110', folder_name: 'Mine' })).json
				.response,
		).toBe(MESSAGES.folderNotFound);
		expect(sandbox.state.folders.find((folder) => folder.id === '110')?.folderName).toBe(
			'My files',
		);
	});

	it('folder/delete trashes the folder and all in it', async () => {
		const session = await authorize();
		const answer = await call('folder/delete', { ...session, folder_id: '123' });
		expect(answer.json).toEqual({
			response: 'Folder successfully set as deleted.',
			_status: 'success',
			_datetime: expect.any(String),
		});
		const names = (await call('folder/listing', session)).json.data.folders.map(
			(folder: any) => folder.folderName,
		);
		expect(names).not.toContain('Invoices');
		expect((await call('folder/info', { ...session, folder_id: '125' })).json.response).toBe(
			MESSAGES.folderNotFound,
		);
		expect((await call('file/info', { ...session, file_id: '1162' })).json.data.status).toBe(
			'trash',
		);
		expect((await call('folder/delete', { ...session, folder_id: '123' })).json.response).toBe(
			MESSAGES.folderNotFound,
		);
	});

	it('folder/move into a folder and back to the root', async () => {
		const session = await authorize();
		const into = await call('folder/move', {
			...session,
			folder_id: '128',
			new_parent_folder_id: '126',
		});
		expect(into.json.response).toBe('Folder successfully moved.');
		expect(into.json.data.parentId).toBe('126');
		for (const root of ['', 'null']) {
			await call('folder/move', { ...session, folder_id: '128', new_parent_folder_id: '126' });
			expect(
				(await call('folder/move', { ...session, folder_id: '128', new_parent_folder_id: root }))
					.json.data.parentId,
			).toBeNull();
		}
		expect((await call('folder/move', { ...session, folder_id: '128' })).json.response).toBe(
			'Please provide the new_parent_folder_id param.',
		);
		expect(
			(await call('folder/move', { ...session, folder_id: '128', new_parent_folder_id: '110' }))
				.json.response,
		).toBe('Could not find the destination folder id defined by new_parent_folder_id.');
		expect(
			(await call('folder/move', { ...session, folder_id: '128', new_parent_folder_id: '128' }))
				.json.response,
		).toBe('Param folder_id can not match new_parent_folder_id.');
		expect(
			(await call('folder/move', { ...session, folder_id: '123', new_parent_folder_id: '125' }))
				.json.response,
		).toBe(MESSAGES.moveIntoItself);
		expect(
			(await call('folder/move', { ...session, folder_id: '987654', new_parent_folder_id: '' }))
				.json.response,
		).toBe(MESSAGES.folderNotFound);
	});
});

describe('files', () => {
	it("file/info: the file with its urls, trashed files included, others' not", async () => {
		const session = await authorize();
		const info = await call('file/info', { ...session, file_id: '1165' });
		expect(info.json.data).toMatchObject({
			id: '1165',
			filename: 'beach.png',
			shortUrl: '2U5',
			fileType: 'image/png',
			extension: 'png',
			fileSize: '68',
			status: 'active',
			downloads: '48',
			folderId: '127',
			url_file: `${sandbox.baseUrl}/2U5`,
		});
		expect(info.json.data.url_file_info).toMatch(
			new RegExp(`^${sandbox.baseUrl}/2U5~i\\?[0-9a-f]{32}$`),
		);
		expect((await call('file/info', { ...session, file_id: '1170' })).json.data.status).toBe(
			'trash',
		);
		expect((await call('file/info', { ...session, file_id: '1180' })).json.response).toBe(
			MESSAGES.fileNotFound,
		);
		expect((await call('file/info', session)).json.response).toBe(
			'Please provide the file_id param.',
		);
	});

	it('file/edit renames, retypes and refiles', async () => {
		const session = await authorize();
		const answer = await call('file/edit', {
			...session,
			file_id: '1161',
			filename: 'read-me.md',
			fileType: 'text/markdown',
			folder_id: '128',
		});
		expect(answer.json.response).toBe('File successfully updated.');
		expect(answer.json.data).toMatchObject({
			filename: 'read-me.md',
			extension: 'md',
			fileType: 'text/markdown',
			folderId: '128',
		});
		expect(
			(await call('file/edit', { ...session, file_id: '1161', folder_id: 'null' })).json.data
				.folderId,
		).toBeNull();
		expect(
			(await call('file/edit', { ...session, file_id: '1170', filename: 'x.txt' })).json.response,
		).toBe(MESSAGES.fileNotFound);
	});

	it('file/delete moves the file to the trash', async () => {
		const session = await authorize();
		const answer = await call('file/delete', { ...session, file_id: '1161' });
		expect(answer.json.response).toBe('File successfully set as deleted.');
		expect(answer.json.data.status).toBe('trash');
		expect((await call('file/delete', { ...session, file_id: '1161' })).json.response).toBe(
			MESSAGES.fileNotFound,
		);
	});

	it('file/move and file/copy', async () => {
		const session = await authorize();
		const moved = await call('file/move', {
			...session,
			file_id: '1161',
			new_parent_folder_id: '126',
		});
		expect(moved.json.response).toBe('File successfully moved.');
		expect(moved.json.data.folderId).toBe('126');
		expect(
			(await call('file/move', { ...session, file_id: '1161', new_parent_folder_id: '' })).json.data
				.folderId,
		).toBeNull();
		expect((await call('file/move', { ...session, file_id: '1161' })).json.response).toBe(
			'Please provide the new_parent_folder_id param.',
		);
		expect(
			(await call('file/move', { ...session, file_id: '1161', new_parent_folder_id: '130' })).json
				.response,
		).toBe('Could not find the destination folder id defined by new_parent_folder_id.');
		expect(
			(await call('file/move', { ...session, file_id: '1170', new_parent_folder_id: '126' })).json
				.response,
		).toBe(MESSAGES.fileNotFound);

		const copied = await call('file/copy', {
			...session,
			file_id: '1161',
			copy_to_folder_id: '128',
		});
		expect(copied.json.response).toBe('File successfully copyied.');
		expect(Object.keys(copied.json)).toEqual([
			'response',
			'original_file',
			'new_file',
			'_status',
			'_datetime',
		]);
		expect(copied.json.original_file.data).toMatchObject({ id: '1161', folderId: null });
		expect(copied.json.new_file.data).toMatchObject({
			id: '1253',
			filename: 'readme.txt',
			folderId: '128',
			fileSize: '100',
			downloads: '0',
		});
		expect(copied.json.new_file.data.shortUrl).not.toBe('2U1');
		expect((await call('file/copy', { ...session, file_id: '1161' })).json.response).toBe(
			'Please provide the copy_to_folder_id param.',
		);
		expect(
			(await call('file/copy', { ...session, file_id: '1161', copy_to_folder_id: '110' })).json
				.response,
		).toBe('Could not find the destination folder id defined by copy_to_folder_id.');
	});

	it('file/download by file_id or short_url (newer revision); the link streams the bytes', async () => {
		const session = await authorize();
		const answer = await call('file/download', { ...session, file_id: '1172' });
		expect(answer.json.data).toEqual({
			file_id: '1172',
			filename: 'Résumé – José.txt',
			download_url: expect.stringMatching(
				new RegExp(`^${sandbox.baseUrl}/2Uc\\?download_token=[0-9a-f]{64}$`),
			),
		});
		const { response, bytes } = await fetchBytes(answer.json.data.download_url);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-length')).toBe(String(bytes.length));
		expect(response.headers.get('content-type')).toBe('text/plain');
		expect(response.headers.get('content-disposition')).toBe(
			`attachment; filename="R_sum_ _ Jos_.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20Jos%C3%A9.txt`,
		);
		expect(bytes.toString('utf8')).toBe("José's résumé, with a name that is not ASCII.\n");

		const byShortUrl = await call('file/download', { ...session, short_url: '2U1' });
		expect(byShortUrl.json.data).toMatchObject({ file_id: '1161', filename: 'readme.txt' });
		expect((await call('file/download', { ...session, file_id: '1170' })).json.response).toBe(
			MESSAGES.fileNotFound,
		);

		sandbox.configure({ revision: 'older' });
		expect((await call('file/download', { ...session, short_url: '2U1' })).json.response).toBe(
			'Please provide the file_id param.',
		);
		expect(sandbox.count('download')).toBe(1);
	});

	it('downloads honour a single Range, and refuse unknown, expired or mismatched tokens', async () => {
		const session = await authorize();
		const link = (await call('file/download', { ...session, file_id: '1161' })).json.data
			.download_url as string;
		const ranged = await fetchBytes(link, { range: 'bytes=11-17' });
		expect(ranged.response.status).toBe(206);
		expect(ranged.response.headers.get('content-range')).toBe('bytes 11-17/100');
		expect(ranged.bytes.toString()).toBe('the Yet');
		expect((await fetchBytes(link, { range: 'bytes=-6' })).bytes.toString()).toBe('unts.\n');
		expect((await fetch(link, { headers: { range: 'bytes=500-' } })).status).toBe(416);

		const token = new URL(link).searchParams.get('download_token');
		const other = await read(await fetch(`${sandbox.baseUrl}/2U2?download_token=${token}`));
		expect(other.status).toBe(403);
		expect(other.headers.get('content-type')).toMatch(/^text\/html/);
		expect((await fetch(`${sandbox.baseUrl}/2U1?download_token=${'0'.repeat(64)}`)).status).toBe(
			403,
		);
		sandbox.state.downloadTokens[0].expiresAt = Date.now() - 1;
		expect((await fetch(link)).status).toBe(403);

		const page = await read(await fetch(`${sandbox.baseUrl}/2U1`));
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		expect(page.text).toContain('readme.txt');
	});
});

describe('uploads', () => {
	it('file/upload streams the file to disk; the download gives the same bytes', async () => {
		const session = await authorize();
		const size = 5 * 1024 * 1024 + 123;
		const upload = await streamUpload({ ...session, folder_id: '125' }, 'big.bin', size);
		expect(upload.status).toBe(200);
		const answer = JSON.parse(upload.body as string);
		expect(answer.response).toBe('File uploaded');
		expect(Array.isArray(answer.data)).toBe(true);
		const [item] = answer.data;
		expect(Object.keys(item)).toEqual([
			'name',
			'size',
			'type',
			'error',
			'url',
			'delete_url',
			'info_url',
			'delete_type',
			'delete_hash',
			'hash',
			'stats_url',
			'short_url',
			'file_id',
			'unique_hash',
			'url_html',
			'url_bbcode',
		]);
		expect(item).toMatchObject({
			name: 'big.bin',
			size: String(size),
			type: 'application/octet-stream',
			error: null,
			file_id: '1253',
			hash: upload.md5,
		});
		expect(item.url).toBe(`${sandbox.baseUrl}/${item.short_url}`);
		expect(item.unique_hash).toMatch(/^[0-9a-f]{64}$/);

		const info = await call('file/info', { ...session, file_id: item.file_id });
		expect(info.json.data).toMatchObject({
			folderId: '125',
			fileSize: String(size),
			uploadSource: 'api',
		});
		const link = (await call('file/download', { ...session, file_id: item.file_id })).json.data
			.download_url;
		const { bytes } = await fetchBytes(link);
		expect(bytes.length).toBe(size);
		expect(md5(bytes)).toBe(upload.md5);
		expect(partFiles()).toEqual([]);
	});

	it.each([
		// PHP keeps what follows the last "/" or "\\" (here inside "</i>"), then the script strips tags and trims
		['<i>x</i>.txt', 'i>.txt'],
		['C:\\Users\\me\\a.txt', 'a.txt'],
		['dir/sub\\f.txt', 'f.txt'],
		['a<b.txt', 'a'],
		['<b>bold</b>', 'b>'],
		['  spaced.txt  ', 'spaced.txt'],
		// percent escapes in a quoted file name are not decoded
		['say %22hi%22.txt', 'say %22hi%22.txt'],
	])('an uploaded file named %j is stored as %j', async (sent, stored) => {
		const session = await authorize();
		const upload = await streamUpload(session, sent, 10);
		const answer = JSON.parse(upload.body as string);
		expect(answer.data[0].name).toBe(stored);
		expect(sandbox.state.files.find((file) => file.id === answer.data[0].file_id)?.filename).toBe(
			stored,
		);
	});

	it('uploads with FormData keep a unicode file name', async () => {
		const session = await authorize();
		const body = new FormData();
		body.append('access_token', session.access_token);
		body.append('account_id', session.account_id);
		body.append('upload_file', new Blob(['hello']), 'Grüße.txt');
		const answer = await read(
			await fetch(`${sandbox.apiUrl}/file/upload`, { method: 'POST', body }),
		);
		expect(answer.json.data[0]).toMatchObject({ name: 'Grüße.txt', size: '5', hash: md5('hello') });
		expect(
			sandbox.state.files.find((file) => file.id === answer.json.data[0].file_id)?.folderId,
		).toBeNull();
	});

	it('refuses a missing part, an empty file, and a file over the package limit', async () => {
		const session = await authorize();
		const none = new FormData();
		none.append('access_token', session.access_token);
		none.append('account_id', session.account_id);
		expect(
			(await read(await fetch(`${sandbox.apiUrl}/file/upload`, { method: 'POST', body: none })))
				.json.response,
		).toBe('Did not receive uploaded file.');
		expect((await call('file/upload', session)).json.response).toBe(
			'Did not receive uploaded file.',
		);

		const empty = await streamUpload(session, 'empty.txt', 0);
		expect(JSON.parse(empty.body as string).response).toBe('Filesize received was zero.');

		sandbox.state.levels[0].package.max_upload_size = String(1024 * 1024);
		const big = await streamUpload(session, 'big.bin', 3 * 1024 * 1024);
		expect(JSON.parse(big.body as string).response).toMatch(
			/^Error on: .*The file is too large\. Maximum upload size is 1 MB\.$/,
		);
		const files = sandbox.state.files.length;
		expect(files).toBe(13);
		expect(partFiles()).toEqual([]);
	});

	it('an upload the client abandons midway leaves nothing behind', async () => {
		const session = await authorize();
		const before = sandbox.state.files.length;
		await streamUpload(session, 'abandoned.bin', 20 * 1024 * 1024, { abortAfter: 2 * 1024 * 1024 });
		await until(
			async () => sandbox.log.find((entry) => entry.endpoint === 'file/upload')?.outcome,
			(outcome) => outcome === 'closed',
		);
		await sleep(100);
		expect(sandbox.state.files.length).toBe(before);
		expect(partFiles()).toEqual([]);
	});

	it(`streams a ${process.env.SANDBOX_BIG_UPLOAD ? '1 GiB' : '300 MiB'} upload with flat memory`, async () => {
		const session = await authorize();
		const size = process.env.SANDBOX_BIG_UPLOAD ? 1024 * 1024 * 1024 : 300 * 1024 * 1024;
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 20);
		const upload = await streamUpload(session, 'huge.bin', size);
		clearInterval(sampler);
		const answer = JSON.parse(upload.body as string);
		expect(answer.data[0]).toMatchObject({ size: String(size), hash: upload.md5 });
		expect(peak - baseline).toBeLessThan(150 * 1024 * 1024);
	}, 180000);
});

describe("request-size limits: PHP's and the web server's", () => {
	const MiB = 1024 * 1024;
	/** nginx's own page for 413, byte for byte. */
	const NGINX_413 =
		'<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
		'<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

	it(
		'postMaxSize: an upload over post_max_size reaches the script ' +
			'with no fields and no file, whether it had a Content-Length or not',
		async () => {
			const session = await authorize();
			sandbox.configure({ postMaxSize: MiB });
			sandbox.clearLog();
			const declared = await streamUpload(session, 'big.bin', 2 * MiB);
			const chunked = await streamUpload(session, 'big.bin', 2 * MiB, { chunked: true });
			for (const upload of [declared, chunked]) {
				expect(upload.status).toBe(200);
				expect(JSON.parse(upload.body!).response).toBe('Please provide the access_token param.');
			}
			expect(
				sandbox.log.map(({ params, upload, accountId }) => ({ params, upload, accountId })),
			).toEqual([{ params: {} }, { params: {} }]);
			expect(sandbox.state.files).toHaveLength(13);
			expect(partFiles()).toEqual([]);

			const under = await streamUpload(session, 'under.bin', MiB / 2);
			expect(JSON.parse(under.body!).data[0]).toMatchObject({ name: 'under.bin', hash: under.md5 });
		},
	);

	it(
		'postMaxSize: a urlencoded body over post_max_size reaches the ' +
			'script with no fields, whether it had a Content-Length or not',
		async () => {
			const session = await authorize();
			sandbox.configure({ postMaxSize: 4096 });
			const listing = (pad: number) => ({ ...session, parent_folder_id: '', pad: 'x'.repeat(pad) });
			expect((await call('folder/listing', listing(3000))).json._status).toBe('success');
			const over = await call('folder/listing', listing(5000));
			expect([over.status, over.json.response]).toEqual([
				200,
				'Please provide the access_token param.',
			]);
			const chunked = await postChunked(
				`${sandbox.apiUrl}/folder/listing`,
				'application/x-www-form-urlencoded',
				form(listing(5000)),
			);
			expect([chunked.status, chunked.json.response]).toEqual([
				200,
				'Please provide the access_token param.',
			]);
			expect(
				(
					await postChunked(
						`${sandbox.apiUrl}/folder/listing`,
						'application/x-www-form-urlencoded',
						form(listing(3000)),
					)
				).json._status,
			).toBe('success');
		},
	);

	it("uploadMaxFilesize: a larger file arrives with PHP's error 1 and no bytes, the other fields intact", async () => {
		const session = await authorize();
		sandbox.configure({ uploadMaxFilesize: MiB });
		sandbox.clearLog();
		const over = await streamUpload({ ...session, folder_id: '125' }, 'big.bin', MiB + 1);
		expect(over.status).toBe(200);
		expect(JSON.parse(over.body!).response).toBe('Did not receive uploaded file.');
		expect(sandbox.log[0]).toMatchObject({
			params: { access_token: session.access_token, account_id: DEMO, folder_id: '125' },
			accountId: DEMO,
			upload: { filename: 'big.bin', size: 0, error: 1 },
		});
		expect(sandbox.state.files).toHaveLength(13);
		expect(partFiles()).toEqual([]);

		// PHP refuses only a file larger than the limit
		const at = await streamUpload(session, 'exact.bin', MiB);
		expect(JSON.parse(at.body!).data[0]).toMatchObject({
			name: 'exact.bin',
			size: String(MiB),
			hash: at.md5,
		});
	});

	it('bodyLimit: the web server answers a larger body 413 with its own page, on every path, before the script runs', async () => {
		const session = await authorize();
		const token = sandbox.state.tokens.find(
			(candidate) => candidate.accessToken === session.access_token,
		)!;
		const lastUsed = token.lastUsedAt;
		sandbox.configure({ bodyLimit: MiB });
		sandbox.clearLog();
		await sleep(5);
		const declared = await streamUpload(session, 'big.bin', 2 * MiB);
		const chunked = await streamUpload(session, 'big.bin', 2 * MiB, { chunked: true });
		const formData = new FormData();
		formData.append('access_token', session.access_token);
		formData.append('account_id', session.account_id);
		formData.append('upload_file', new Blob([Buffer.alloc(2 * MiB)]), 'fetched.bin');
		const fetched = await fetch(`${sandbox.apiUrl}/file/upload`, {
			method: 'POST',
			body: formData,
		});
		// the client gets the answer, not a reset
		for (const upload of [declared, chunked]) {
			expect(upload.error).toBeUndefined();
			expect([upload.status, upload.headers?.['content-type'], upload.body]).toEqual([
				413,
				'text/html',
				NGINX_413,
			]);
		}
		expect([fetched.status, await fetched.text()]).toEqual([413, NGINX_413]);
		expect(
			sandbox.log.map(({ endpoint, status, outcome, params, accountId }) => ({
				endpoint,
				status,
				outcome,
				params,
				accountId,
			})),
		).toEqual(
			Array.from({ length: 3 }, () => ({
				endpoint: 'file/upload',
				status: 413,
				outcome: 'http-error',
				params: {},
				accountId: undefined,
			})),
		);
		expect(token.lastUsedAt).toBe(lastUsed);
		expect(sandbox.state.files).toHaveLength(13);
		expect(partFiles()).toEqual([]);

		// a download's address too; the site answers what stays under the limit
		const link = (await call('file/download', { ...session, file_id: '1161' })).json.data
			.download_url as string;
		const readme = sandbox.state.files.find((file) => file.id === '1161')!;
		const downloads = readme.downloads;
		expect((await fetch(link, { method: 'POST', body: Buffer.alloc(MiB + 1) })).status).toBe(413);
		expect((await postChunked(link, 'application/octet-stream', 'x'.repeat(MiB + 1))).status).toBe(
			413,
		);
		expect(readme.downloads).toBe(downloads);
		expect((await fetchBytes(link)).response.status).toBe(200);
		const small = await streamUpload(session, 'small.bin', MiB / 2);
		expect(JSON.parse(small.body!).data[0]).toMatchObject({ name: 'small.bin', hash: small.md5 });
	});

	it('takes the file name from filename="…" alone, as PHP does: filename*= is ignored', async () => {
		const session = await authorize();
		const both = await postUploadPart(
			session,
			`form-data; name="upload_file"; filename="plain.txt"; filename*=UTF-8''star%E2%82%AC.txt`,
			'hello',
		);
		expect(both.json.data[0].name).toBe('plain.txt');
		// either order; a backslash-escaped quote un-escaped, the part after the last "\\" kept
		const escaped = await postUploadPart(
			session,
			`form-data; name="upload_file"; filename*=UTF-8''star.txt; filename="C:\\dir\\say \\"hi\\".txt"`,
			'hello',
		);
		expect(escaped.json.data[0].name).toBe('say "hi".txt');
		expect(sandbox.state.files.map((file) => file.filename).slice(-2)).toEqual([
			'plain.txt',
			'say "hi".txt',
		]);

		// without filename= the part is a form field to PHP: no file
		const starOnly = await postUploadPart(
			session,
			`form-data; name="upload_file"; filename*=UTF-8''only-star.txt`,
			'hello',
		);
		expect(starOnly.json.response).toBe('Did not receive uploaded file.');
		expect(sandbox.state.files).toHaveLength(15);
		expect(partFiles()).toEqual([]);
	});

	it("finds every part's Content-Disposition however the body is cut into chunks", async () => {
		const boundary = 'b0undary';
		const body = Buffer.from(
			[
				`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1`,
				`--${boundary}\r\nContent-Disposition: form-data; name="f1"; ` +
					`filename="one.txt"; filename*=UTF-8''uno.txt\r\nContent-Type: text/plain\r\n\r\n`,
				`--${boundary}\r\nContent-Disposition: form-data; name="f2"; filename*=UTF-8''two.txt\r\n\r\nxx`,
				// a part PHP reads as a field (no filename=), with a line in it that is nearly a boundary
				`--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name="f3"\r\n\r\nz\r\n--${boundary}x`,
				`--${boundary}\r\nContent-Disposition: form-data; name="f4"; filename="a/b\\\\c.txt"\r\n\r\nyyy`,
				`--${boundary}\r\nContent-Disposition: form-data; name="f5"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n`,
				`--${boundary}--\r\n`,
			].join('\r\n'),
		);
		for (const size of [1, 2, 3, 5, 11, 64, body.length]) {
			const parser = busboy({
				headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
			});
			const parts = new PartHeaders(parser, boundary);
			const seen: Array<[string, string | undefined]> = [];
			parser.on('file', (name, stream) => {
				seen.push([name, phpFilename(parts.disposition)]);
				stream.resume();
			});
			const closed = new Promise((resolve, reject) => {
				parser.on('close', resolve);
				parser.on('error', reject);
			});
			for (let at = 0; at < body.length; at += size) parts.write(body.subarray(at, at + size));
			parts.end();
			await closed;
			expect([size, seen]).toEqual([
				size,
				[
					['f1', 'one.txt'],
					['f2', undefined],
					['f3', undefined],
					['f4', 'c.txt'],
					['f5', ''],
				],
			]);
		}
	});

	it('are options of the constructor and configure(), checked, and reset() restores them', async () => {
		sandbox.configure({ postMaxSize: 1, uploadMaxFilesize: 1, bodyLimit: 1 });
		expect(sandbox.options).toMatchObject({ postMaxSize: 1, uploadMaxFilesize: 1, bodyLimit: 1 });
		expect(
			(await call('authorize', { key1: sandbox.demoAccount.key1, key2: sandbox.demoAccount.key2 }))
				.status,
		).toBe(413);
		sandbox.reset();
		expect(sandbox.options).toMatchObject({ postMaxSize: 0, uploadMaxFilesize: 0, bodyLimit: 0 });
		const upload = await streamUpload(await authorize(), 'after-reset.bin', 2 * MiB);
		expect(JSON.parse(upload.body!).data[0].size).toBe(String(2 * MiB));

		const stock = new SandboxServer({
			postMaxSize: 8 * MiB,
			uploadMaxFilesize: 2 * MiB,
			bodyLimit: MiB,
		});
		stock.configure({ postMaxSize: 0, uploadMaxFilesize: 0, bodyLimit: 0 });
		stock.reset();
		expect(stock.options).toMatchObject({
			postMaxSize: 8 * MiB,
			uploadMaxFilesize: 2 * MiB,
			bodyLimit: MiB,
		});
		await stock.stop();
		expect(() => new SandboxServer({ bodyLimit: -1 })).toThrow(
			/bodyLimit must be a number of at least 0/,
		);
	});

	it("npm run sandbox -- --php-stock: PHP's and nginx's stock limits, each one changeable", async () => {
		await withCli(['--php-stock', '--post-max-size', '16M'], async (printed, apiUrl) => {
			expect(printed).toMatch(
				/Limits: +post_max_size 16M, upload_max_filesize 2M, web server body limit 1M/,
			);
			const answer = await read(
				await fetch(`${apiUrl}/authorize`, { method: 'POST', body: Buffer.alloc(MiB + 1) }),
			);
			expect([answer.status, answer.text]).toEqual([413, NGINX_413]);
		});
	}, 60_000);
});

describe('URL uploads', () => {
	const encode = (url: string) => Buffer.from(url).toString('base64');

	async function status(session: { access_token: string; account_id: string }, id: number) {
		return (await call('file/url_upload_status', { ...session, scheduled_item_id: id })).json;
	}

	it('are scheduled, download the URL in the background and complete with the new file', async () => {
		const session = await authorize();
		const link = (await call('file/download', { ...session, file_id: '1161' })).json.data
			.download_url as string;
		const added = await call('file/url_upload_add', {
			...session,
			file_url_base64: encode(link),
			folder_id: '128',
		});
		expect(added.json).toEqual({
			response: 'File download from URL scheduled',
			data: { scheduled_item_id: 51, url: link },
			_status: 'success',
			_datetime: expect.any(String),
		});

		const done = await until(
			() => status(session, 51),
			(answer) => answer.data.status === 'complete',
		);
		expect(done.response).toBe('Scheduled URL file download found');
		expect(done.data).toEqual({
			scheduled_item_id: 51,
			status: 'complete',
			created: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
			started: expect.any(String),
			finished: expect.any(String),
			total_size: 100,
			downloaded_file: {
				file_id: 1253,
				name: 'readme.txt',
				size: 100,
				url: expect.stringMatching(new RegExp(`^${sandbox.baseUrl}/\\w+/readme\\.txt$`)),
			},
		});
		const file = sandbox.state.files.find((candidate) => candidate.id === '1253');
		expect(file).toMatchObject({
			folderId: '128',
			md5: sandbox.state.files.find((candidate) => candidate.id === '1161')?.md5,
			uploadSource: 'remote',
		});
	});

	it('stay pending for urlUploadDelayMs, then download', async () => {
		sandbox.configure({ urlUploadDelayMs: 300 });
		await withServer(
			(_req, res) => {
				res.writeHead(200, { 'content-type': 'text/csv', 'content-length': '6' });
				res.write('a,b\n');
				setTimeout(() => res.end('1\n'), 300);
			},
			async (url) => {
				const session = await authorize();
				const added = await call('file/url_upload_add', {
					...session,
					file_url_base64: encode(`${url}/export/data.csv?x=1`),
				});
				const id = added.json.data.scheduled_item_id;
				const pending = await status(session, id);
				expect(pending.data).toMatchObject({
					status: 'pending',
					started: null,
					finished: null,
					total_size: 0,
					downloaded_file: null,
				});
				const downloading = await until(
					() => status(session, id),
					(answer) => answer.data.status !== 'pending',
				);
				expect(downloading.data.status).toBe('downloading');
				const complete = await until(
					() => status(session, id),
					(answer) => answer.data.status === 'complete',
				);
				expect(complete.data.downloaded_file).toMatchObject({ name: 'data.csv', size: 6 });
				expect(
					sandbox.state.files.find(
						(file) => file.id === String(complete.data.downloaded_file.file_id),
					)?.fileType,
				).toBe('text/csv');
			},
		);
	});

	it('fail for an unreachable host, a non-2xx answer and a timeout', async () => {
		sandbox.configure({ urlUploadTimeoutMs: 300 });
		const session = await authorize();
		const closedPort = await new Promise<number>((resolve) => {
			const server = http.createServer();
			server.listen(0, '127.0.0.1', () => {
				const { port } = server.address() as AddressInfo;
				server.close(() => resolve(port));
			});
		});
		await withServer(
			(req, res) => {
				if (req.url === '/missing') {
					res.writeHead(404);
					res.end('nope');
				}
				// anything else: never answered
			},
			async (url) => {
				const ids: number[] = [];
				for (const target of [
					`http://127.0.0.1:${closedPort}/file.txt`,
					`${url}/missing`,
					`${url}/slow`,
				]) {
					ids.push(
						(await call('file/url_upload_add', { ...session, file_url_base64: encode(target) }))
							.json.data.scheduled_item_id,
					);
				}
				for (const id of ids) {
					const failed = await until(
						() => status(session, id),
						(answer) => answer.data.status === 'failed',
					);
					expect(failed.data).toMatchObject({
						status: 'failed',
						downloaded_file: null,
						finished: expect.any(String),
					});
				}
				expect(sandbox.state.scheduledItems.map((item) => item.failure)).toEqual([
					expect.stringMatching(/request failed/),
					'HTTP 404',
					expect.stringMatching(/timed out/),
				]);
			},
		);
	});

	it('validate their parameters, and do not exist in the older revision', async () => {
		const session = await authorize();
		expect((await call('file/url_upload_add', session)).json.response).toBe(
			'Please provide the file_url_base64 param.',
		);
		for (const bad of ['not base64!', encode('ftp://example.com/x'), encode('just words')]) {
			expect(
				(await call('file/url_upload_add', { ...session, file_url_base64: bad })).json.response,
			).toBe("Could not parse the file_url_base64 parameter. Ensure it's base64 encoded.");
		}
		expect((await call('file/url_upload_status', session)).json.response).toBe(
			'Please provide the scheduled_item_id param.',
		);
		expect(
			(await call('file/url_upload_status', { ...session, scheduled_item_id: '999' })).json
				.response,
		).toBe(MESSAGES.scheduledItemNotFound);

		sandbox.configure({ revision: 'older' });
		for (const endpoint of ['file/url_upload_add', 'file/url_upload_status']) {
			const answer = await call(endpoint, {
				...session,
				file_url_base64: encode('http://example.com/'),
				scheduled_item_id: 1,
			});
			expect(answer.status).toBe(404);
			expect(answer.text).toContain('Not Found');
		}
	});
});

describe('faults', () => {
	it('a proxy answer with Retry-After, for the next `times` matching calls only', async () => {
		const session = await authorize();
		sandbox.fail({ endpoint: 'account/info', times: 2 }, { status: 429, retryAfter: '7' });
		const first = await call('account/info', session);
		expect(first.status).toBe(429);
		expect(first.headers.get('retry-after')).toBe('7');
		expect(first.text).toContain('429 Too Many Requests');
		expect((await call('folder/listing', session)).status).toBe(200);
		expect((await call('account/info', session)).status).toBe(429);
		expect((await call('account/info', session)).status).toBe(200);
		expect(
			sandbox.log
				.filter((entry) => entry.outcome === 'http-error')
				.map((entry) => entry.params.access_token),
		).toEqual([session.access_token, session.access_token]);
	});

	it('`after` lets the first matching calls pass', async () => {
		const session = await authorize();
		sandbox.fail({ endpoint: 'account/info', times: 2, after: 1 }, { status: 503 });
		expect((await call('account/info', session)).status).toBe(200);
		expect((await call('account/info', session)).status).toBe(503);
		expect((await call('account/info', session)).status).toBe(503);
		expect((await call('account/info', session)).status).toBe(200);
		expect(() => sandbox.fail({ endpoint: 'account/info', after: -1 }, { status: 503 })).toThrow(
			/after must be/,
		);
	});

	it('5xx and 401 pages, on any endpoint when none is named', async () => {
		sandbox.fail({}, { status: 502 });
		const answer = await call('authorize');
		expect(answer.status).toBe(502);
		expect(answer.headers.get('content-type')).toBe('text/html');
		expect(answer.text).toContain('502 Bad Gateway');
		sandbox.fail({}, { status: 401, body: 'Authorization Required' });
		expect((await call('folder/info')).text).toBe('Authorization Required');
		expect((await call('authorize')).status).toBe(200);
	});

	it('an HTML page instead of the API', async () => {
		sandbox.fail({}, { html: true });
		const answer = await call('account/info');
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
		expect(answer.text.startsWith('<!DOCTYPE html>')).toBe(true);
	});

	it('a connection closed without an answer', async () => {
		sandbox.fail({ endpoint: 'authorize' }, { close: true });
		await expect(call('authorize')).rejects.toThrow();
		expect(sandbox.log[0]).toMatchObject({ endpoint: 'authorize', outcome: 'closed' });
		expect((await call('authorize')).status).toBe(200);
	});

	it('a request never answered', async () => {
		sandbox.fail({ endpoint: 'account/info' }, { hang: true });
		await expect(
			fetch(`${sandbox.apiUrl}/account/info`, { method: 'POST', signal: AbortSignal.timeout(300) }),
		).rejects.toThrow();
		expect(sandbox.log[0]).toMatchObject({ endpoint: 'account/info', outcome: 'hung' });
	});

	it('a slow site: answered as usual, after `slowMs`', async () => {
		sandbox.fail({ endpoint: 'authorize' }, { slowMs: 400 });
		const started = Date.now();
		const answer = await call('authorize', {
			key1: sandbox.demoAccount.key1,
			key2: sandbox.demoAccount.key2,
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(380);
		expect(answer.json._status).toBe('success');
		expect(sandbox.log[0]).toMatchObject({ endpoint: 'authorize', outcome: 'success' });
	});

	it('`every`: only every n-th matching call meets the fault', async () => {
		sandbox.fail({ endpoint: 'authorize', times: 2, every: 3 }, { status: 503 });
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await call('authorize')).status);
		expect(statuses).toEqual([200, 200, 503, 200, 200, 503, 200]);
	});

	it('`afterSite`: the site acts, then the answer is lost', async () => {
		const session = await authorize();
		sandbox.fail({ endpoint: 'folder/create' }, { status: 502, afterSite: true });
		const answer = await call('folder/create', { ...session, folder_name: 'Made anyway' });
		expect(answer.status).toBe(502);
		expect(
			sandbox.state.folders.filter((folder) => folder.folderName === 'Made anyway'),
		).toHaveLength(1);
		sandbox.fail({ endpoint: 'folder/create' }, { close: true, afterSite: true });
		await expect(
			call('folder/create', { ...session, folder_name: 'Made again' }),
		).rejects.toThrow();
		expect(
			sandbox.state.folders.filter((folder) => folder.folderName === 'Made again'),
		).toHaveLength(1);
		expect(sandbox.log.at(-1)).toMatchObject({
			outcome: 'closed',
			message: expect.stringMatching(/after the site acted/),
		});
	});

	it('clearFaults and reset drop pending faults', async () => {
		sandbox.fail({}, { status: 503 });
		sandbox.clearFaults();
		expect((await call('authorize')).status).toBe(200);
		sandbox.fail({}, { status: 503 });
		sandbox.reset();
		expect((await call('authorize')).status).toBe(200);
	});

	it('a download cut off after some bytes, and download faults by status', async () => {
		const session = await authorize();
		const link = (await call('file/download', { ...session, file_id: '1161' })).json.data
			.download_url as string;
		sandbox.fail({ endpoint: 'download' }, { cutAfterBytes: 10 });
		const received = await new Promise<{
			length: string | undefined;
			bytes: number;
			error: boolean;
		}>((resolve) => {
			http.get(link, (response) => {
				let bytes = 0;
				let error = false;
				response.on('data', (chunk: Buffer) => (bytes += chunk.length));
				response.on('error', () => (error = true));
				response.on('close', () =>
					resolve({
						length: response.headers['content-length'],
						bytes,
						error: error || !response.complete,
					}),
				);
			});
		});
		expect(received).toEqual({ length: '100', bytes: 10, error: true });
		expect(sandbox.log.at(-1)).toMatchObject({ kind: 'download', outcome: 'closed' });

		sandbox.fail({ endpoint: 'download' }, { status: 503 });
		expect((await fetch(link)).status).toBe(503);
		expect((await fetchBytes(link)).bytes.length).toBe(100);
	});

	it('an upload cut off after some bytes of the body creates nothing', async () => {
		const session = await authorize();
		const before = sandbox.state.files.length;
		sandbox.fail({ endpoint: 'file/upload' }, { cutAfterBytes: 1024 * 1024 });
		const upload = await streamUpload(session, 'cut.bin', 8 * 1024 * 1024);
		expect(upload.error).toBeDefined();
		await until(
			async () => sandbox.log.at(-1)?.outcome,
			(outcome) => outcome === 'closed',
		);
		await sleep(100);
		expect(sandbox.state.files.length).toBe(before);
		expect(partFiles()).toEqual([]);
		const again = await streamUpload(session, 'whole.bin', 1000);
		expect(JSON.parse(again.body as string).data[0].size).toBe('1000');
	});
});

describe('fields: full, reference, undated', () => {
	/** Keys of the file object each answer carries, and the folder dates, in one pass over the endpoints. */
	async function answers() {
		const session = await authorize();
		const folder = (await call('folder/create', { ...session, folder_name: 'Dated' })).json.data;
		const info = (await call('file/info', { ...session, file_id: '1161' })).json.data;
		const edit = (await call('file/edit', { ...session, file_id: '1161', filename: 'readme.md' }))
			.json.data;
		const move = (
			await call('file/move', { ...session, file_id: '1161', new_parent_folder_id: '128' })
		).json.data;
		const copy = (await call('file/copy', { ...session, file_id: '1161', copy_to_folder_id: '' }))
			.json;
		const remove = (await call('file/delete', { ...session, file_id: '1161' })).json.data;
		const listing = (await call('folder/listing', { ...session, parent_folder_id: '' })).json.data;
		const folderInfo = (await call('folder/info', { ...session, folder_id: folder.id })).json.data;
		return {
			folder,
			folderInfo,
			listing,
			keys: {
				info: Object.keys(info),
				edit: Object.keys(edit),
				move: Object.keys(move),
				copyOriginal: Object.keys(copy.original_file.data),
				copyNew: Object.keys(copy.new_file.data),
				remove: Object.keys(remove),
			},
		};
	}

	it('full (the default): every field, file dates in file/info, folder dates', async () => {
		const { folder, keys, listing } = await answers();
		expect(keys.info).toEqual(
			expect.arrayContaining([
				'id',
				'filename',
				'shortUrl',
				'fileSize',
				'uploadedDate',
				'folderId',
				'url_file',
			]),
		);
		expect(folder.date_added).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(listing.files[0]).toHaveProperty('fileSize');
	});

	it("reference: only what the reference's samples show, listings unchanged", async () => {
		sandbox.configure({ fields: 'reference' });
		const { folder, keys, listing } = await answers();
		for (const shown of [keys.info, keys.edit, keys.move, keys.copyOriginal, keys.copyNew])
			expect(shown).toEqual(['id', 'filename', 'shortUrl']);
		expect(keys.remove).toEqual(['id', 'filename', 'shortUrl', 'status']);
		expect(folder.date_added).toMatch(/^\d{4}-/);
		expect(Object.keys(listing.files[0])).toEqual([
			'id',
			'filename',
			'shortUrl',
			'fileType',
			'extension',
			'fileSize',
			'status',
			'downloads',
			'folderId',
			'keywords',
			'url_file',
		]);
	});

	it('undated: as reference, and every folder date null', async () => {
		sandbox.configure({ fields: 'undated' });
		const { folder, folderInfo, keys, listing } = await answers();
		expect(keys.info).toEqual(['id', 'filename', 'shortUrl']);
		expect([folder.date_added, folderInfo.date_added, folderInfo.date_updated]).toEqual([
			null,
			null,
			null,
		]);
		expect(listing.folders.map((entry: any) => entry.date_added)).toEqual(
			listing.folders.map(() => null),
		);
	});

	it('npm run sandbox -- --fields undated: a sandbox that answers that way; a wrong value is refused', async () => {
		const cli = join(__dirname, 'cli.ts');
		const tsNode = require.resolve('ts-node/dist/bin.js');
		const wrong = spawnSync(
			process.execPath,
			[tsNode, '--transpile-only', cli, '--port', '0', '--fields', 'some'],
			{ encoding: 'utf8' },
		);
		expect(wrong.status).toBe(2);
		expect(wrong.stderr).toMatch(/--fields must be full, reference or undated/);

		await withCli(['--fields', 'undated'], async (printed, apiUrl) => {
			expect(printed).toMatch(/undated answers/);
			const post = async (endpoint: string, fields: Fields) =>
				(
					await read(
						await fetch(`${apiUrl}/${endpoint}`, {
							method: 'POST',
							headers: { 'content-type': 'application/x-www-form-urlencoded' },
							body: form(fields),
						}),
					)
				).json;
			const session = (
				await post('authorize', { key1: sandbox.demoAccount.key1, key2: sandbox.demoAccount.key2 })
			).data;
			expect(Object.keys((await post('file/info', { ...session, file_id: '1161' })).data)).toEqual([
				'id',
				'filename',
				'shortUrl',
			]);
			expect(
				(await post('folder/create', { ...session, folder_name: 'From the CLI' })).data.date_added,
			).toBeNull();
		});
	}, 60_000);

	it('is a constructor option, kept by configure() until reset(), and refuses other values', async () => {
		const other = new SandboxServer({ fields: 'reference' });
		expect(other.options.fields).toBe('reference');
		await other.stop();
		expect(() => new SandboxServer({ fields: 'some' as never })).toThrow(
			/fields must be 'full', 'reference' or 'undated'/,
		);
		sandbox.configure({ fields: 'undated' });
		expect(sandbox.options.fields).toBe('undated');
		sandbox.reset();
		expect(sandbox.options.fields).toBe('full');
	});
});

describe('test helpers', () => {
	it('addFolder and addFile arrange data the API then sees', async () => {
		const folder = sandbox.addFolder(DEMO, { name: 'Arranged', isPublic: 1 });
		const child = sandbox.addFolder(DEMO, { name: 'Child', parentId: folder.id });
		const file = sandbox.addFile(DEMO, {
			name: 'data.json',
			folderId: folder.id,
			content: '{"a":1}',
		});
		const listing = await api('folder/listing', { parent_folder_id: folder.id });
		expect(listing.json.data.folders.map((entry: any) => entry.id)).toEqual([child.id]);
		expect(listing.json.data.files[0]).toMatchObject({
			id: file.id,
			filename: 'data.json',
			fileType: 'application/json',
			fileSize: '7',
		});
		expect(() => sandbox.addFolder(DEMO, { name: 'Orphan', parentId: '110' })).toThrow();
	});

	it('seedTree adds a big account, each level twice the one above, that the API lists like any other', async () => {
		const levels = sandbox.seedTree(DEMO, { folders: 62, depth: 5, files: 310 });
		expect(levels.map((level) => level.length)).toEqual([2, 4, 8, 16, 32]);
		const top = await api('folder/listing', { parent_folder_id: '' });
		expect(top.json.data.folders.map((folder: any) => folder.id)).toEqual(
			expect.arrayContaining(levels[0].map((folder) => folder.id)),
		);
		const first = await api('folder/listing', { parent_folder_id: levels[0][0].id });
		expect(first.json.data.folders).toHaveLength(2);
		expect(first.json.data.files).toHaveLength(5);
		const deepest = levels[4][31];
		const file = (await api('folder/listing', { parent_folder_id: deepest.id })).json.data.files[0];
		const link = (await api('file/download', { file_id: file.id })).json.data
			.download_url as string;
		expect((await fetchBytes(link)).bytes.toString()).toBe('seeded file\n');
		sandbox.reset();
		expect(sandbox.state.folders.some((folder) => folder.id === deepest.id)).toBe(false);
	});

	it('bandwidthBytesPerSecond caps file bytes each way, shared by the transfers under way', async () => {
		sandbox.configure({ bandwidthBytesPerSecond: 2_000_000 });
		const file = sandbox.addFile(DEMO, { name: 'capped.bin', content: patternChunk(1, 1_000_000) });
		const link = (await api('file/download', { file_id: file.id })).json.data
			.download_url as string;
		let started = Date.now();
		const both = await Promise.all([fetchBytes(link), fetchBytes(link)]);
		// 2 MB over a 2 MB/s link: a second at least, whatever the machine
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		for (const { bytes } of both) expect(md5(bytes)).toBe(file.md5);

		const session = await authorize();
		started = Date.now();
		const upload = await streamUpload({ ...session, folder_id: '' }, 'capped-up.bin', 1_000_000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(450);
		expect(JSON.parse(upload.body!).data[0].size).toBe('1000000');
	});

	it('workers: the site serves that many API calls at once, the others wait their turn in arrival order', async () => {
		const session = await authorize();
		sandbox.configure({ workers: 2, workMs: 100 });
		sandbox.clearLog();
		const started = Date.now();
		const answers = await Promise.all(
			Array.from({ length: 6 }, () => call('folder/listing', { ...session, parent_folder_id: '' })),
		);
		// six calls, two at a time, 100 ms each: three turns at least, whatever the machine
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		for (const answer of answers) expect(answer.json._status).toBe('success');
		expect(sandbox.peakServed('folder/listing')).toBe(2);
		const calls = sandbox.log.filter((entry) => entry.endpoint === 'folder/listing');
		const served = calls.map((entry) => entry.servedAt!);
		expect(served).toEqual([...served].sort((a, b) => a - b));
	});

	it('reset restores the fixture and the constructor options', async () => {
		sandbox.configure({ scriptVersion: 4, authMode: 'login' });
		sandbox.addFolder(DEMO, { name: 'Temporary' });
		sandbox.reset();
		expect(sandbox.options).toMatchObject({ scriptVersion: 5, authMode: 'keys' });
		expect(sandbox.state.folders.some((folder) => folder.folderName === 'Temporary')).toBe(false);
		expect(sandbox.state.files).toHaveLength(13);
	});

	it('a second sandbox with its own fixture object and options runs side by side', async () => {
		const other = new SandboxServer({
			scriptVersion: 4,
			revision: 'older',
			authMode: 'login',
			fixture: join(__dirname, 'fixture.json'),
		});
		try {
			const baseUrl = await other.start();
			expect(baseUrl).not.toBe(sandbox.baseUrl);
			const demo = other.demoAccount;
			const answer = await read(
				await fetch(`${other.apiUrl}/authorize`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: form({ username: demo.username, password: demo.password }),
				}),
			);
			expect(answer.json._status).toBe('success');
		} finally {
			await other.stop();
		}
	});
});
