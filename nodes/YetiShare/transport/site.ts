/**
 * What every caller of the File Upload Script API v2 needs to know about a site, with no
 * n8n context: where its API lives, how to encode a call, and how to read an answer.
 * The credential (for /authorize) and the transport both use it.
 */

export const CREDENTIAL_TYPE = 'yetiShareApi';

/**
 * What an API error is about. The API has no error codes, only messages (on HTTP 200): they are
 * read here, once, and everything else acts on the problem.
 */
export type ApiProblem = 'invalidToken' | 'folderNotFound' | 'fileNotFound' | 'parameterMissing';

const PROBLEMS: Array<[ApiProblem, RegExp]> = [
	// a dead or unknown token
	['invalidToken', /could not validate access_token and account_id/i],
	['folderNotFound', /could not find folder/i],
	['fileNotFound', /could not find file/i],
	// "Please provide the file_id param.": names the field
	['parameterMissing', /please provide the (\w+) param/i],
];

function problemOf(serverMessage: string): { problem?: ApiProblem; parameter?: string } {
	for (const [problem, pattern] of PROBLEMS) {
		const match = pattern.exec(serverMessage);
		if (match) return { problem, parameter: match[1] };
	}
	return {};
}

/** A call's result or its failure, as a value: the transport decides about failures outside `catch`. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function resultOf<T>(run: () => Promise<T>): Promise<Result<T>> {
	try {
		return { ok: true, value: await run() };
	} catch (error) {
		return { ok: false, error };
	}
}

export interface YetiShareCredentials {
	baseUrl: string;
	authentication: 'apiKeys' | 'usernamePassword';
	/** The API's key1 and key2 (named apiKey… here so that n8n's lint sees secrets). */
	apiKey1?: string;
	apiKey2?: string;
	username?: string;
	password?: string;
	timeout?: number;
	/** Seconds a call may spend waiting to retry (429, 5xx, dropped connections); 0 = no retries. */
	maxRetryWait?: number;
	/** Accept self-signed and otherwise invalid TLS certificates. */
	ignoreSSLIssues?: boolean;
	accessToken?: string;
	accountId?: string;
}

/** Values the API sends in a form body: everything becomes a string field. */
export type FormFields = Record<string, string | number | null | undefined>;

export type SiteErrorKind =
	| 'config'
	| 'api'
	| 'http'
	| 'notJson'
	| 'missingEndpoint'
	| 'tls'
	| 'network';

export class SiteError extends Error {
	constructor(
		message: string,
		readonly kind: SiteErrorKind,
		readonly details: {
			httpCode?: number;
			serverMessage?: string;
			/** For 'api': what the server's message is about, and the field it names. */
			problem?: ApiProblem;
			parameter?: string;
			description?: string;
			retryAfter?: string;
			/** For 'network': the system's code (ECONNRESET…) and whether it was a timeout, for retry decisions. */
			networkCode?: string;
			timedOut?: boolean;
		} = {},
	) {
		super(message);
		this.name = 'SiteError';
	}
}

/**
 * Accepts what users paste (`https://host`, `https://host/`, `https://host/api/v2/`, a site in a
 * sub-folder) and returns the site's root URL without a trailing slash.
 */
export function normalizeBaseUrl(raw: unknown): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') {
		throw new SiteError(
			'The credential has no Base URL: enter the address of the site, e.g. https://files.example.com',
			'config',
		);
	}
	const url = URL.canParse(text) ? new URL(text) : undefined;
	if (!url) {
		throw new SiteError(
			`The credential's Base URL "${text}" is not a web address: it must start with http:// or https://, e.g. https://files.example.com`,
			'config',
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new SiteError(
			`The credential's Base URL must start with http:// or https:// (it starts with ${url.protocol}//)`,
			'config',
		);
	}
	const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v2$/i, '');
	return `${url.protocol}//${url.host}${path}`;
}

/** `https://host` + `folder/info` → `https://host/api/v2/folder/info` */
export function apiUrl(baseUrl: string, endpoint: string): string {
	return `${normalizeBaseUrl(baseUrl)}/api/v2/${endpoint}`;
}

/** The API reads form fields only (a JSON body is silently ignored), so every call is form-encoded. */
export function encodeForm(fields: FormFields): string {
	const form = new URLSearchParams();
	for (const [name, value] of Object.entries(fields)) {
		if (value !== undefined && value !== null) form.append(name, String(value));
	}
	return form.toString();
}

export const FORM_HEADERS = {
	'content-type': 'application/x-www-form-urlencoded',
	accept: 'application/json',
};

export interface Envelope {
	data?: unknown;
	response?: string;
	_status?: string;
	status?: string;
	[key: string]: unknown;
}

function parseBody(body: unknown): Envelope | undefined {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body);
		} catch {
			return undefined;
		}
	}
	if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Envelope;
	return undefined;
}

function quoteStart(body: unknown): string {
	const text = Buffer.isBuffer(body)
		? body.toString('utf8')
		: typeof body === 'string'
			? body
			: JSON.stringify(body);
	const flat = (text ?? '').replace(/\s+/g, ' ').trim();
	return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

/**
 * The site answered with a redirect, as a web server does for every call when the Base URL says
 * http:// for an https:// site or leaves out www. Redirects are never followed: a 301 or 302 turns
 * a POST into a GET without its fields (the keys would be refused as wrong), and following a 307
 * or 308 means keeping a whole upload in memory to send it again. The error names the address to
 * use instead: the redirect's target, up to its /api/v2/ path.
 */
function redirected(
	endpoint: string,
	statusCode: number,
	location: unknown,
	requestUrl?: string,
): SiteError {
	const target =
		typeof location === 'string' && URL.canParse(location, requestUrl)
			? new URL(location, requestUrl)
			: undefined;
	const apiPath = target ? target.pathname.search(/\/api\/v2(\/|$)/i) : -1;
	const base =
		target && (target.protocol === 'http:' || target.protocol === 'https:')
			? `${target.origin}${apiPath > 0 ? target.pathname.slice(0, apiPath) : ''}`
			: undefined;
	const from = requestUrl ? ` at ${new URL(requestUrl).origin}` : '';
	if (!base) {
		return new SiteError(
			`The site${from} answered ${endpoint} with a redirect (HTTP ${statusCode}) to no usable address`,
			'http',
			{
				httpCode: statusCode,
				description:
					"Open the site in a browser and use the address it ends up at as the credential's Base URL (for example https:// instead of http://, or with or without www).",
			},
		);
	}
	return new SiteError(
		`The site redirects its API to another address: set the credential's Base URL to ${base}`,
		'http',
		{
			httpCode: statusCode,
			description: `The site${from} answered ${endpoint} with HTTP ${statusCode}, pointing to ${base}. The node does not follow redirects: one would turn the call into a request without its fields (correct keys would then be refused as wrong) or send a whole upload twice.`,
		},
	);
}

/**
 * Reads one HTTP answer of the API. Application errors come back as HTTP 200 with
 * `_status: "error"` (script 5.x) or `status: "error"` (4.x): both are checked.
 */
export function readAnswer(
	endpoint: string,
	statusCode: number,
	body: unknown,
	headers: Record<string, unknown> = {},
	requestUrl?: string,
): Envelope {
	if (statusCode === 404) {
		const feature = endpoint.startsWith('file/url_upload') ? 'URL uploads' : endpoint;
		throw new SiteError(`This site does not offer ${feature}`, 'missingEndpoint', {
			httpCode: 404,
			description: endpoint.startsWith('file/url_upload')
				? 'The site runs a version of the script without URL uploads, or its owner has turned background URL downloading off.'
				: 'The site answered HTTP 404 for this API call. Check that the Base URL is the address of the site and that its API is enabled.',
		});
	}
	const envelope = parseBody(body);
	if (statusCode >= 300 && statusCode < 400)
		throw redirected(endpoint, statusCode, headers.location, requestUrl);
	if (statusCode < 200 || statusCode >= 300) {
		const retryAfter = headers['retry-after'];
		throw new SiteError(`The site answered HTTP ${statusCode} to ${endpoint}`, 'http', {
			httpCode: statusCode,
			description: `Start of the answer: ${quoteStart(body)}`,
			retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
		});
	}
	if (envelope === undefined) {
		throw new SiteError(
			`The site did not answer ${endpoint} with JSON (HTTP ${statusCode})`,
			'notJson',
			{
				httpCode: statusCode,
				description: `Start of the answer: ${quoteStart(body) || '(empty)'}. Check that the Base URL is the address of a site running the File Upload Script API v2.`,
			},
		);
	}
	if (envelope._status === 'error' || envelope.status === 'error') {
		const serverMessage =
			typeof envelope.response === 'string' ? envelope.response : 'Unknown error';
		throw new SiteError(serverMessage, 'api', { serverMessage, ...problemOf(serverMessage) });
	}
	return envelope;
}

const KEY = /^[A-Za-z0-9]{64}$/;

/** The form fields of /authorize for the chosen method, checked before anything is sent. */
export function authorizeFields(credentials: YetiShareCredentials): FormFields {
	if (credentials.authentication === 'usernamePassword') {
		if (!credentials.username) throw new SiteError('The credential has no Username', 'config');
		if (!credentials.password) throw new SiteError('The credential has no Password', 'config');
		return { username: credentials.username, password: credentials.password };
	}
	for (const [label, value] of [
		['Key 1', credentials.apiKey1],
		['Key 2', credentials.apiKey2],
	] as const) {
		const key = (value ?? '').trim();
		if (!KEY.test(key)) {
			const what =
				key.length === 64
					? 'may only contain letters and digits'
					: `must be 64 characters long (it has ${key.length})`;
			throw new SiteError(
				`The credential's ${label} ${what}. Generate the keys on the site: log in, open your account page (Edit Account, /account_edit), use the "Key 1" and "Key 2" fields and click "Update Account". If they are missing there, the site owner has not allowed API access for your account level.`,
				'config',
			);
		}
	}
	return { key1: credentials.apiKey1!.trim(), key2: credentials.apiKey2!.trim() };
}

export function requestTimeoutMs(credentials: YetiShareCredentials): number {
	const seconds = Number(credentials.timeout);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}
