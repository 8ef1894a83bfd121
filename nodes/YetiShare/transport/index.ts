/**
 * The one way this package talks to a site: every operation, list search and the trigger call
 * `apiRequest`. It owns the session token, the API's HTTP-200 errors and the error messages users see.
 */
import type FormData from 'form-data';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { Transform, type Readable } from 'stream';

import {
	apiUrl,
	CREDENTIAL_TYPE,
	encodeForm,
	FORM_HEADERS,
	type Envelope,
	type FormFields,
	isInvalidTokenError,
	readAnswer,
	requestTimeoutMs,
	asSiteError,
	type YetiShareCredentials,
} from './site';

export type YetiShareContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface ApiRequestOptions {
	/** The input item this call serves; named in every error. */
	itemIndex?: number;
	/**
	 * API field → the node parameter it came from. The API names its fields in its errors
	 * ("Could not find folder based on folder_id."): this lets the error name the parameter too.
	 */
	fields?: Record<string, string>;
}

async function readCredentials(ctx: YetiShareContext, itemIndex?: number): Promise<YetiShareCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<ICredentialDataDecryptedObject>(
		CREDENTIAL_TYPE,
		itemIndex,
	);
	return { ...credentials } as unknown as YetiShareCredentials;
}

/**
 * A request body for one attempt. Streamed bodies (uploads) cannot be sent twice, so a call
 * carries a factory and every attempt builds its body afresh.
 */
export type BodyFactory = () => string | FormData | Promise<FormData>;

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
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
		json: false,
		// Following redirects means keeping the whole body to send it again: for a streamed
		// upload that is the whole file in memory. Uploads go to the API address as given.
		disableFollowRedirect: typeof payload !== 'string',
	};
	const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, request, {
		credentialsDecrypted: {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIAL_TYPE,
			data: credentials as unknown as ICredentialDataDecryptedObject,
		},
	})) as { statusCode: number; body: unknown };
	return readAnswer(endpoint, response.statusCode, response.body);
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
 * Calls one endpoint with a body built by `body` (a form string, or a multipart form for uploads).
 *
 * The token is shared by every execution through the stored credential. The site keeps one live
 * token per account and answers a dead one with HTTP 200, so n8n cannot notice by itself: on
 * that answer we read the stored credential again, use a newer token if another execution has
 * already saved one (calling /authorize again would log that execution out), and otherwise
 * empty the token so n8n authorizes and saves a fresh one. Either way the call is sent once more.
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
		const credentials = await readCredentials(this, itemIndex);
		try {
			return await send(this, credentials, endpoint, body, options.timeout);
		} catch (error) {
			if (!isInvalidTokenError(error)) throw error;
			const stored = await readCredentials(this, itemIndex);
			if (!stored.accessToken || stored.accessToken === credentials.accessToken) stored.accessToken = '';
			return await send(this, stored, endpoint, body, options.timeout);
		}
	} catch (error) {
		throw toNodeError(this, error, endpoint, fields, options);
	}
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

/** Network failures as a person would describe them, never with the request's body (it holds the keys). */
function describeNetworkError(error: any, endpoint: string): { message: string; description: string } | undefined {
	const cause = error?.cause ?? error;
	const code: string | undefined = cause?.code ?? error?.code ?? cause?.cause?.code;
	const text = `${cause?.message ?? ''}`;
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(text);
	if (timedOut) {
		return {
			message: `The site did not answer ${endpoint} in time`,
			description: 'The request timed out. Raise "Timeout (Seconds)" in the credential if the site is slow, or check that it is up.',
		};
	}
	const reasons: Record<string, string> = {
		ECONNREFUSED: 'the connection was refused (nothing is listening at that address)',
		ENOTFOUND: 'its host name could not be found (check the Base URL)',
		EAI_AGAIN: 'its host name could not be looked up (DNS failure)',
		ECONNRESET: 'the connection was closed before the site answered',
		EHOSTUNREACH: 'the host is unreachable',
		ENETUNREACH: 'the network is unreachable',
		EPIPE: 'the connection was closed while sending',
	};
	if (code && reasons[code]) {
		return { message: `Could not reach the site: ${reasons[code]}`, description: `While calling ${endpoint} (${code}).` };
	}
	if (code && /CERT|SSL|TLS/i.test(code)) {
		return {
			message: 'Could not reach the site: its TLS certificate was not accepted',
			description: `While calling ${endpoint} (${code}).`,
		};
	}
	return undefined;
}

function toNodeError(
	ctx: YetiShareContext,
	error: any,
	endpoint: string,
	fields: FormFields,
	{ itemIndex, fields: labels }: ApiRequestOptions,
) {
	const node = ctx.getNode();
	if (error instanceof NodeOperationError) return error;
	const site = asSiteError(error);
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
			{ message, description: description ?? '', httpCode: String(site.details.httpCode ?? 200) } as JsonObject,
			{
				message: `${message}${itemSuffix(itemIndex)}`,
				description,
				httpCode: site.details.httpCode ? String(site.details.httpCode) : undefined,
				itemIndex,
			},
		);
	}
	const network = describeNetworkError(error, endpoint);
	const message = network?.message ?? `Calling ${endpoint} failed: ${error?.message ?? String(error)}`;
	return new NodeApiError(node, { message } as JsonObject, {
		message: `${message}${itemSuffix(itemIndex)}`,
		description: network?.description,
		itemIndex,
	});
}

export interface FileStream {
	stream: Readable;
	fileName?: string;
	mimeType?: string;
	size?: number;
}

/** The file name a Content-Disposition header gives, preferring RFC 5987's UTF-8 form. */
function dispositionName(header: unknown): string | undefined {
	const text = Array.isArray(header) ? header[0] : typeof header === 'string' ? header : '';
	const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(text);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim());
		} catch {}
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/.exec(text);
	return plain ? plain[1].trim() : undefined;
}

/**
 * Opens a download URL (it carries its own token) as a stream. The stream fails, instead of
 * ending early, when the connection closes before the announced Content-Length arrived: a cut
 * transfer must never pass for a whole file.
 */
export async function openDownload(
	this: YetiShareContext,
	url: string,
	options: { itemIndex?: number } = {},
): Promise<FileStream> {
	const credentials = await readCredentials(this, options.itemIndex);
	let response: { statusCode: number; headers: Record<string, unknown>; body: Readable };
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: requestTimeoutMs(credentials),
		})) as typeof response;
	} catch (error) {
		throw toNodeError(this, error, 'the download', {}, options);
	}
	const { statusCode, headers, body } = response;
	if (statusCode < 200 || statusCode >= 300) {
		body.resume();
		const why =
			statusCode === 403 || statusCode === 410
				? 'the download link was refused (it may have expired: links are valid for 24 hours)'
				: `HTTP ${statusCode}`;
		throw new NodeApiError(this.getNode(), { message: why } as JsonObject, {
			message: `Downloading the file failed: ${why}${itemSuffix(options.itemIndex)}`,
			httpCode: String(statusCode),
			itemIndex: options.itemIndex,
		});
	}
	const announced = Number(headers['content-length']);
	const size = Number.isFinite(announced) && headers['content-length'] !== undefined ? announced : undefined;
	let received = 0;
	const checked = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			received += chunk.length;
			callback(null, chunk);
		},
		flush(callback) {
			callback(
				size !== undefined && received !== size
					? new Error(`The connection closed after ${received} of ${size} bytes: the download is incomplete`)
					: null,
			);
		},
	});
	body.on('error', (error) => checked.destroy(new Error(`The download broke off after ${received} bytes: ${error.message}`)));
	body.on('aborted', () => checked.destroy(new Error(`The connection closed after ${received} of ${size ?? '?'} bytes: the download is incomplete`)));
	body.pipe(checked);
	const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'].split(';')[0].trim() : undefined;
	return { stream: checked, fileName: dispositionName(headers['content-disposition']), mimeType: contentType, size };
}
