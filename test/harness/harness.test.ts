/**
 * Proves the harness behaves like n8n: a tiny node and credential (defined here) run inside
 * n8n-core against a real HTTP server on loopback.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	IAuthenticateGeneric,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { Engine, type BinaryMode } from './index';

// ---------------------------------------------------------------------------------------------
// A small API on loopback: /auth hands out tokens, the rest wants one (header or form field).
// ---------------------------------------------------------------------------------------------

interface SeenRequest {
	method: string;
	path: string;
	contentType: string | undefined;
	authorization: string | undefined;
	body: string;
}

class FakeApi {
	readonly seen: SeenRequest[] = [];

	tokenRequests = 0;

	/** Answer every authenticated call with 401, whatever the token (to see n8n retry once). */
	always401 = false;

	private readonly tokens = new Set<string>();

	private server: Server | undefined;

	url = '';

	async start(): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	/** Forget every token, as a server does when sessions expire. */
	expireTokens(): void {
		this.tokens.clear();
	}

	private send(
		res: ServerResponse,
		status: number,
		body: unknown,
		headers: Record<string, string> = {},
	): void {
		res.writeHead(status, { 'content-type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	}

	private async readBody(req: IncomingMessage): Promise<Buffer> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	}

	private tokenOf(req: IncomingMessage, form: URLSearchParams): string | undefined {
		const header = req.headers.authorization;
		if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
		// PHP-style servers read the last of repeated fields.
		const all = form.getAll('access_token');
		return all.length ? all[all.length - 1] : undefined;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', this.url);
		const raw = await this.readBody(req);
		const contentType = req.headers['content-type'];
		const body = contentType?.startsWith('application/octet-stream')
			? `[${raw.length} bytes]`
			: raw.toString('utf8');
		this.seen.push({
			method: req.method ?? '',
			path: url.pathname,
			contentType,
			authorization: req.headers.authorization,
			body,
		});
		const form = new URLSearchParams(
			contentType?.includes('x-www-form-urlencoded') ? raw.toString('utf8') : '',
		);

		if (url.pathname === '/auth') {
			this.tokenRequests++;
			if (form.get('key') !== 'good-key') {
				this.send(res, 403, { message: 'Key refused by server' });
				return;
			}
			const token = `tok-${this.tokenRequests}`;
			this.tokens.add(token);
			this.send(res, 200, { token });
			return;
		}
		if (url.pathname === '/inspect') {
			this.send(res, 200, { contentType: contentType ?? null, body: raw.toString('utf8') });
			return;
		}
		if (url.pathname === '/slow') {
			await new Promise((resolve) => setTimeout(resolve, 400));
			if (!res.destroyed) this.send(res, 200, { late: true });
			return;
		}

		const token = this.tokenOf(req, form);
		const valid = token !== undefined && this.tokens.has(token) && !this.always401;
		if (url.pathname === '/me') {
			// Like many APIs (YetiShare among them): a refused token still gets HTTP 200.
			this.send(
				res,
				200,
				valid ? { status: 'ok', user: 'alice' } : { status: 'error', message: 'Token refused' },
			);
			return;
		}
		if (!valid) {
			this.send(res, 401, { message: 'Token expired' });
			return;
		}
		if (url.pathname === '/items') {
			const id = form.get('id') ?? url.searchParams.get('id');
			if (id === 'missing') {
				this.send(res, 404, { message: 'No item "missing" here' });
				return;
			}
			this.send(res, 200, { id, name: `Item ${id}` });
			return;
		}
		if (url.pathname === '/search') {
			const filter = url.searchParams.get('q') ?? '';
			const names = ['alpha', 'beta', 'gamma'].filter((n) => n.includes(filter));
			this.send(res, 200, { results: names.map((n) => ({ name: n, value: n })) });
			return;
		}
		if (url.pathname === '/events') {
			const since = Number(url.searchParams.get('since') ?? '0');
			this.send(res, 200, { events: [1, 2, 3].filter((n) => n > since).map((n) => ({ id: n })) });
			return;
		}
		if (url.pathname === '/transform') {
			res.writeHead(200, {
				'content-type': 'text/plain',
				'content-disposition': 'attachment; filename="shout.txt"',
				'x-sha256': createHash('sha256').update(raw).digest('hex'),
			});
			res.end(raw.toString('utf8').toUpperCase());
			return;
		}
		this.send(res, 404, { message: `No route ${url.pathname}` });
	}
}

// ---------------------------------------------------------------------------------------------
// A credential with a session token, in both authenticate styles, and a node using them.
// ---------------------------------------------------------------------------------------------

const sessionProperties: INodeProperties[] = [
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	{ displayName: 'Key', name: 'key', type: 'string', typeOptions: { password: true }, default: '' },
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'hidden',
		typeOptions: { expirable: true, password: true },
		default: '',
	},
];

/** Fetches a token with a form-encoded POST, as the package's /authorize call does. */
async function fetchToken(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
	const response = (await this.helpers.httpRequest({
		method: 'POST',
		url: `${credentials.baseUrl as string}/auth`,
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ key: String(credentials.key) }).toString(),
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
		json: true,
	})) as { statusCode: number; body: { token?: string; message?: string } };
	if (response.statusCode !== 200 || !response.body.token) {
		throw new Error(response.body.message ?? `HTTP ${response.statusCode}`);
	}
	return { accessToken: response.body.token };
}

const credentialTest: ICredentialTestRequest = {
	request: { baseURL: '={{ $credentials.baseUrl }}', url: '/me', method: 'GET' },
	rules: [
		{
			type: 'responseSuccessBody',
			properties: { key: 'status', value: 'error', message: 'The server refused the token' },
		},
	],
};

/** Generic (declarative) authenticate: the header value is an expression over the credential. */
class HeaderTokenApi implements ICredentialType {
	name = 'harnessHeaderApi';

	displayName = 'Harness Header API';

	properties = sessionProperties;

	preAuthentication = fetchToken;

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};

	test = credentialTest;
}

/** Function authenticate adding the token to a form body, as the YetiShare credential does. */
class FormTokenApi implements ICredentialType {
	name = 'harnessFormApi';

	displayName = 'Harness Form API';

	properties = sessionProperties;

	preAuthentication = fetchToken;

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	) {
		const token = `access_token=${encodeURIComponent(String(credentials.accessToken))}`;
		const body = typeof requestOptions.body === 'string' ? requestOptions.body : '';
		requestOptions.body = body === '' ? token : `${body}&${token}`;
		return requestOptions;
	}

	test = credentialTest;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** Reused as is (not copied) by the `sharedHeaders` body style, to show what n8n does to it. */
const SHARED_HEADERS: Record<string, string> = { ...FORM };

class EchoNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Echo',
		name: 'harnessEcho',
		group: ['transform'],
		version: 1,
		description: 'Calls the fake API',
		defaults: { name: 'Echo' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'harnessHeaderApi',
				required: true,
				displayOptions: { show: { authentication: ['header'] } },
			},
			{
				name: 'harnessFormApi',
				required: true,
				displayOptions: { show: { authentication: ['form'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Header', value: 'header' },
					{ name: 'Form', value: 'form' },
				],
				default: 'header',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Get', value: 'get' },
					{ name: 'Transform', value: 'transform' },
					{ name: 'Slow', value: 'slow' },
					{ name: 'Inspect', value: 'inspect' },
				],
				default: 'get',
			},
			{ displayName: 'Item ID', name: 'itemId', type: 'string', default: '' },
			{ displayName: 'Body Style', name: 'bodyStyle', type: 'string', default: 'string' },
		],
	};

	methods = {
		listSearch: {
			async searchNames(
				this: ILoadOptionsFunctions,
				filter?: string,
			): Promise<INodeListSearchResult> {
				const credentials = await this.getCredentials('harnessHeaderApi');
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					'harnessHeaderApi',
					{
						method: 'GET',
						url: `${credentials.baseUrl as string}/search`,
						qs: { q: filter ?? '' },
						json: true,
					},
				)) as { results: Array<{ name: string; value: string }> };
				return { results: response.results };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const type =
			this.getNodeParameter('authentication', 0) === 'form' ? 'harnessFormApi' : 'harnessHeaderApi';
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				// The node reads the credential itself and hands it to n8n's request helper.
				const data = await this.getCredentials(type, i);
				const credentialsDecrypted = { id: 'x', name: 'x', type, data };
				const request = async (options: IHttpRequestOptions) =>
					await this.helpers.httpRequestWithAuthentication.call(this, type, options, {
						credentialsDecrypted,
					});
				this.logger.debug('harness echo calls the API', { operation, item: i });

				if (operation === 'get') {
					const id = this.getNodeParameter('itemId', i) as string;
					const response = (await request({
						method: 'POST',
						url: `${data.baseUrl as string}/items`,
						headers:
							this.getNodeParameter('bodyStyle', i) === 'sharedHeaders'
								? SHARED_HEADERS
								: { ...FORM },
						body: `id=${encodeURIComponent(id)}`,
						json: true,
					})) as IDataObject;
					out.push(
						...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(response), {
							itemData: { item: i },
						}),
					);
				} else if (operation === 'transform') {
					const binary = this.helpers.assertBinaryData(i, 'data');
					const upload = binary.id
						? await this.helpers.getBinaryStream(binary.id, 64 * 1024)
						: Buffer.from(binary.data, 'base64');
					const size = binary.id
						? (await this.helpers.getBinaryMetadata(binary.id)).fileSize
						: (upload as Buffer).length;
					const response = (await request({
						method: 'POST',
						url: `${data.baseUrl as string}/transform`,
						headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
						body: upload,
						encoding: 'stream',
						returnFullResponse: true,
					})) as { body: Readable; headers: IDataObject };
					const stored = await this.helpers.prepareBinaryData(
						response.body,
						'shout.txt',
						'text/plain',
					);
					out.push({
						json: { sha256: response.headers['x-sha256'] },
						binary: { data: stored },
						pairedItem: { item: i },
					});
				} else if (operation === 'slow') {
					await request({
						method: 'POST',
						url: `${data.baseUrl as string}/slow`,
						timeout: 100,
						json: true,
					});
				} else if (operation === 'inspect') {
					const style = this.getNodeParameter('bodyStyle', i) as string;
					const fields = { a: '1', b: 'x y&z' };
					const bodies: Record<string, Partial<IHttpRequestOptions>> = {
						string: { headers: FORM, body: new URLSearchParams(fields).toString() },
						object: { headers: FORM, body: fields },
						urlSearchParams: { body: new URLSearchParams(fields) },
						objectNoHeader: { body: fields },
						stringNoHeader: { body: new URLSearchParams(fields).toString() },
					};
					const response = (await this.helpers.httpRequest({
						method: 'POST',
						url: `${data.baseUrl as string}/inspect`,
						json: true,
						...bodies[style],
					} as IHttpRequestOptions)) as IDataObject;
					out.push({ json: response, pairedItem: { item: i } });
				} else {
					throw new NodeOperationError(this.getNode(), `Unknown operation ${operation}`, {
						itemIndex: i,
					});
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** A polling trigger keeping its cursor in the node's static data. */
class PollerNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Poller',
		name: 'harnessPoller',
		group: ['trigger'],
		version: 1,
		description: 'Polls the fake API',
		defaults: { name: 'Poller' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'harnessHeaderApi', required: true }],
		properties: [],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const state = this.getWorkflowStaticData('node');
		const credentials = await this.getCredentials('harnessHeaderApi');
		const since = this.getMode() === 'manual' ? 0 : Number(state.lastId ?? 0);
		const response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			'harnessHeaderApi',
			{
				method: 'GET',
				url: `${credentials.baseUrl as string}/events`,
				qs: { since },
				json: true,
			},
		)) as { events: Array<{ id: number }> };
		if (this.getMode() === 'manual')
			return [this.helpers.returnJsonArray(response.events.slice(0, 1))];
		if (state.lastId === undefined) {
			state.lastId = Math.max(0, ...response.events.map((e) => e.id));
			return null;
		}
		if (response.events.length === 0) return null;
		state.lastId = Math.max(...response.events.map((e) => e.id));
		return [this.helpers.returnJsonArray(response.events)];
	}
}

// ---------------------------------------------------------------------------------------------

const api = new FakeApi();

beforeAll(async () => await api.start());
afterAll(async () => await api.stop());

function newEngine(
	binaryMode: BinaryMode = 'filesystem',
	expressionEngine: 'legacy' | 'quickjs' = 'legacy',
) {
	return new Engine({
		nodeTypes: { 'CUSTOM.harnessEcho': new EchoNode(), 'CUSTOM.harnessPoller': new PollerNode() },
		credentialTypes: [new HeaderTokenApi(), new FormTokenApi()],
		binaryMode,
		expressionEngine,
	});
}

function credentialData(key = 'good-key'): ICredentialDataDecryptedObject {
	return { baseUrl: api.url, key, accessToken: '' };
}

describe('Engine running a node in n8n-core', () => {
	let engine: Engine;

	beforeEach(async () => {
		api.tokenRequests = 0;
		api.always401 = false;
		api.seen.length = 0;
		api.expireTokens();
		engine = newEngine();
		await engine.init();
	});

	afterEach(async () => await engine.close());

	it('keeps n8n files in a temporary user folder and removes it on close', async () => {
		const homeHadN8n = existsSync(path.join(homedir(), '.n8n'));
		const folder = engine.userFolder;
		expect(folder.startsWith(tmpdir())).toBe(true);
		expect(process.env.N8N_USER_FOLDER).toBe(folder);
		// n8n-core's InstanceSettings wrote its settings (encryption key) there.
		expect(existsSync(path.join(folder, '.n8n', 'config'))).toBe(true);
		await engine.close();
		expect(existsSync(folder)).toBe(false);
		expect(existsSync(path.join(homedir(), '.n8n'))).toBe(homeHadN8n);
		engine = newEngine();
		await engine.init();
	});

	it('resolves parameters per item, pairs items, fetches one token, saves it and reuses it', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { operation: 'get', itemId: '={{ $json.id }}' },
			credentials: { harnessHeaderApi: cred },
		};
		const first = await engine.run({
			node,
			items: [{ json: { id: 1 } }, { json: { id: 2 } }, { json: { id: 3 } }],
		});

		expect(first.error).toBeUndefined();
		expect(first.items.map((i) => i.json)).toEqual([
			{ id: '1', name: 'Item 1' },
			{ id: '2', name: 'Item 2' },
			{ id: '3', name: 'Item 3' },
		]);
		expect(first.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		// One /auth for three items: item 2 and 3 re-read the credential and found the saved token.
		expect(api.tokenRequests).toBe(1);
		expect(engine.credentials.saves).toBe(1);
		expect(engine.credentials.get(cred.id).accessToken).toBe('tok-1');
		expect(api.seen.filter((r) => r.path === '/items').map((r) => r.authorization)).toEqual([
			'Bearer tok-1',
			'Bearer tok-1',
			'Bearer tok-1',
		]);

		const second = await engine.run({ node, items: [{ json: { id: 4 } }] });
		expect(second.items[0].json).toEqual({ id: '4', name: 'Item 4' });
		expect(api.tokenRequests).toBe(1);
		expect(engine.credentials.saves).toBe(1);
		// Secrets must not reach the logs; n8n's own debug lines and the node's do.
		expect(engine.logs.some((line) => line.includes('harness echo calls the API'))).toBe(true);
		expect(engine.logs.join('\n')).not.toContain('good-key');
	});

	it('stops on an API error with a NodeApiError, or emits error items with continueOnFail', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { operation: 'get', itemId: '={{ $json.id }}' },
			credentials: { harnessHeaderApi: cred },
		};
		const items = [{ json: { id: 1 } }, { json: { id: 'missing' } }, { json: { id: 3 } }];

		const failed = await engine.run({ node, items });
		// n8n records a plain copy of the NodeApiError: its message is n8n's text for the status
		// code, the server's own message becomes the description.
		expect(failed.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '404',
			message: 'The resource you are requesting could not be found',
			description: 'No item "missing" here',
			messages: ['Request failed with status code 404'],
		});
		expect(failed.items).toEqual([]);
		expect(failed.run.status).toBe('error');

		const continued = await engine.run({ node, items, onError: 'continueRegularOutput' });
		expect(continued.error).toBeUndefined();
		expect(continued.items).toHaveLength(3);
		expect(continued.items[1].json.error).toEqual(expect.any(String));
		expect(continued.items[1].pairedItem).toEqual({ item: 1 });
		expect(continued.items[2].json).toEqual({ id: '3', name: 'Item 3' });

		// "On error: continue (using error output)": n8n moves the error items to a second output.
		const split = await engine.run({ node, items, onError: 'continueErrorOutput' });
		expect(split.outputs).toHaveLength(2);
		expect(split.outputs[0].map((i) => i.json.id)).toEqual(['1', '3']);
		expect(split.outputs[1].map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
	});

	it('runs preAuthentication again once after a 401, saves the new token and retries', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { operation: 'get', itemId: '7' },
			credentials: { harnessHeaderApi: cred },
		};
		await engine.run({ node });
		expect(engine.credentials.get(cred.id).accessToken).toBe('tok-1');

		api.expireTokens();
		const refreshed = await engine.run({ node });
		expect(refreshed.error).toBeUndefined();
		expect(refreshed.items[0].json).toEqual({ id: '7', name: 'Item 7' });
		expect(api.tokenRequests).toBe(2);
		expect(engine.credentials.saves).toBe(2);
		expect(engine.credentials.get(cred.id).accessToken).toBe('tok-2');
		expect(api.seen.filter((r) => r.path === '/items').map((r) => r.authorization)).toEqual([
			'Bearer tok-1',
			'Bearer tok-1',
			'Bearer tok-2',
		]);

		// A server that keeps answering 401: n8n refreshes once, retries once, then fails.
		api.always401 = true;
		const before = api.tokenRequests;
		const failed = await engine.run({ node });
		expect(api.tokenRequests).toBe(before + 1);
		expect(failed.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '401',
			message: 'Authorization failed - please check your credentials',
			description: 'Token expired',
		});
	});

	it('with a function authenticate on a string body, the 401 retry appends the new token to the old one', async () => {
		const cred = engine.credentials.add('harnessFormApi', 'Form account', credentialData());
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { authentication: 'form', operation: 'get', itemId: '5' },
			credentials: { harnessFormApi: cred },
		};
		await engine.run({ node });
		api.expireTokens();
		const result = await engine.run({ node });
		expect(result.error).toBeUndefined();
		const bodies = api.seen.filter((r) => r.path === '/items').map((r) => r.body);
		expect(bodies).toEqual([
			'id=5&access_token=tok-1',
			'id=5&access_token=tok-1',
			'id=5&access_token=tok-1&access_token=tok-2',
		]);
	});

	it('reports a failing preAuthentication as a NodeApiError carrying the thrown message', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Bad key', credentialData('bad-key'));
		const result = await engine.run({
			node: {
				type: 'CUSTOM.harnessEcho',
				parameters: { operation: 'get', itemId: '1' },
				credentials: { harnessHeaderApi: cred },
			},
		});
		expect(result.error).toMatchObject({ name: 'NodeApiError', message: 'Key refused by server' });
		expect(engine.credentials.saves).toBe(0);
	});

	it("lets n8n's generic authenticate write into the headers object the node passed", async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const result = await engine.run({
			node: {
				type: 'CUSTOM.harnessEcho',
				parameters: { operation: 'get', itemId: '1', bodyStyle: 'sharedHeaders' },
				credentials: { harnessHeaderApi: cred },
			},
		});
		expect(result.error).toBeUndefined();
		// A module-level constant reused for every request now carries this credential's token.
		expect(SHARED_HEADERS).toEqual({ ...FORM, Authorization: 'Bearer tok-1' });
	});

	it('runs executions in parallel against one credential store', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { operation: 'get', itemId: '={{ $json.id }}' },
			credentials: { harnessHeaderApi: cred },
		};
		await engine.run({ node });
		const runs = await Promise.all(
			[1, 2, 3, 4].map(
				async (n) =>
					await engine.run({ node, items: [{ json: { id: n } }, { json: { id: n * 10 } }] }),
			),
		);
		expect(runs.map((r) => r.items.map((i) => i.json.id))).toEqual([
			['1', '10'],
			['2', '20'],
			['3', '30'],
			['4', '40'],
		]);
		expect(new Set(runs.map((r) => r.executionId)).size).toBe(4);
		expect(api.tokenRequests).toBe(1);

		// Both may meet the dead token and refresh it (as two n8n executions would): each ends
		// with a working token either way.
		api.expireTokens();
		const refreshed = await Promise.all([engine.run({ node }), engine.run({ node })]);
		expect(refreshed.map((r) => r.error)).toEqual([undefined, undefined]);
		expect([2, 3]).toContain(api.tokenRequests);
		expect(engine.credentials.get(cred.id).accessToken).toBe(`tok-${api.tokenRequests}`);
	});

	it('shows how request bodies are sent by httpRequest', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const styles = ['string', 'object', 'urlSearchParams', 'objectNoHeader', 'stringNoHeader'];
		const result = await engine.run({
			node: {
				type: 'CUSTOM.harnessEcho',
				parameters: { operation: 'inspect', bodyStyle: '={{ $json.style }}' },
				credentials: { harnessHeaderApi: cred },
			},
			items: styles.map((style) => ({ json: { style } })),
		});
		const seen = Object.fromEntries(styles.map((style, i) => [style, result.items[i].json]));
		const form = { contentType: 'application/x-www-form-urlencoded', body: 'a=1&b=x+y%26z' };
		expect(seen.string).toEqual(form);
		expect(seen.object).toEqual(form);
		expect(seen.urlSearchParams).toEqual(form);
		expect(seen.objectNoHeader).toEqual({
			contentType: 'application/json',
			body: '{"a":"1","b":"x y&z"}',
		});
		expect(seen.stringNoHeader).toEqual({
			contentType: 'application/x-www-form-urlencoded',
			body: 'a=1&b=x+y%26z',
		});
	});

	it('turns a request timeout into a NodeApiError with code ECONNABORTED', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const result = await engine.run({
			node: {
				type: 'CUSTOM.harnessEcho',
				parameters: { operation: 'slow' },
				credentials: { harnessHeaderApi: cred },
			},
		});
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: 'ECONNABORTED',
			message: 'The connection was aborted, perhaps the server is offline',
			messages: ['timeout of 100ms exceeded', 'timeout of 100ms exceeded'],
		});
	});

	it('tests a credential like the editor: OK, a refused token, and the server message of a failed login', async () => {
		const ok = await engine.testCredential('harnessHeaderApi', credentialData());
		expect(ok).toMatchObject({ status: 'OK', message: 'Connection successful!' });
		// The test ran preAuthentication and n8n saved the token with the credential.
		expect(engine.credentials.get(ok.credential.id).accessToken).toBe('tok-1');

		// A credential test always fetches a fresh token, even when one is stored.
		const again = await engine.testCredential('harnessHeaderApi', ok.credential);
		expect(again.status).toBe('OK');
		expect(api.tokenRequests).toBe(2);

		const refused = await engine.testCredential('harnessHeaderApi', credentialData('bad-key'));
		// What preAuthentication threw reaches the editor word for word.
		expect(refused).toMatchObject({ status: 'Error', message: 'Key refused by server' });
	});

	it('applies responseSuccessBody rules to a 200 answer carrying an error', async () => {
		const ref = engine.credentials.add('harnessHeaderApi', 'Stale', {
			...credentialData(),
			accessToken: 'stale',
		});
		const result = await engine.testCredential('harnessHeaderApi', ref);
		// preAuthentication runs in test mode and replaces the stale token, so the test passes…
		expect(result.status).toBe('OK');
		// …and a server refusing every token trips the rule.
		api.always401 = true;
		const refused = await engine.testCredential('harnessHeaderApi', ref);
		expect(refused).toMatchObject({ status: 'Error', message: 'The server refused the token' });
	});

	it('runs a listSearch method with credentials', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const result = await engine.listSearch({
			node: { type: 'CUSTOM.harnessEcho', credentials: { harnessHeaderApi: cred } },
			method: 'searchNames',
			filter: 'a',
		});
		expect(result.results.map((r) => r.name)).toEqual(['alpha', 'beta', 'gamma']);
	});

	it('polls with n8n-core PollContext and keeps the cursor in static data', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const node = { type: 'CUSTOM.harnessPoller', credentials: { harnessHeaderApi: cred } };

		const manual = await engine.poll({ node, mode: 'manual' });
		expect(manual.items?.[0].map((i) => i.json)).toEqual([{ id: 1 }]);
		expect(manual.staticDataChanged).toBe(false);

		const seeded = await engine.poll({ node });
		expect(seeded.items).toBeNull();
		expect(seeded.nodeStaticData).toEqual({ lastId: 3 });
		expect(seeded.staticDataChanged).toBe(true);

		const nothingNew = await engine.poll({ node, staticData: seeded.staticData });
		expect(nothingNew.items).toBeNull();
		expect(nothingNew.staticDataChanged).toBe(false);

		const rewound = await engine.poll({ node, staticData: { 'node:Poller': { lastId: 1 } } });
		expect(rewound.items?.[0].map((i) => i.json)).toEqual([{ id: 2 }, { id: 3 }]);
		expect(rewound.nodeStaticData).toEqual({ lastId: 3 });
	});
});

describe.each<BinaryMode>(['filesystem', 'default'])('binary data in %s mode', (mode) => {
	let engine: Engine;

	beforeAll(async () => {
		engine = newEngine(mode);
		await engine.init();
	});

	afterAll(async () => await engine.close());

	it('reads an input binary as a stream and stores the streamed answer as output binary', async () => {
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		const text = 'hello binary world '.repeat(5000);
		const input = await engine.binaryItem(Buffer.from(text), {
			fileName: 'in.txt',
			mimeType: 'text/plain',
			json: { n: 1 },
		});
		const fromStream = await engine.binaryItem(Readable.from([Buffer.from('from a stream')]), {
			fileName: 'stream.txt',
			mimeType: 'text/plain',
		});
		const filePath = path.join(engine.userFolder, 'on-disk.txt');
		await writeFile(filePath, 'from a file');
		const fromFile = await engine.binaryItem(filePath);
		expect(fromFile.binary?.data).toMatchObject({
			fileName: 'on-disk.txt',
			mimeType: 'text/plain',
		});
		if (mode === 'filesystem') {
			expect(input.binary?.data.id).toMatch(/^filesystem-v2:/);
			expect(existsSync(path.join(engine.userFolder, '.n8n', 'storage'))).toBe(true);
		} else {
			expect(input.binary?.data.id).toBeUndefined();
			expect(Buffer.from(input.binary!.data.data, 'base64').toString()).toBe(text);
		}

		const result = await engine.run({
			node: {
				type: 'CUSTOM.harnessEcho',
				parameters: { operation: 'transform' },
				credentials: { harnessHeaderApi: cred },
			},
			items: [input, fromStream, fromFile],
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		const out = result.items[0];
		expect(out.json.sha256).toBe(createHash('sha256').update(text).digest('hex'));
		expect(out.binary?.data).toMatchObject({ fileName: 'shout.txt', mimeType: 'text/plain' });
		expect(Boolean(out.binary?.data.id)).toBe(mode === 'filesystem');
		expect((await engine.binaryBuffer(out)).toString()).toBe(text.toUpperCase());
		expect((await engine.binaryBuffer(result.items[1])).toString()).toBe('FROM A STREAM');
		expect((await engine.binaryBuffer(result.items[2])).toString()).toBe('FROM A FILE');
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

/** n8n's expression runtime is loaded with import(), which Jest only allows with VM modules. */
const vmModules = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes(
	'--experimental-vm-modules',
);

describe('expressions on the sandboxed (quickjs) engine', () => {
	if (!vmModules) {
		it('explains how to enable it when Node runs without --experimental-vm-modules', async () => {
			const engine = newEngine('default', 'quickjs');
			await expect(engine.init()).rejects.toThrow(/NODE_OPTIONS=--experimental-vm-modules/);
			// The failed init left nothing open: another engine starts normally.
			const next = newEngine();
			await next.init();
			expect(next.activeExpressionEngine).toBe('legacy');
			await next.close();
		});
		return;
	}

	let engine: Engine;

	beforeAll(async () => {
		engine = newEngine('default', 'quickjs');
		await engine.init();
	});

	afterAll(async () => await engine.close());

	it('resolves item expressions and the generic authenticate template, also in parallel runs', async () => {
		expect(engine.activeExpressionEngine).toBe('quickjs');
		const cred = engine.credentials.add('harnessHeaderApi', 'Header account', credentialData());
		api.seen.length = 0;
		const node = {
			type: 'CUSTOM.harnessEcho',
			parameters: { operation: 'get', itemId: '={{ $json.id * 2 }}' },
			credentials: { harnessHeaderApi: cred },
		};
		const result = await engine.run({ node, items: [{ json: { id: 21 } }] });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ id: '42', name: 'Item 42' });
		expect(api.seen.find((r) => r.path === '/items')?.authorization).toMatch(/^Bearer tok-\d+$/);

		const runs = await Promise.all(
			[1, 2, 3].map(async (id) => await engine.run({ node, items: [{ json: { id } }] })),
		);
		expect(runs.map((r) => r.items[0]?.json.id)).toEqual(['2', '4', '6']);
	});
});
