/**
 * A stand-in for a site running the File Upload Script (YetiShare) API v2, on loopback: the 18
 * endpoints with the real answers' shapes and messages, sessions, uploads streamed to disk,
 * downloads, background URL uploads, a request log, and faults a proxy or network would cause.
 * The package's tests run against it, and `npm run sandbox` lets people try the package
 * without an account anywhere.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import http, { type IncomingMessage, type ServerResponse } from 'http';
import https from 'https';
import type { AddressInfo, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import {
	ApiError,
	ENDPOINT_CLASSES,
	MESSAGES,
	endpointName,
	type ApiAnswer,
	type ApiCall,
	type Site,
} from './api';
import { siteClock } from './clock';
import { sendFile } from './download';
import {
	drain,
	exceedsBodyLimit,
	parseQuery,
	readForm,
	readIgnoredBody,
	type FormResult,
	type SizeLimits,
} from './forms';
import { clientBase, isFrontCall, newFrontSecret, readFront, throughFront } from './front';
import {
	APACHE_NOT_FOUND,
	DOWNLOAD_REFUSED,
	FILE_REMOVED,
	INTERNAL_ERROR,
	PARKED_DOMAIN,
	TOO_LARGE,
	fileInfoPage,
	folderPage,
	homePage,
	proxyErrorPage,
} from './pages';
import { cleanInput, phpJsonEncode, sqlDateTime } from './php';
import { Sessions } from './sessions';
import { Store, loadFixture } from './store';
import type {
	AddFileInput,
	AddFolderInput,
	DemoAccount,
	FaultMatch,
	RestrictedAccount,
	RuntimeSettings,
	SandboxFault,
	SandboxFile,
	SandboxFolder,
	SandboxLogEntry,
	SandboxOptions,
	SandboxState,
} from './types';
import { Link } from './link';
import { Workers } from './workers';
import { UrlUploads } from './url-upload';

export * from './types';
export { MESSAGES } from './api';

const DEFAULT_SETTINGS: RuntimeSettings = {
	scriptVersion: 5,
	revision: 'newer',
	authMode: 'keys',
	tokenIdleSeconds: 3600,
	urlUploadDelayMs: 0,
	urlUploadTimeoutMs: 30000,
	notFound: 'html',
	latencyMs: 0,
	latencyJitterMs: 0,
	workers: 0,
	workMs: 0,
	bandwidthBytesPerSecond: 0,
	fields: 'full',
	listingPasswords: false,
	postMaxSize: 0,
	uploadMaxFilesize: 0,
	bodyLimit: 0,
};

const RUNTIME_KEYS = Object.keys(DEFAULT_SETTINGS) as Array<keyof RuntimeSettings>;

interface ActiveFault {
	endpoint?: string;
	remaining: number;
	fault: SandboxFault;
	every: number;
	/** Matching requests seen so far, counted from -after. */
	seen: number;
}

/** What every answer of the API carries (the script sets these in its base class). */
const API_HEADERS = {
	'Content-Type': 'application/json',
	// Sic: the script's own header name.
	'Access-Control-Allow-Orgin': '*',
	'Access-Control-Allow-Methods': '*',
};

export class SandboxServer {
	/** One entry per HTTP request, in arrival order; entries are completed when answered. */
	readonly log: SandboxLogEntry[] = [];
	/**
	 * What the web stack in front of the sandbox (web-stack.ts) marks its requests with: an API
	 * call carrying it comes from front.php with what real PHP parsed, and any request carrying it
	 * is answered with links to the address the client used (nginx's), not the sandbox's.
	 */
	readonly frontSecret = newFrontSecret();

	private settings: RuntimeSettings;
	private readonly initialSettings: RuntimeSettings;
	private readonly host: string;
	private readonly tls: SandboxOptions['tls'];
	private readonly port: number;
	private readonly storageDir: string;
	private readonly ownsStorage: boolean;
	private readonly store: Store;
	private readonly sessions: Sessions;
	private readonly urlUploads: UrlUploads;
	private readonly site: Site;
	private server?: http.Server;
	private readonly sockets = new Set<Socket>();
	private url = '';
	private faults: ActiveFault[] = [];
	/** The site's link for file bytes, each way (see bandwidthBytesPerSecond). */
	private readonly uplink = new Link(() => this.settings.bandwidthBytesPerSecond);
	private readonly downlink = new Link(() => this.settings.bandwidthBytesPerSecond);
	/** The site's PHP workers (see workers). */
	private readonly workers = new Workers(() => this.settings.workers);
	private gates: Array<{
		endpoint: string;
		arrivals: number;
		by: string;
		seen: Set<string>;
		waiting: Array<() => void>;
	}> = [];

	constructor(options: SandboxOptions = {}) {
		this.initialSettings = validateSettings({ ...DEFAULT_SETTINGS, ...pickRuntime(options) });
		this.settings = { ...this.initialSettings };
		this.host = options.host ?? '127.0.0.1';
		this.tls = options.tls;
		this.port = options.port ?? 0;
		this.ownsStorage = options.storageDir === undefined;
		this.storageDir = options.storageDir ?? mkdtempSync(join(tmpdir(), 'yetishare-sandbox-'));
		this.store = new Store(loadFixture(options.fixture), join(this.storageDir, 'files'));
		this.sessions = new Sessions(this.store, () => this.settings.tokenIdleSeconds);
		this.urlUploads = new UrlUploads(this.store);
		const server = this;
		this.site = {
			store: this.store,
			sessions: this.sessions,
			urlUploads: this.urlUploads,
			get settings() {
				return server.settings;
			},
			get baseUrl() {
				return server.baseUrl;
			},
		};
		this.store.reseed();
	}

	/** e.g. 'http://127.0.0.1:41234'; empty until start(). */
	get baseUrl(): string {
		return this.url;
	}

	/** `${baseUrl}/api/v2` */
	get apiUrl(): string {
		return `${this.url}/api/v2`;
	}

	/** Where uploaded bytes are kept (the fixture's and the run's files are under `files/`). */
	get storagePath(): string {
		return this.storageDir;
	}

	get state(): SandboxState {
		return this.store.state;
	}

	get demoAccount(): DemoAccount {
		const { id, username, password, key1, key2 } = this.requireAccount(this.store.demoAccountId);
		return { id, username, password, key1, key2 };
	}

	/** An account whose level may not use the API: /authorize refuses it with `apiRefusal`. */
	get restrictedAccount(): RestrictedAccount {
		const { id, username, password, key1, key2 } = this.requireAccount(
			this.store.restrictedAccountId,
		);
		return { id, username, password, key1, key2, apiRefusal: MESSAGES.apiRefused };
	}

	/** The options in force now (after configure()). */
	get options(): Readonly<RuntimeSettings> {
		return { ...this.settings };
	}

	async start(): Promise<string> {
		if (this.server) return this.url;
		// After stop() removed the storage: bring the fixture's bytes back.
		if (!existsSync(this.store.filesDir)) this.store.reseed();
		const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
		const tls =
			this.tls === 'self-signed'
				? {
						key: readFileSync(join(__dirname, 'tls/self-signed.key')),
						cert: readFileSync(join(__dirname, 'tls/self-signed.crt')),
					}
				: this.tls;
		const server = tls
			? (https.createServer(tls, handler) as unknown as http.Server)
			: http.createServer(handler);
		// Large uploads over slow links must not be cut by Node's default request timeout.
		server.requestTimeout = 0;
		server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		server.on('clientError', (_error, socket) => socket.destroy());
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.port, this.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		const { port } = server.address() as AddressInfo;
		this.server = server;
		this.url = `${tls ? 'https' : 'http'}://${displayHost(this.host)}:${port}`;
		return this.url;
	}

	/** Closes the server, drops open connections, stops URL uploads, removes the temporary storage. */
	async stop(): Promise<void> {
		this.urlUploads.stopAll();
		this.openGates();
		const server = this.server;
		this.server = undefined;
		if (server) {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of this.sockets) socket.destroy();
			server.closeAllConnections();
			await closed;
		}
		this.url = '';
		if (this.ownsStorage) rmSync(this.storageDir, { recursive: true, force: true });
	}

	/**
	 * Changes how the site behaves from the next request on. `fixture` takes effect at the next
	 * reset(); host, port and storageDir are fixed at construction and ignored here.
	 */
	configure(partial: Partial<SandboxOptions>): void {
		this.settings = validateSettings({ ...this.settings, ...pickRuntime(partial) });
		if (partial.fixture !== undefined) this.store.setFixture(loadFixture(partial.fixture));
	}

	/**
	 * Back to the start: state reseeded from the fixture (uploads of the run deleted), tokens,
	 * log and faults cleared, URL uploads stopped, and the options given to the constructor
	 * restored (undoing configure()).
	 */
	reset(): void {
		this.urlUploads.stopAll();
		this.store.reseed();
		this.sessions.clearCountdown();
		this.sessions.kills = 0;
		this.faults = [];
		this.openGates();
		this.log.length = 0;
		this.settings = { ...this.initialSettings };
	}

	/**
	 * The most requests (of `endpoint`, or all) the site was handling at one moment: how many a
	 * client had in flight. Requests not ended yet count as still open; with `since` (ms since the
	 * epoch), only requests that arrived from then on count.
	 */
	peakInFlight(endpoint?: string, since = 0): number {
		return this.peakOpen(endpoint, since, (entry) => entry.at);
	}

	/** As peakInFlight, but counting API calls from when a worker took them: how many the site's workers served at once. */
	peakServed(endpoint?: string, since = 0): number {
		return this.peakOpen(endpoint, since, (entry) => entry.servedAt);
	}

	private peakOpen(
		endpoint: string | undefined,
		since: number,
		opened: (entry: SandboxLogEntry) => number | undefined,
	): number {
		const wanted = endpoint === undefined ? undefined : normalizeEndpoint(endpoint);
		const edges = this.log
			.filter(
				(entry) =>
					(wanted === undefined || entry.endpoint === wanted) &&
					entry.at >= since &&
					opened(entry) !== undefined,
			)
			.flatMap((entry) => [
				{ at: opened(entry)!, step: 1 },
				{ at: entry.endedAt ?? Infinity, step: -1 },
			])
			// at the same moment, an end before a start: back to back is not at once
			.sort((a, b) => a.at - b.at || a.step - b.step);
		let open = 0;
		let peak = 0;
		for (const edge of edges) peak = Math.max(peak, (open += edge.step));
		return peak;
	}

	/** How many logged requests hit this endpoint ('authorize', 'folder/info'…; 'download' counts downloads). */
	count(endpoint: string): number {
		const wanted = normalizeEndpoint(endpoint);
		return this.log.filter(
			(entry) => entry.endpoint === wanted || (wanted === 'download' && entry.kind === 'download'),
		).length;
	}

	clearLog(): void {
		this.log.length = 0;
	}

	addFolder(accountId: string | number, input: AddFolderInput): SandboxFolder {
		return this.store.addFolder(String(accountId), input);
	}

	addFile(accountId: string | number, input: AddFileInput): SandboxFile {
		return this.store.addFile(String(accountId), input);
	}

	/**
	 * Adds a big tree to an account (see Store.seedTree): e.g. 2,000 folders five levels deep and
	 * 100,000 files, in a second or two. Returns the new folders, level by level. reset() removes it.
	 */
	seedTree(
		accountId: string | number,
		size: { folders: number; depth: number; files: number; parentId?: string },
	): SandboxFolder[][] {
		return this.store.seedTree(String(accountId), size);
	}

	/** Every live token (of one account, or all) dies now, as if it had expired. */
	killTokens(accountId?: string | number): void {
		this.sessions.killAfter(0, accountId === undefined ? undefined : String(accountId));
	}

	/** Tokens die right after the next `calls` requests that present a valid one (a token expiring mid-run). */
	killTokensAfter(calls: number, accountId?: string | number): void {
		this.sessions.killAfter(calls, accountId === undefined ? undefined : String(accountId));
	}

	/** Every live token dies after each `calls` requests that present a valid one, again and again. */
	killTokensEvery(calls: number, accountId?: string | number): void {
		if (!Number.isInteger(calls) || calls < 1)
			throw new Error(
				`killTokensEvery(): calls must be a whole number of at least 1, not ${calls}`,
			);
		this.sessions.killAfter(calls, accountId === undefined ? undefined : String(accountId), true);
	}

	/** Ends killTokensAfter/killTokensEvery without killing anything. */
	keepTokens(): void {
		this.sessions.clearCountdown();
	}

	/** How many times tokens were killed by killTokensAfter/killTokensEvery so far. */
	get tokenKills(): number {
		return this.sessions.kills;
	}

	/** The next matching requests (`times`, default 1) meet this fault instead of the site. */
	fail(match: FaultMatch, fault: SandboxFault): void {
		const times = match.times ?? 1;
		if (!Number.isInteger(times) || times < 1)
			throw new Error(`fail(): times must be a whole number of at least 1, not ${times}`);
		if (
			'status' in fault &&
			(!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599)
		) {
			throw new Error(`fail(): status must be an HTTP status code, not ${fault.status}`);
		}
		if ('slowMs' in fault && (!Number.isFinite(fault.slowMs) || fault.slowMs < 0)) {
			throw new Error(`fail(): slowMs must be a number of milliseconds, not ${fault.slowMs}`);
		}
		if (
			'cutAfterBytes' in fault &&
			(!Number.isInteger(fault.cutAfterBytes) || fault.cutAfterBytes < 0)
		) {
			throw new Error(
				`fail(): cutAfterBytes must be a whole number of bytes, not ${fault.cutAfterBytes}`,
			);
		}
		const every = match.every ?? 1;
		if (!Number.isInteger(every) || every < 1)
			throw new Error(`fail(): every must be a whole number of at least 1, not ${every}`);
		const after = match.after ?? 0;
		if (!Number.isInteger(after) || after < 0)
			throw new Error(`fail(): after must be a whole number of at least 0, not ${after}`);
		this.faults.push({
			endpoint: match.endpoint === undefined ? undefined : normalizeEndpoint(match.endpoint),
			remaining: times,
			fault,
			every,
			seen: -after,
		});
	}

	clearFaults(): void {
		this.faults = [];
	}

	/**
	 * The next calls of `endpoint` wait until calls with `arrivals` different values of the form
	 * field `by` are there, then all go on at once: clients started apart (separate n8n processes,
	 * each asking for its own folder, say) meet the site together. A client that tries again while
	 * it waits is held too.
	 */
	gate(endpoint: string, arrivals: number, by: string): void {
		if (!Number.isInteger(arrivals) || arrivals < 2)
			throw new Error(`gate(): arrivals must be a whole number of at least 2, not ${arrivals}`);
		this.gates.push({
			endpoint: normalizeEndpoint(endpoint),
			arrivals,
			by,
			seen: new Set(),
			waiting: [],
		});
	}

	private async passGate(endpoint: string, params: Record<string, string>): Promise<void> {
		const gate = this.gates.find((candidate) => candidate.endpoint === endpoint);
		if (!gate) return;
		gate.seen.add(params[gate.by] ?? '');
		if (gate.seen.size < gate.arrivals) {
			await new Promise<void>((resolve) => gate.waiting.push(resolve));
			return;
		}
		this.gates.splice(this.gates.indexOf(gate), 1);
		for (const release of gate.waiting) release();
	}

	private openGates(): void {
		for (const gate of this.gates.splice(0)) for (const release of gate.waiting) release();
	}

	private requireAccount(id: string) {
		const account = this.store.account(id);
		if (!account) throw new Error(`The fixture has no account ${id}`);
		return account;
	}

	/** The first fault for this request, used up by it. Faults without an endpoint hit API calls only. */
	private takeFault(endpoint: string, kind: 'api' | 'download'): SandboxFault | undefined {
		const index = this.faults.findIndex((candidate) =>
			candidate.endpoint === undefined
				? kind === 'api'
				: candidate.endpoint === (kind === 'download' ? 'download' : endpoint),
		);
		if (index < 0) return undefined;
		const active = this.faults[index];
		// With `after`, the first requests pass untouched; with `every`, the ones in between.
		const seen = active.seen++;
		if (seen < 0 || seen % active.every !== active.every - 1) return undefined;
		if (--active.remaining <= 0) this.faults.splice(index, 1);
		return active.fault;
	}

	/**
	 * As takeFault; a `slowMs` fault is waited out here and the request then goes on as usual
	 * (an API call's `afterSite` one is waited out by handleApi, after the site acted).
	 */
	private async faultFor(
		endpoint: string,
		kind: 'api' | 'download',
	): Promise<SandboxFault | undefined> {
		const fault = this.takeFault(endpoint, kind);
		if (!fault || !('slowMs' in fault) || (kind === 'api' && fault.afterSite === true))
			return fault;
		await new Promise((resolve) => setTimeout(resolve, fault.slowMs));
		return undefined;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const entry: SandboxLogEntry = {
			at: siteClock.now(),
			method: req.method ?? 'GET',
			path: req.url ?? '/',
			endpoint: null,
			kind: 'page',
			params: {},
			status: 0,
			// Until answered: a client that goes away first leaves it so.
			outcome: 'closed',
		};
		this.log.push(entry);
		// Aborted requests and dead sockets must never bring the server down.
		req.on('error', () => undefined);
		res.on('error', () => undefined);
		res.on('close', () => (entry.endedAt = siteClock.now()));
		try {
			const { latencyMs, latencyJitterMs } = this.settings;
			if (latencyMs > 0 || latencyJitterMs > 0)
				await new Promise((resolve) =>
					setTimeout(resolve, latencyMs + Math.random() * latencyJitterMs),
				);
			const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
			const api = /^\/api\/v2(\/|$)/i.test(url.pathname);
			if (exceedsBodyLimit(req, this.sizeLimits(req).bodyLimit)) {
				// The web server refuses it by its Content-Length: no PHP worker, no script.
				if (api) this.nameCall(url, entry);
				await this.refuseBody(req, res, entry);
			} else if (api)
				await this.served(entry, res, async () => await this.handleApi(req, res, url, entry));
			else await this.handleSite(req, res, url, entry);
		} catch (error) {
			// A bug of the sandbox: answer like PHP dying, and say why in the log.
			entry.message = `sandbox error: ${(error as Error)?.stack ?? String(error)}`;
			if (!res.headersSent)
				this.send(res, entry, 500, 'text/html; charset=iso-8859-1', INTERNAL_ERROR, 'http-error');
			else res.socket?.destroy();
		}
	}

	/**
	 * Runs an API call on one of the site's workers, once one is free, after the script's own time.
	 * The worker stays busy until the answer has gone out (or the client went away), as PHP's does.
	 */
	private async served(
		entry: SandboxLogEntry,
		res: ServerResponse,
		handle: () => Promise<void>,
	): Promise<void> {
		const free = await this.workers.take();
		try {
			entry.servedAt = siteClock.now();
			if (this.settings.workMs > 0)
				await new Promise((resolve) => setTimeout(resolve, this.settings.workMs));
			await handle();
			if (this.settings.workers > 0 && !res.closed)
				await new Promise((resolve) => res.once('close', resolve));
		} finally {
			free();
		}
	}

	/** The script's routing: the endpoint class and action an API path names, logged as the call's endpoint. */
	private nameCall(url: URL, entry: SandboxLogEntry) {
		entry.kind = 'api';
		// The script strip_tags(), trims and lower-cases the route before splitting it.
		let route = url.pathname.replace(/^\/api\/v2/i, '');
		try {
			route = decodeURIComponent(route);
		} catch {
			// keep it encoded
		}
		route = cleanInput(route)
			.toLowerCase()
			.replace(/^\/+|\/+$/g, '');
		const parts = route === '' ? [] : route.split('/');
		const className = parts[0] ?? '';
		const action = parts[1] ?? 'index';
		const endpointClass =
			parts.length >= 1 && parts.length <= 2 && hasOwn(ENDPOINT_CLASSES, className)
				? ENDPOINT_CLASSES[className]
				: undefined;
		const actions = endpointClass ? endpointClass.actions(this.settings) : {};
		const handler = hasOwn(actions, action) ? actions[action] : undefined;
		const endpoint = endpointClass ? endpointName(className, action) : route;
		entry.endpoint = endpoint;
		return { className, action, endpointClass, handler, endpoint };
	}

	private async handleApi(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		entry: SandboxLogEntry,
	): Promise<void> {
		const { className, action, endpointClass, handler, endpoint } = this.nameCall(url, entry);

		const fault = await this.faultFor(endpoint, 'api');
		const afterSite =
			fault && (('afterSite' in fault && fault.afterSite === true) || 'actsAfterMs' in fault)
				? fault
				: undefined;
		if (fault && !('cutAfterBytes' in fault) && !afterSite) {
			await this.applyFault(req, res, url, entry, fault);
			return;
		}

		const scriptNotFound = this.settings.notFound === 'script';
		if (!endpointClass || (!handler && !scriptNotFound)) {
			await drain(req);
			if (scriptNotFound && !endpointClass) {
				this.send(
					res,
					entry,
					404,
					'application/json',
					phpJsonEncode(`No endpoint found for: ${className}`),
					'http-error',
				);
			} else {
				this.send(res, entry, 404, 'text/html; charset=iso-8859-1', APACHE_NOT_FOUND, 'http-error');
			}
			return;
		}

		if (fault && 'cutAfterBytes' in fault) {
			// Attached before the body is read, so it sees every byte.
			let seen = 0;
			entry.message = `fault: connection cut after ${fault.cutAfterBytes} bytes of the body`;
			req.on('data', (chunk: Buffer) => {
				seen += chunk.length;
				if (seen >= fault.cutAfterBytes) req.socket.destroy();
			});
		}

		const method = req.method ?? 'GET';
		const form = await this.readParams(req, url, entry.endpoint === 'file/upload');
		if (form.kind === 'aborted') {
			entry.outcome = 'closed';
			entry.message ??= 'the client closed the connection before the request was complete';
			return;
		}
		if (form.kind === 'too-large') {
			// Sent without Content-Length, the body passed the web server's limit as it arrived.
			await this.refuseBody(req, res, entry);
			return;
		}
		// PHP only fills $_GET and $_POST for those methods: anything else runs with no input,
		// after the script has already set the status to 405.
		const status = method === 'GET' || method === 'POST' ? 200 : 405;
		const params = status === 405 ? {} : cleanAll(form.fields);
		entry.params = params;
		if (form.upload) {
			const { filename, size, error } = form.upload;
			entry.upload = error ? { filename, size, error } : { filename, size };
		}

		await this.passGate(endpoint, params);
		const call: ApiCall = { params, accountId: '', upload: form.upload };
		try {
			if (endpointClass.checksToken) {
				// The endpoint classes check the token in their constructor, before the action.
				if (!params.access_token) throw new ApiError('Please provide the access_token param.');
				if (!params.account_id) throw new ApiError('Please provide the account_id param.');
				const accountId = this.sessions.validate(params.access_token, params.account_id);
				if (!accountId) throw new ApiError(MESSAGES.invalidToken);
				call.accountId = accountId;
				entry.accountId = accountId;
			}
			if (!handler) {
				const body = {
					0: `No method found within endpoint (${className}): ${action}`,
					_status: 'error',
					_datetime: sqlDateTime(),
				};
				this.send(
					res,
					entry,
					404,
					API_HEADERS['Content-Type'],
					phpJsonEncode(body),
					'http-error',
					API_HEADERS,
				);
				return;
			}
			if (afterSite && 'actsAfterMs' in afterSite && afterSite.actsAfterMs !== undefined) {
				// the proxy answers now; the script, still at work, acts later and its answer goes nowhere
				this.answerWithFault(req, res, entry, afterSite);
				entry.message = `${entry.message}; the site acted ${afterSite.actsAfterMs} ms later`;
				await siteClock.sleep(afterSite.actsAfterMs);
				try {
					handler(this.siteFor(req), call);
				} catch (error) {
					if (!(error instanceof ApiError)) throw error;
				}
				return;
			}
			const answer = handler(this.siteFor(req), call);
			if (call.accountId) entry.accountId = call.accountId;
			if (afterSite && 'slowMs' in afterSite) {
				// done, answered late: a proxy in front may have given up on it meanwhile
				await new Promise((resolve) => setTimeout(resolve, afterSite.slowMs));
			} else if (afterSite) {
				this.answerWithFault(req, res, entry, afterSite);
				entry.message = `${entry.message} after the site acted`;
				return;
			}
			this.sendApi(res, entry, status, answer, 'success');
		} catch (error) {
			if (!(error instanceof ApiError)) throw error;
			if (call.accountId) entry.accountId = call.accountId;
			const body =
				this.settings.scriptVersion === 4
					? { status: 'error', response: error.message, _datetime: sqlDateTime() }
					: { response: error.message, _status: 'error', _datetime: sqlDateTime() };
			this.sendApi(res, entry, status, body, 'error');
		} finally {
			// An upload the call did not take (an error before it was filed) is thrown away.
			if (call.upload) rmSync(call.upload.path, { force: true });
		}
	}

	/**
	 * GET reads the query string, POST the form body (never the query), like PHP's $_GET / $_POST.
	 * Behind the web stack, real PHP has done that already (its limits included): front.php sends it.
	 */
	private async readParams(
		req: IncomingMessage,
		url: URL,
		captureUpload: boolean,
	): Promise<FormResult> {
		if (isFrontCall(req, this.frontSecret))
			return await readFront(req, {
				captureUpload,
				newPath: () => this.store.newStoragePath('.part'),
			});
		if (req.method === 'POST') {
			return await readForm(req, {
				captureUpload,
				newPath: () => this.store.newStoragePath('.part'),
				throttle: () => this.uplink.throttle(),
				uploadLimit: (fields) => {
					const accountId = this.sessions.peek(
						fields.access_token === undefined ? undefined : cleanInput(fields.access_token),
						fields.account_id === undefined ? undefined : cleanInput(fields.account_id),
					);
					return accountId ? this.store.maxUploadSize(accountId) : 0;
				},
				limits: this.sizeLimits(req),
			});
		}
		const body = await readIgnoredBody(req, this.sizeLimits(req).bodyLimit);
		if (body.kind !== 'form') return body;
		return { kind: 'form', fields: req.method === 'GET' ? parseQuery(url.search.slice(1)) : {} };
	}

	/**
	 * The request-size limits in front of the script (bodyLimit, postMaxSize, uploadMaxFilesize).
	 * Behind the web stack, real nginx and PHP have applied their own.
	 */
	private sizeLimits(req: IncomingMessage): SizeLimits {
		if (throughFront(req, this.frontSecret))
			return { bodyLimit: 0, postMaxSize: 0, uploadMaxFilesize: 0 };
		const { bodyLimit, postMaxSize, uploadMaxFilesize } = this.settings;
		return { bodyLimit, postMaxSize, uploadMaxFilesize };
	}

	/**
	 * The web server's answer to a body over its limit, before PHP sees anything: 413 with nginx's
	 * page, the rest of the body read and thrown away first (nginx's lingering close: the client
	 * gets the answer, not a reset), then the connection closed.
	 */
	private async refuseBody(
		req: IncomingMessage,
		res: ServerResponse,
		entry: SandboxLogEntry,
	): Promise<void> {
		const read = drain(req);
		this.send(res, entry, 413, 'text/html', TOO_LARGE, 'http-error', { Connection: 'close' }, read);
		entry.message = `the web server refused the body: over bodyLimit (${this.settings.bodyLimit} bytes)`;
		await read;
	}

	private async applyFault(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		entry: SandboxLogEntry,
		fault: SandboxFault,
	): Promise<void> {
		// Like a proxy, take the whole request first; the log then shows what was sent.
		const form = await this.readParams(req, url, false);
		if (form.kind === 'form') entry.params = cleanAll(form.fields);
		if (form.kind === 'aborted') return;
		this.answerWithFault(req, res, entry, fault);
	}

	private answerWithFault(
		req: IncomingMessage,
		res: ServerResponse,
		entry: SandboxLogEntry,
		fault: SandboxFault,
	): void {
		if ('close' in fault) {
			entry.message = 'fault: connection closed without an answer';
			req.socket.destroy();
		} else if ('hang' in fault) {
			entry.outcome = 'hung';
			entry.message = 'fault: never answered';
		} else if ('html' in fault) {
			this.send(res, entry, 200, 'text/html; charset=UTF-8', PARKED_DOMAIN, 'http-error');
			entry.message = 'fault: an HTML page instead of the API';
		} else if ('status' in fault) {
			const headers: Record<string, string> =
				fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
			this.send(
				res,
				entry,
				fault.status,
				'text/html',
				fault.body ?? proxyErrorPage(fault.status),
				'http-error',
				headers,
			);
			entry.message = `fault: HTTP ${fault.status}`;
		}
	}

	/** The site as one request sees it: behind the web stack, its links use the address the client used. */
	private siteFor(req: IncomingMessage): Site {
		const base = throughFront(req, this.frontSecret) ? clientBase(req) : undefined;
		return base ? (Object.create(this.site, { baseUrl: { value: base } }) as Site) : this.site;
	}

	/** Everything outside /api/v2: the home page, folder pages, short urls and downloads. */
	private async handleSite(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		entry: SandboxLogEntry,
	): Promise<void> {
		// Pages and downloads ignore a body; the web server still reads one sent without Content-Length against its limit.
		const { bodyLimit } = this.sizeLimits(req);
		if (bodyLimit > 0 && (await readIgnoredBody(req, bodyLimit)).kind === 'too-large')
			return await this.refuseBody(req, res, entry);
		const siteName = this.store.state.site.name;
		const html = 'text/html; charset=UTF-8';
		let path = url.pathname;
		try {
			path = decodeURIComponent(path);
		} catch {
			// keep it encoded
		}
		if (path === '/') {
			this.send(
				res,
				entry,
				200,
				html,
				homePage(siteName, `${this.siteFor(req).baseUrl}/api/v2`),
				'success',
			);
			return;
		}
		const folderMatch = /^\/folder\/(\d+)(\/.*)?$/.exec(path);
		if (folderMatch) {
			const folder = this.store.state.folders.find(
				(candidate) => candidate.id === folderMatch[1] && candidate.status === 'active',
			);
			if (!folder) {
				this.send(res, entry, 404, 'text/html; charset=iso-8859-1', APACHE_NOT_FOUND, 'http-error');
				return;
			}
			const files = this.store
				.filesIn(folder.accountId, folder.id)
				.filter((file) => file.status === 'active');
			this.send(res, entry, 200, html, folderPage(siteName, folder, files), 'success');
			return;
		}
		// /<short url>, /<short url>/<name>, and the ~i (info), ~s (stats), ~d (delete) pages.
		const fileMatch = /^\/([^/~]+)(~[a-z])?(\/.*)?$/.exec(path);
		const file = fileMatch ? this.store.fileByShortUrl(fileMatch[1]) : undefined;
		if (!fileMatch || !file) {
			this.send(res, entry, 404, 'text/html; charset=iso-8859-1', APACHE_NOT_FOUND, 'http-error');
			return;
		}
		const token = url.searchParams.get('download_token');
		if (token === null || fileMatch[2]) {
			if (file.status !== 'active') this.send(res, entry, 404, html, FILE_REMOVED, 'http-error');
			else this.send(res, entry, 200, html, fileInfoPage(siteName, file), 'success');
			return;
		}
		await this.handleDownload(req, res, url, entry, file, token);
	}

	private async handleDownload(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		entry: SandboxLogEntry,
		file: SandboxFile,
		token: string,
	): Promise<void> {
		entry.kind = 'download';
		entry.params = cleanAll(parseQuery(url.search.slice(1)));
		entry.accountId = file.accountId;
		const fault = await this.faultFor('download', 'download');
		if (fault && !('cutAfterBytes' in fault)) {
			await this.applyFault(req, res, url, entry, fault);
			return;
		}
		const grant = this.store.state.downloadTokens.find((candidate) => candidate.token === token);
		if (!grant || grant.expiresAt < siteClock.now() || grant.fileId !== file.id) {
			this.send(res, entry, 403, 'text/html; charset=UTF-8', DOWNLOAD_REFUSED, 'http-error');
			entry.message = grant
				? grant.fileId !== file.id
					? 'download token of another file'
					: 'download token expired'
				: 'unknown download token';
			return;
		}
		if (file.status !== 'active') {
			this.send(res, entry, 404, 'text/html; charset=UTF-8', FILE_REMOVED, 'http-error');
			return;
		}
		if (!req.headers.range) {
			file.downloads++;
			file.lastAccessed = sqlDateTime();
		}
		const cut = fault && 'cutAfterBytes' in fault ? fault.cutAfterBytes : undefined;
		if (cut !== undefined) entry.message = `fault: connection cut after ${cut} bytes`;
		entry.status = 200;
		const result = await sendFile(req, res, file, cut, this.downlink);
		entry.status = result.status;
		entry.outcome = !result.complete ? 'closed' : result.status >= 400 ? 'http-error' : 'success';
	}

	private sendApi(
		res: ServerResponse,
		entry: SandboxLogEntry,
		status: number,
		answer: ApiAnswer,
		outcome: 'success' | 'error',
	): void {
		const body =
			outcome === 'success' ? { ...answer, _status: 'success', _datetime: sqlDateTime() } : answer;
		if (typeof body.response === 'string') entry.message = body.response;
		this.send(
			res,
			entry,
			status,
			API_HEADERS['Content-Type'],
			phpJsonEncode(body),
			status === 200 ? outcome : 'http-error',
			API_HEADERS,
		);
	}

	private send(
		res: ServerResponse,
		entry: SandboxLogEntry,
		status: number,
		contentType: string,
		body: string,
		outcome: SandboxLogEntry['outcome'],
		headers: Record<string, string> = {},
		/** Sent at once, but the response ends (and a `Connection: close` closes) only after this. */
		endAfter?: Promise<unknown>,
	): void {
		entry.status = status;
		entry.outcome = outcome;
		if (res.destroyed) {
			entry.outcome = 'closed';
			return;
		}
		const bytes = Buffer.from(body, 'utf8');
		res.writeHead(status, {
			...headers,
			'Content-Type': contentType,
			'Content-Length': String(bytes.length),
		});
		if (!endAfter) return void res.end(bytes);
		res.write(bytes);
		void endAfter.then(() => res.end());
	}
}

function hasOwn<T extends object>(object: T, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

function cleanAll(fields: Record<string, string>): Record<string, string> {
	const clean: Record<string, string> = {};
	for (const [name, value] of Object.entries(fields)) clean[name] = cleanInput(value);
	return clean;
}

function normalizeEndpoint(endpoint: string): string {
	return endpoint
		.trim()
		.toLowerCase()
		.replace(/^\/+|\/+$/g, '')
		.replace(/^api\/v2\//, '');
}

function pickRuntime(options: Partial<SandboxOptions>): Partial<RuntimeSettings> {
	const picked: Partial<RuntimeSettings> = {};
	for (const key of RUNTIME_KEYS) {
		if (options[key] !== undefined) (picked as Record<string, unknown>)[key] = options[key];
	}
	return picked;
}

function validateSettings(settings: RuntimeSettings): RuntimeSettings {
	const problems: string[] = [];
	if (settings.scriptVersion !== 4 && settings.scriptVersion !== 5)
		problems.push(`scriptVersion must be 4 or 5, not ${settings.scriptVersion}`);
	if (settings.revision !== 'newer' && settings.revision !== 'older')
		problems.push(`revision must be 'newer' or 'older', not ${settings.revision}`);
	if (settings.authMode !== 'keys' && settings.authMode !== 'login')
		problems.push(`authMode must be 'keys' or 'login', not ${settings.authMode}`);
	if (settings.notFound !== 'html' && settings.notFound !== 'script')
		problems.push(`notFound must be 'html' or 'script', not ${settings.notFound}`);
	if (!['full', 'reference', 'undated'].includes(settings.fields))
		problems.push(`fields must be 'full', 'reference' or 'undated', not ${settings.fields}`);
	if (typeof settings.listingPasswords !== 'boolean')
		problems.push(`listingPasswords must be true or false, not ${settings.listingPasswords}`);
	for (const key of [
		'tokenIdleSeconds',
		'urlUploadDelayMs',
		'urlUploadTimeoutMs',
		'latencyMs',
		'latencyJitterMs',
		'workers',
		'workMs',
		'bandwidthBytesPerSecond',
		'postMaxSize',
		'uploadMaxFilesize',
		'bodyLimit',
	] as const) {
		if (typeof settings[key] !== 'number' || !(settings[key] >= 0))
			problems.push(`${key} must be a number of at least 0, not ${settings[key]}`);
	}
	if (problems.length) throw new Error(`SandboxServer: ${problems.join('; ')}`);
	return settings;
}

/** The address clients should use: a wildcard bind is reached on loopback. */
function displayHost(host: string): string {
	if (host === '' || host === '0.0.0.0') return '127.0.0.1';
	if (host === '::') return '[::1]';
	return host.includes(':') ? `[${host}]` : host;
}
