/**
 * The one way this package talks to a site: every operation, list search and the trigger call
 * `apiRequest`. It owns the session token, the API's HTTP-200 errors and the error messages users see.
 */
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { BINARY_ENCODING, NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import {
	apiUrl,
	CREDENTIAL_TYPE,
	encodeForm,
	FORM_HEADERS,
	type Envelope,
	type FormFields,
	readAnswer,
	requestTimeoutMs,
	asSiteError,
	SiteError,
	networkError,
	outcomeOf,
	type ApiProblem,
	type SiteErrorKind,
	type YetiShareCredentials,
} from './site';
import { remember } from '../shared/cache';
import { noteAnswer } from '../shared/known';
import { slowDown } from '../shared/parallel';
import type { MultipartForm } from './multipart';
import { explainRefusal } from './refusal';
import { sessionKey, withSession } from './session';
import { backoffMs, classifyFailure, CREATING_ENDPOINTS, retryPolicy, TRANSFER_CUT, type Failure, type RetryPolicy } from './retry';

export type YetiShareContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;
/** What can store binary data: executions and polls. */
type DownloadContext = IExecuteFunctions | IPollFunctions;

export interface ApiRequestOptions {
	/** The input item this call serves; named in every error. */
	itemIndex?: number;
	/**
	 * API field → the node parameter it came from. The API names its fields in its errors
	 * ("Could not find folder based on folder_id."): this lets the error name the parameter too.
	 */
	fields?: Record<string, string>;
	/**
	 * For calls that create something: looks on the site for what the call would have created,
	 * after a failure that leaves it unknown whether the site acted. It gets how long ago (ms) the
	 * failed attempt began, and returns the answer the call would have given, undefined when
	 * nothing was created, or throws OutcomeInconclusive when it cannot tell (the outcome is then
	 * reported as unknown). Without it, such a call is not repeated after an unknown outcome.
	 */
	confirm?: (attemptAgeMs: number) => Promise<Envelope | undefined>;
	/** What the call creates, in words ("the file \"a.pdf\""), for the error when the outcome is unknown. */
	creates?: string;
}

async function readCredentials(ctx: YetiShareContext, itemIndex?: number): Promise<YetiShareCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<ICredentialDataDecryptedObject>(
		CREDENTIAL_TYPE,
		itemIndex,
	);
	return { ...credentials } as unknown as YetiShareCredentials;
}

/**
 * The credential as this execution last read it. For n8n a read is a database query and a
 * decryption, a quarter of a small call's cost, so an execution reads it once. n8n writes a token
 * it renews into this same object; a token the site reports dead sends the next read to the store.
 */
async function sessionCredentials(ctx: YetiShareContext, itemIndex?: number): Promise<YetiShareCredentials> {
	return await remember(ctx, 'credentials', async () => await readCredentials(ctx, itemIndex));
}

/**
 * A request body for one attempt. Streamed bodies (uploads) cannot be sent twice, so a call
 * carries a factory and every attempt builds its body afresh.
 */
export type BodyFactory = () => string | MultipartForm | Promise<MultipartForm>;

export { multipartForm, type FilePart } from './multipart';
export { formatBytes } from './refusal';

/**
 * Sends one attempt with the given credential data. n8n runs the credential's preAuthentication
 * (one /authorize, saved with the credential) when `accessToken` is empty, and writes the new
 * token into `credentials`, so afterwards it holds the token this attempt used.
 */
async function send(
	ctx: YetiShareContext,
	credentials: YetiShareCredentials,
	endpoint: string,
	body: BodyFactory,
	timeout?: number,
): Promise<Envelope> {
	const reference = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	const payload = await body();
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: apiUrl(credentials.baseUrl, endpoint),
		headers: typeof payload === 'string' ? { ...FORM_HEADERS } : { accept: 'application/json' },
		body: payload,
		timeout: timeout ?? requestTimeoutMs(credentials),
		skipSslCertificateValidation: credentials.ignoreSSLIssues === true,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
		json: false,
		// A redirect is reported with the address to use instead (see readAnswer), never followed.
		disableFollowRedirect: true,
	};
	const response = await outcomeOf(
		async () =>
			(await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, request, {
				credentialsDecrypted: {
					id: reference?.id ?? '',
					name: reference?.name ?? '',
					type: CREDENTIAL_TYPE,
					data: credentials as unknown as ICredentialDataDecryptedObject,
				},
			})) as { statusCode: number; body: unknown; headers: Record<string, unknown> },
	);
	if (typeof payload !== 'string') payload.discard();
	if (!response.ok) throw response.error;
	const { statusCode, body: answer, headers } = response.value;
	const read = await outcomeOf(async () => readAnswer(endpoint, statusCode, answer, headers, request.url));
	if (read.ok) return read.value;
	throw explainRefusal(read.error, endpoint, typeof payload === 'string' ? undefined : payload.sent()) ?? read.error;
}

/** Calls one endpoint with form fields and returns the answer's envelope (`data`, `response`, …). */
export async function apiRequest(
	this: YetiShareContext,
	endpoint: string,
	fields: FormFields = {},
	options: ApiRequestOptions = {},
): Promise<Envelope> {
	return await apiCall.call(this, endpoint, () => encodeForm(fields), fields, options);
}

/**
 * One attempt, with the session protocol of `withSession` (session.ts) when the site calls the
 * token dead or there is none yet. The sign-in goes through a light call (account/info), so that
 * the executions waiting for it need not wait for this call's own work (an upload, say).
 */
async function attempt(
	ctx: YetiShareContext,
	endpoint: string,
	body: BodyFactory,
	itemIndex: number | undefined,
	timeout: number | undefined,
	credentials: YetiShareCredentials,
): Promise<Envelope> {
	const reference = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	return await withSession(sessionKey(reference?.id ?? undefined, credentials), credentials, {
		read: async () => await readCredentials(ctx, itemIndex),
		call: async (current) => await send(ctx, current, endpoint, body, timeout),
		signIn: async (fresh) => await send(ctx, fresh, 'account/info', () => '', timeout),
	});
}

/** Gave up after retrying: says what the site did, how often it was tried, and what to do. */
class RetriesExhausted extends Error {
	constructor(
		readonly failure: Failure,
		readonly attempts: number,
		readonly last: unknown,
		readonly waitedTooLong?: number,
		/** Of the retry budget, the time spent in attempts that waited for an answer and failed. */
		readonly waitedForAnswersMs = 0,
	) {
		super(
			failure.rateLimited
				? `The site is rate-limiting requests (HTTP 429)`
				: `The site kept failing: ${failure.reason}`,
		);
		this.name = 'RetriesExhausted';
	}
}

/** A create that failed in a way that leaves it unknown whether the site acted, and could not be checked. */
class OutcomeUnknown extends Error {
	constructor(
		readonly failure: Failure,
		readonly what: string,
		readonly checkFailed?: unknown,
	) {
		super(`It is unknown whether the site created ${what}: ${failure.reason}`);
		this.name = 'OutcomeUnknown';
	}
}

/**
 * Thrown by a `confirm` that looked and could not tell whether the call created something (its
 * message says what it saw, and where): the outcome stays unknown and the call is not repeated.
 */
export class OutcomeInconclusive extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OutcomeInconclusive';
	}
}

/** "2026-11-23 10:00:00" (the API's date format, in the site's local time) as a comparable Date. */
export function siteDate(text: unknown): Date | undefined {
	const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(text ?? ''));
	if (!match) return undefined;
	const [, y, mo, d, h, mi, se] = match.map(Number);
	return new Date(Date.UTC(y, mo - 1, d, h, mi, se));
}

/**
 * Calls one endpoint with a body built by `body` (a form string, or a multipart form for uploads).
 *
 * Failures that say the site did not act (429, a failed DNS lookup) are retried; so are failures
 * with an unknown outcome (5xx, timeouts, dropped connections) for calls that are safe to repeat.
 * A call that creates something is repeated after an unknown outcome only when `confirm` has
 * looked and found nothing created. Waits follow Retry-After, otherwise exponential backoff with
 * jitter, within the credential's "Max Retry Wait".
 */
export async function apiCall(
	this: YetiShareContext,
	endpoint: string,
	body: BodyFactory,
	fields: FormFields,
	options: ApiRequestOptions & { timeout?: number } = {},
): Promise<Envelope> {
	const { itemIndex } = options;
	try {
		// Read once for the first attempt; a retry reads again (another execution may have renewed the token).
		let credentials: YetiShareCredentials | undefined = await sessionCredentials(this, itemIndex);
		const creating = CREATING_ENDPOINTS.has(endpoint) ? options : undefined;
		const envelope = await withRetries(
			this,
			retryPolicy(credentials),
			async () => {
				const current = credentials ?? (await readCredentials(this, itemIndex));
				credentials = undefined;
				return await attempt(this, endpoint, body, itemIndex, options.timeout, current);
			},
			creating,
		);
		noteAnswer(this, endpoint, fields, envelope);
		return envelope;
	} catch (error) {
		throw toNodeError(this, error, endpoint, fields, options);
	}
}

/**
 * Runs `run` until it succeeds, retrying the failures `classifyFailure` allows. For a call that
 * creates something (`creating` given), an unknown outcome is first checked with its `confirm`.
 */
async function withRetries<T>(
	ctx: YetiShareContext,
	policy: RetryPolicy,
	run: () => Promise<T>,
	creating?: Pick<ApiRequestOptions, 'confirm' | 'creates'>,
): Promise<T> {
	// Waits between attempts and the time of attempts that waited for an answer in vain both count,
	// so a hung site ends a call in about Timeout + Max Retry Wait.
	let waited = 0;
	let waitedForAnswers = 0;
	for (let attempts = 1; ; attempts++) {
		const startedAt = Date.now();
		const tried = await outcomeOf(run);
		if (tried.ok) return tried.value;
		const error = tried.error;
		const failure = classifyFailure(error);
		if (!failure) throw error;
		// the execution's other items back off too: fewer in flight from now on
		if (failure.rateLimited) slowDown(ctx);
		if (failure.waitedForAnswer) waitedForAnswers += Math.min(Date.now() - startedAt, policy.timeoutMs);
		if (failure.acted === 'unknown' && creating) {
			const found = await findCreated(creating, failure, startedAt, policy.maxWaitMs - waited - waitedForAnswers);
			if (found) return found as T;
		}
		if (attempts >= policy.maxAttempts) {
			// With retries turned off, the failure speaks for itself (but a rate limit is named).
			throw policy.maxAttempts === 1 && !failure.rateLimited ? error : new RetriesExhausted(failure, attempts, error);
		}
		const wait = failure.retryAfterMs ?? backoffMs(attempts);
		if (waited + waitedForAnswers + wait > policy.maxWaitMs) {
			// the time spent waiting for answers is named when it, not the wait asked for, passed the budget
			throw new RetriesExhausted(failure, attempts, error, wait, waited + wait > policy.maxWaitMs ? 0 : waitedForAnswers);
		}
		await sleep(wait);
		waited += wait;
	}
}

/**
 * After a create's unknown outcome, its `confirm` looks for what the call made: found, that is the
 * answer; not found, the call may be repeated (undefined). Unless the site may still be acting (a
 * timeout, a gateway's 504): then what it makes may appear later, so it is looked for again as long
 * as the retry budget allows, and if it never appears the outcome is unknown, never "absent".
 */
async function findCreated(
	creating: Pick<ApiRequestOptions, 'confirm' | 'creates'>,
	failure: Failure,
	startedAt: number,
	budgetMs: number,
): Promise<Envelope | undefined> {
	const what = creating.creates ?? 'what this call creates';
	const confirm = creating.confirm;
	if (!confirm) throw new OutcomeUnknown(failure, what);
	const look = async () => {
		const looked = await outcomeOf(async () => await confirm(Date.now() - startedAt));
		if (!looked.ok) throw new OutcomeUnknown(failure, what, looked.error);
		return looked.value;
	};
	const found = await look();
	if (found || !failure.mayStillAct) return found;
	let waited = 0;
	for (let round = 1; waited + backoffMs(round, () => 1) <= budgetMs; round++) {
		const wait = backoffMs(round);
		await sleep(wait);
		waited += wait;
		const later = await look();
		if (later) return later;
	}
	const looked = waited > 0 ? `after looking again for ${Math.ceil(waited / 1000)} s` : 'when looked for';
	throw new OutcomeUnknown(failure, what, new OutcomeInconclusive(`Nothing had appeared ${looked}, but the site may still have been working on the call when its answer was given up on`));
}

/** The parameter an API error is about, when the server's message names its field. */
function parameterOf(message: string, fields: FormFields, labels: Record<string, string> = {}) {
	// Longest first: "new_parent_folder_id" also contains "folder_id".
	const byLength = Object.entries(labels).sort(([a], [b]) => b.length - a.length);
	for (const [field, label] of byLength) {
		if (message.includes(field)) return { label, value: fields[field] };
	}
	return undefined;
}

function itemSuffix(itemIndex?: number): string {
	return itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
}

/**
 * What a failed call met, as the transport classified it. Callers that handle a failure
 * themselves (a folder that is gone, an older site) act on this, never on an error's wording.
 */
export interface CallFailure {
	/** How the site failed ('gaveUp': retries exhausted or an unknown outcome; 'other': not from the site). */
	kind: SiteErrorKind | 'gaveUp' | 'other';
	/** For 'api': what the server's message is about, and the field it names. */
	problem?: ApiProblem;
	parameter?: string;
}

export type NodeError = NodeApiError | NodeOperationError;

/** The failure behind each node error `toNodeError` made. */
const failures = new WeakMap<NodeError, CallFailure>();

/** A call's answer, or the node error it failed with and what it met. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: NodeError; failure: CallFailure };

/**
 * Runs calls of this transport (apiRequest, downloadFile, or helpers built on them) and returns
 * their failure as a value, for a caller that handles some failures itself and throws the rest.
 */
export async function settle<T>(ctx: YetiShareContext, run: () => Promise<T>, itemIndex?: number): Promise<Settled<T>> {
	const tried = await outcomeOf(run);
	if (tried.ok) return tried;
	const error = toNodeError(ctx, tried.error, 'the site', {}, { itemIndex });
	return { ok: false, error, failure: failures.get(error) ?? { kind: 'other' } };
}

/**
 * The one place where a failure inside the transport (SiteError, RetriesExhausted, OutcomeUnknown,
 * an HTTP client's error) becomes the node error n8n shows; the failure it was is kept for `settle`.
 */
function toNodeError(ctx: YetiShareContext, error: unknown, endpoint: string, fields: FormFields, options: ApiRequestOptions): NodeError {
	// Made here already, or a parameter error. (n8n's HTTP helpers throw NodeApiErrors of their own:
	// those are failures to classify like any other.)
	if (error instanceof NodeOperationError || (error instanceof NodeApiError && failures.has(error))) return error;
	const gaveUp = error instanceof RetriesExhausted || error instanceof OutcomeUnknown;
	const site = gaveUp ? undefined : siteErrorOf(error, endpoint);
	const made = describeFailure(ctx, error, site, endpoint, fields, options);
	const { problem, parameter } = site?.details ?? {};
	failures.set(made, { kind: site?.kind ?? (gaveUp ? 'gaveUp' : 'other'), problem, parameter });
	return made;
}

function siteErrorOf(error: unknown, endpoint: string): SiteError | undefined {
	return asSiteError(error) ?? networkError(error, endpoint);
}

function describeFailure(
	ctx: YetiShareContext,
	error: unknown,
	site: SiteError | undefined,
	endpoint: string,
	fields: FormFields,
	{ itemIndex, fields: labels }: ApiRequestOptions,
): NodeError {
	const node = ctx.getNode();
	if (error instanceof RetriesExhausted || error instanceof OutcomeUnknown) {
		const cause = error instanceof RetriesExhausted ? error.last : error.checkFailed instanceof OutcomeInconclusive ? undefined : error.checkFailed;
		// described afresh, as it was met inside this call (even when it is a node error of a nested call)
		const last = cause === undefined ? undefined : cause instanceof NodeOperationError ? cause : describeFailure(ctx, cause, siteErrorOf(cause, endpoint), endpoint, fields, {});
		let message: string;
		let description: string;
		if (error instanceof RetriesExhausted) {
			const { failure, attempts, waitedTooLong, waitedForAnswersMs } = error;
			const tried = attempts === 1 ? 'once' : `${attempts} times`;
			message = failure.rateLimited
				? `The site is rate-limiting requests (HTTP 429): ${endpoint} was refused, tried ${tried}`
				: `The site kept failing (${failure.reason}): ${endpoint} was tried ${tried}`;
			if (waitedTooLong === undefined) {
				description = `The last answer: ${last?.message}. Try again later; the credential's "Max Retry Wait (Seconds)" sets how long a call keeps trying.`;
			} else if (waitedForAnswersMs > 0) {
				description = `Waiting for the site's answers took ${Math.ceil(waitedForAnswersMs / 1000)} s of the credential's "Max Retry Wait (Seconds)", and the next try would have passed it. Check that the site is up; raise "Timeout (Seconds)" and "Max Retry Wait (Seconds)" if it is only slow.`;
			} else {
				description = `The next try would have waited ${Math.ceil(waitedTooLong / 1000)} s, beyond the credential's "Max Retry Wait (Seconds)". Raise it, or run the workflow less often.`;
			}
		} else {
			message = `It is unknown whether the site created ${error.what}: ${error.failure.reason} while calling ${endpoint}`;
			const notRepeated = 'The call was not repeated, so that nothing is created twice.';
			const check = 'Check on the site before running this item again.';
			description =
				error.checkFailed instanceof OutcomeInconclusive
					? `${error.checkFailed.message}. ${notRepeated} ${check}`
					: last
						? `${notRepeated.slice(0, -1)}, and looking for the result failed too (${last.message}). ${check}`
						: `${notRepeated} ${check}`;
		}
		return new NodeApiError(node, { message, description } as JsonObject, {
			message: `${message}${itemSuffix(itemIndex)}`,
			description,
			httpCode: last instanceof NodeApiError ? (last.httpCode ?? undefined) : undefined,
			itemIndex,
		});
	}
	if (site?.kind === 'config') {
		return new NodeOperationError(node, `${site.message}${itemSuffix(itemIndex)}`, { itemIndex });
	}
	if (site) {
		let message = site.message;
		let description = site.details.description;
		if (site.kind === 'api') {
			const parameter = parameterOf(site.message, fields, labels);
			if (parameter) {
				description = `The site answered ${endpoint} with: "${site.message}"`;
				message = `${site.message} (parameter "${parameter.label}": ${JSON.stringify(String(parameter.value ?? ''))})`;
			}
		}
		return new NodeApiError(
			node,
			// the API answers its errors with HTTP 200; a site not reached answered nothing
			{
				message,
				description: description ?? '',
				...(site.kind === 'network' || site.kind === 'tls' ? {} : { httpCode: String(site.details.httpCode ?? 200) }),
			} as JsonObject,
			{
				message: `${message}${itemSuffix(itemIndex)}`,
				description,
				httpCode: site.details.httpCode ? String(site.details.httpCode) : undefined,
				itemIndex,
			},
		);
	}
	const message = `Calling ${endpoint} failed: ${error instanceof Error ? error.message : String(error)}`;
	return new NodeApiError(node, { message } as JsonObject, { message: `${message}${itemSuffix(itemIndex)}`, itemIndex });
}

/** The stream n8n's request helper gives for `encoding: 'stream'`, as its binary store takes it. */
type ResponseStream = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;

export interface FileStream {
	stream: ResponseStream;
	fileName?: string;
	mimeType?: string;
	size?: number;
}

/** The file name a Content-Disposition header gives, preferring RFC 5987's UTF-8 form. */
function dispositionName(header: unknown): string | undefined {
	const text = Array.isArray(header) ? header[0] : typeof header === 'string' ? header : '';
	const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(text);
	if (extended) {
		// a malformed escape: fall back to the plain name
		const decoded = decodeOrUndefined(extended[1].trim());
		if (decoded !== undefined) return decoded;
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/.exec(text);
	return plain ? plain[1].trim() : undefined;
}

function decodeOrUndefined(text: string): string | undefined {
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}

/** A download cut short; classifyFailure reads it as a dropped connection (a download may be repeated). */
function transferBroken(message: string) {
	return Object.assign(new Error(message), { code: TRANSFER_CUT });
}

/**
 * Opens a download URL (it carries its own token) as a stream. A cut transfer is caught after
 * the bytes are stored (storeDownload), so nothing stands between the response and n8n's
 * binary store here.
 */
async function openDownload(ctx: YetiShareContext, url: string, credentials: YetiShareCredentials): Promise<FileStream> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: requestTimeoutMs(credentials),
		skipSslCertificateValidation: credentials.ignoreSSLIssues === true,
	})) as { statusCode: number; headers: Record<string, unknown>; body: ResponseStream };
	const { statusCode, headers, body } = response;
	if (statusCode < 200 || statusCode >= 300) {
		body.resume();
		const expired = statusCode === 403 || statusCode === 410;
		throw new SiteError(
			`Downloading the file failed: ${expired ? 'the download link was refused (it may have expired: links are valid for 24 hours)' : `HTTP ${statusCode}`}`,
			'http',
			{ httpCode: statusCode, retryAfter: typeof headers['retry-after'] === 'string' ? headers['retry-after'] : undefined },
		);
	}
	const announced = Number(headers['content-length']);
	const size = Number.isFinite(announced) && headers['content-length'] !== undefined ? announced : undefined;
	const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'].split(';')[0].trim() : undefined;
	return { stream: body, fileName: dispositionName(headers['content-disposition']), mimeType: contentType, size };
}

/** How many bytes n8n's binary store holds for `binary`: its metadata, or the inline data in memory mode. */
async function storedBytes(ctx: DownloadContext, binary: IBinaryData): Promise<number> {
	if (binary.id) return (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	return Buffer.byteLength(binary.data, BINARY_ENCODING);
}

/**
 * Stores a download in n8n's binary store and checks it is whole: a connection that closed
 * before the announced Content-Length arrived fails (and is repeated) instead of passing for
 * the file.
 */
async function storeDownload(ctx: DownloadContext, download: FileStream, fileName: string): Promise<IBinaryData> {
	let broken: Error | undefined;
	download.stream.on('error', (error: Error) => (broken ??= error));
	download.stream.on('aborted', () => (broken ??= new Error('the connection closed')));
	const cut = (received: number | string) =>
		transferBroken(`The connection closed after ${received} of ${download.size ?? '?'} bytes: the download is incomplete${broken ? ` (${broken.message})` : ''}`);
	// a store that failed because the response broke is a cut transfer (repeated); any other
	// failure of the store (a size limit, say) is handed on as it is and not repeated
	const stored = await outcomeOf(async () => await ctx.helpers.prepareBinaryData(download.stream, fileName, download.mimeType));
	if (!stored.ok) throw broken ? cut('some') : stored.error;
	const received = await storedBytes(ctx, stored.value);
	if (broken || (download.size !== undefined && received !== download.size)) throw cut(received);
	return stored.value;
}

/**
 * Downloads a file from its download URL into n8n's binary store, under the site's file name
 * unless `fileName` is given. A download is safe to repeat: a failed or cut transfer is started
 * over, as apiCall retries.
 */
export async function downloadFile(
	ctx: DownloadContext,
	url: string,
	options: { itemIndex?: number; fileName?: string } = {},
): Promise<IBinaryData> {
	try {
		const credentials = await sessionCredentials(ctx, options.itemIndex);
		return await withRetries(ctx, retryPolicy(credentials), async () => {
			const download = await openDownload(ctx, url, credentials);
			return await storeDownload(ctx, download, options.fileName ?? download.fileName ?? 'file');
		});
	} catch (error) {
		throw toNodeError(ctx, error, 'the download', {}, options);
	}
}
