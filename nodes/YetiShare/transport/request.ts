/**
 * Sends one call to the site: reads the credential (once per execution), builds the request,
 * runs the session protocol (session.ts) and the retries (retry.ts) around it, and hands every
 * failure to errors.ts, so each operation only names its endpoint and fields.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import { remember } from '../execution/cache';
import { noteAnswer } from '../execution/seenIds';
import { toNodeError } from './errors';
import type { MultipartForm } from './multipart';
import { explainRefusal } from './refusal';
import { CREATING_ENDPOINTS, retryPolicy, withRetries, type CreateCheck } from './retry';
import { sessionKey, withSession } from './session';
import {
	apiUrl,
	CREDENTIAL_TYPE,
	encodeForm,
	FORM_HEADERS,
	resultOf,
	readAnswer,
	requestTimeoutMs,
	type Envelope,
	type FormFields,
	type YetiShareCredentials,
} from './site';

export type YetiShareContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface ApiRequestOptions extends CreateCheck {
	/** The input item this call serves; named in every error. */
	itemIndex?: number;
	/**
	 * API field → the node parameter it came from. The API names its fields in its errors
	 * ("Could not find folder based on folder_id."): this lets the error name the parameter too.
	 */
	fields?: Record<string, string>;
}

async function readCredentials(
	ctx: YetiShareContext,
	itemIndex?: number,
): Promise<YetiShareCredentials> {
	const credentials = await (
		ctx as IExecuteFunctions
	).getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE, itemIndex);
	return { ...credentials } as unknown as YetiShareCredentials;
}

/**
 * The credential as this execution last read it. For n8n a read is a database query and a
 * decryption, a quarter of a small call's cost, so an execution reads it once. n8n writes a token
 * it renews into this same object; a token the site reports dead sends the next read to the store.
 */
export async function sessionCredentials(
	ctx: YetiShareContext,
	itemIndex?: number,
): Promise<YetiShareCredentials> {
	return await remember(ctx, 'credentials', async () => await readCredentials(ctx, itemIndex));
}

/**
 * A request body for one attempt. Streamed bodies (uploads) cannot be sent twice, so a call
 * carries a factory and every attempt builds its body afresh.
 */
export type BodyFactory = () => string | MultipartForm | Promise<MultipartForm>;

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
	const response = await resultOf(
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
	const read = await resultOf(async () =>
		readAnswer(endpoint, statusCode, answer, headers, request.url),
	);
	if (read.ok) return read.value;
	throw (
		explainRefusal(
			read.error,
			endpoint,
			typeof payload === 'string' ? undefined : payload.sent(),
		) ?? read.error
	);
}

/** Calls one endpoint with form fields and returns the answer's envelope (`data`, `response`, …). */
export async function apiRequest(
	this: YetiShareContext,
	endpoint: string,
	fields: FormFields = {},
	options: ApiRequestOptions = {},
): Promise<Envelope> {
	return await apiRequestWithBody.call(this, endpoint, () => encodeForm(fields), fields, options);
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

/**
 * Calls one endpoint with a body built by `body` (a form string, or a multipart form for uploads).
 *
 * Failures that say the site did not act (429, a failed DNS lookup) are retried; so are failures
 * with an unknown outcome (5xx, timeouts, dropped connections) for calls that are safe to repeat.
 * A call that creates something is repeated after an unknown outcome only when `confirm` has
 * looked and found nothing created. Waits follow Retry-After, otherwise exponential backoff with
 * jitter, within the credential's "Max Retry Wait".
 */
export async function apiRequestWithBody(
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
