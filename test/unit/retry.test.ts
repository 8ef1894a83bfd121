/**
 * Pure unit tests of transport/retry.ts: when a failed call may be sent again (how long to wait:
 * retry-wait.test.ts). No server, no engine, no real waiting.
 */
import {
	classifyFailure,
	CREATING_ENDPOINTS,
	MAX_ATTEMPTS,
	retryPolicy,
	TRANSFER_CUT,
} from '../../nodes/YetiShare/transport/retry';
import { networkError } from '../../nodes/YetiShare/transport/causes';
import {
	readAnswer,
	SiteError,
	type YetiShareCredentials,
} from '../../nodes/YetiShare/transport/site';

/** What readAnswer throws for one HTTP answer. */
function answerError(
	statusCode: number,
	body: unknown = '',
	headers: Record<string, unknown> = {},
	endpoint = 'folder/info',
): SiteError {
	try {
		readAnswer(endpoint, statusCode, body, headers);
	} catch (error) {
		return error as SiteError;
	}
	throw new Error(`readAnswer accepted HTTP ${statusCode}`);
}

/** A system error as Node's http client raises it. */
function systemError(code: string, message = `connect ${code}`): Error {
	return Object.assign(new Error(message), { code });
}

const credentials = (extra: Partial<YetiShareCredentials> = {}): YetiShareCredentials => ({
	baseUrl: 'https://files.example.com',
	authentication: 'apiKeys',
	...extra,
});

describe('retry policy from the credential', () => {
	it('by default waits up to 60 s over 5 attempts, each waiting up to 60 s for an answer', () => {
		expect(retryPolicy(credentials())).toEqual({
			maxWaitMs: 60_000,
			maxAttempts: MAX_ATTEMPTS,
			timeoutMs: 60_000,
		});
		expect(MAX_ATTEMPTS).toBe(5);
	});

	it('Max Retry Wait 0 means one attempt and no retries', () => {
		expect(retryPolicy(credentials({ maxRetryWait: 0 }))).toMatchObject({
			maxWaitMs: 0,
			maxAttempts: 1,
		});
	});

	it('a negative or unreadable Max Retry Wait means no retries', () => {
		expect(retryPolicy(credentials({ maxRetryWait: -5 }))).toMatchObject({
			maxWaitMs: 0,
			maxAttempts: 1,
		});
		expect(retryPolicy(credentials({ maxRetryWait: 'abc' as unknown as number }))).toMatchObject({
			maxWaitMs: 0,
			maxAttempts: 1,
		});
		expect(retryPolicy(credentials({ maxRetryWait: Infinity }))).toMatchObject({
			maxWaitMs: 0,
			maxAttempts: 1,
		});
	});

	it('Max Retry Wait is read in seconds, also when stored as text', () => {
		expect(retryPolicy(credentials({ maxRetryWait: 10 }))).toMatchObject({
			maxWaitMs: 10_000,
			maxAttempts: 5,
		});
		expect(retryPolicy(credentials({ maxRetryWait: '2.5' as unknown as number }))).toMatchObject({
			maxWaitMs: 2500,
			maxAttempts: 5,
		});
	});

	it('a cleared (null) Max Retry Wait falls back to the 60 s default', () => {
		expect(retryPolicy(credentials({ maxRetryWait: null as unknown as number })).maxWaitMs).toBe(
			60_000,
		);
	});

	it('the attempt timeout is the credential timeout in seconds, 60 s when unset or invalid', () => {
		expect(retryPolicy(credentials({ timeout: 30 })).timeoutMs).toBe(30_000);
		expect(retryPolicy(credentials({ timeout: 0 })).timeoutMs).toBe(60_000);
		expect(retryPolicy(credentials({ timeout: -1 })).timeoutMs).toBe(60_000);
	});
});

describe('which endpoints create something', () => {
	it('uploads, copies, new folders and URL uploads create; reads and edits do not', () => {
		for (const endpoint of ['file/upload', 'file/copy', 'folder/create', 'file/url_upload_add'])
			expect(CREATING_ENDPOINTS.has(endpoint)).toBe(true);
		for (const endpoint of ['file/info', 'folder/listing', 'file/edit', 'file/delete', 'authorize'])
			expect(CREATING_ENDPOINTS.has(endpoint)).toBe(false);
	});
});

describe('classifying a failed attempt', () => {
	describe('HTTP answers', () => {
		it('a 429 certainly did not act, is rate limited and keeps the Retry-After', () => {
			expect(classifyFailure(answerError(429, 'slow down', { 'retry-after': '3' }))).toEqual({
				acted: 'no',
				reason: 'HTTP 429 (too many requests)',
				rateLimited: true,
				retryAfterMs: 3000,
			});
		});

		it('a 429 without Retry-After leaves the wait to backoff', () => {
			const failure = classifyFailure(answerError(429))!;
			expect(failure.rateLimited).toBe(true);
			expect(failure.retryAfterMs).toBeUndefined();
		});

		it('a 502 may have acted, waited for an answer, and will not act later', () => {
			expect(classifyFailure(answerError(502, '<html>Bad Gateway</html>'))).toEqual({
				acted: 'unknown',
				reason: 'HTTP 502',
				retryAfterMs: undefined,
				waitedForAnswer: true,
				mayStillAct: false,
			});
		});

		it('a 503 with Retry-After keeps the wait it asked for', () => {
			expect(classifyFailure(answerError(503, '', { 'retry-after': '10' }))).toMatchObject({
				acted: 'unknown',
				reason: 'HTTP 503',
				retryAfterMs: 10_000,
			});
		});

		it('a 504 on a create may still act: the proxy stopped waiting, not the script', () => {
			const failure = classifyFailure(answerError(504, 'Gateway Time-out', {}, 'folder/create'))!;
			expect(failure).toEqual({
				acted: 'unknown',
				reason: "HTTP 504 (the web server stopped waiting for the site's script)",
				retryAfterMs: undefined,
				waitedForAnswer: true,
				mayStillAct: true,
			});
		});

		it("a CDN's 524 may still act, like a 504", () => {
			expect(classifyFailure(answerError(524))).toMatchObject({
				acted: 'unknown',
				reason: "HTTP 524 (the web server stopped waiting for the site's script)",
				mayStillAct: true,
				waitedForAnswer: true,
			});
		});

		it('every 5xx from 500 to 599 is retried, 600 is not', () => {
			expect(classifyFailure(answerError(500))?.reason).toBe('HTTP 500');
			expect(classifyFailure(answerError(599))?.reason).toBe('HTTP 599');
			expect(classifyFailure(answerError(600))).toBeUndefined();
		});

		it('a 413 (too large) is not retried: sending it again cannot help', () => {
			expect(
				classifyFailure(
					answerError(413, '<h1>413 Request Entity Too Large</h1>', {}, 'file/upload'),
				),
			).toBeUndefined();
		});

		it('other 4xx answers (400, 401, 403) are not retried', () => {
			for (const status of [400, 401, 403, 418])
				expect(classifyFailure(answerError(status))).toBeUndefined();
		});

		it('a 404 (the site lacks the endpoint) is not retried', () => {
			expect(classifyFailure(answerError(404))).toBeUndefined();
		});

		it('a redirect is not retried', () => {
			expect(
				classifyFailure(
					answerError(301, '', { location: 'https://files.example.com/api/v2/folder/info' }),
				),
			).toBeUndefined();
		});

		it('a 429 or 5xx found behind a wrapping error is still classified', () => {
			const wrapped = new Error('NodeApiError', {
				cause: answerError(429, '', { 'retry-after': '2' }),
			});
			expect(classifyFailure(wrapped)).toMatchObject({
				acted: 'no',
				rateLimited: true,
				retryAfterMs: 2000,
			});
		});

		it('an http SiteError without a status code is not retried', () => {
			expect(classifyFailure(new SiteError('odd', 'http'))).toBeUndefined();
		});
	});

	describe('answers of the script', () => {
		it('an invalid-token message on HTTP 200 is not retried here (the session renews it)', () => {
			const dead = answerError(200, {
				_status: 'error',
				response: 'Could not validate access_token and account_id',
			});
			expect(dead.details.problem).toBe('invalidToken');
			expect(classifyFailure(dead)).toBeUndefined();
		});

		it('an API error, an answer that is not JSON, a config or TLS error are not retried', () => {
			expect(
				classifyFailure(answerError(200, { status: 'error', response: 'Could not find folder.' })),
			).toBeUndefined();
			expect(classifyFailure(answerError(200, '<html>maintenance</html>'))).toBeUndefined();
			expect(classifyFailure(new SiteError('no base url', 'config'))).toBeUndefined();
			expect(
				classifyFailure(new SiteError('bad cert', 'tls', { networkCode: 'ECONNRESET' })),
			).toBeUndefined();
		});
	});

	describe('network failures', () => {
		it('a failed DNS lookup (EAI_AGAIN) certainly did not act', () => {
			expect(classifyFailure(systemError('EAI_AGAIN'))).toEqual({
				acted: 'no',
				reason: 'the host name could not be looked up',
			});
		});

		it('a refused connection (ECONNREFUSED) is not retried: usually a wrong Base URL', () => {
			expect(classifyFailure(systemError('ECONNREFUSED'))).toBeUndefined();
		});

		it('an unknown host (ENOTFOUND) is not retried', () => {
			expect(classifyFailure(systemError('ENOTFOUND'))).toBeUndefined();
		});

		it.each(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT'])(
			'a timeout (%s) may have acted, may still act, and counts as waiting',
			(code) => {
				expect(classifyFailure(systemError(code, 'request failed'))).toEqual({
					acted: 'unknown',
					reason: 'the site did not answer in time',
					waitedForAnswer: true,
					mayStillAct: true,
				});
			},
		);

		it('a timeout said only in the message is a timeout', () => {
			expect(classifyFailure(new Error('timeout of 30000ms exceeded'))?.reason).toBe(
				'the site did not answer in time',
			);
		});

		it('a cut download may have acted and does not count as waiting', () => {
			expect(classifyFailure(systemError(TRANSFER_CUT, 'ended early'))).toEqual({
				acted: 'unknown',
				reason: 'the transfer was cut off',
			});
			expect(TRANSFER_CUT).toBe('EDOWNLOADCUT');
		});

		it.each(['ECONNRESET', 'EPIPE'])(
			'a dropped connection (%s) may have acted and does not count as waiting',
			(code) => {
				expect(classifyFailure(systemError(code, 'write failed'))).toEqual({
					acted: 'unknown',
					reason: 'the connection was closed before the site answered',
				});
			},
		);

		it('"socket hang up" without a code is a dropped connection', () => {
			expect(classifyFailure(new Error('Socket hang up'))?.reason).toBe(
				'the connection was closed before the site answered',
			);
		});

		it('the system code is found down the chain of causes', () => {
			const wrapped = new Error('outer', {
				cause: new Error('middle', { cause: systemError('ECONNRESET') }),
			});
			expect(classifyFailure(wrapped)?.reason).toBe(
				'the connection was closed before the site answered',
			);
		});

		it("a dropped connection behind a wrapper with a code of its own (axios' ERR_BAD_RESPONSE, ERR_NETWORK) is retried", () => {
			for (const wrapper of ['ERR_BAD_RESPONSE', 'ERR_NETWORK', 'ERR_BAD_REQUEST']) {
				const wrapped = Object.assign(
					new Error('Request failed', { cause: systemError('ECONNRESET', 'read ECONNRESET') }),
					{ code: wrapper },
				);
				expect(classifyFailure(wrapped)).toEqual({
					acted: 'unknown',
					reason: 'the connection was closed before the site answered',
				});
			}
		});

		it('a failed DNS lookup or a cut download behind a coded wrapper is found too', () => {
			const dns = Object.assign(new Error('outer', { cause: systemError('EAI_AGAIN') }), {
				code: 'ERR_NETWORK',
			});
			expect(classifyFailure(dns)?.acted).toBe('no');
			const cut = new Error('n8n', {
				cause: Object.assign(new Error('axios', { cause: systemError(TRANSFER_CUT) }), {
					code: 'ERR_BAD_RESPONSE',
				}),
			});
			expect(classifyFailure(cut)?.reason).toBe('the transfer was cut off');
		});

		it('a wrapper code alone (ERR_…, a certificate name starting with E) is no network failure', () => {
			expect(
				classifyFailure(Object.assign(new Error('x'), { code: 'ERR_BAD_RESPONSE' })),
			).toBeUndefined();
			expect(
				classifyFailure(Object.assign(new Error('x'), { code: 'ERR_CANCELED' })),
			).toBeUndefined();
			const cert = Object.assign(new Error('x', { cause: systemError('ECONNRESET') }), {
				code: 'ERROR_IN_CERT_NOT_AFTER_FIELD',
			});
			expect(classifyFailure(cert)?.reason).toBe(
				'the connection was closed before the site answered',
			);
		});

		it('a code that is not a system code (lowercase, a number) is ignored', () => {
			expect(
				classifyFailure(Object.assign(new Error('x'), { code: 'econnreset' })),
			).toBeUndefined();
			expect(classifyFailure(Object.assign(new Error('x'), { code: 104 }))).toBeUndefined();
		});

		it('a failed DNS lookup wins over a timeout message: it certainly did not act', () => {
			expect(classifyFailure(systemError('EAI_AGAIN', 'getaddrinfo timeout'))?.acted).toBe('no');
		});

		it('a plain error, or nothing at all, is not retried', () => {
			expect(classifyFailure(new Error('boom'))).toBeUndefined();
			expect(classifyFailure(undefined)).toBeUndefined();
			expect(classifyFailure(null)).toBeUndefined();
			expect(classifyFailure('a string')).toBeUndefined();
		});
	});

	describe("the sign-in's network errors, said in words (networkError)", () => {
		it('a timed-out sign-in may still act and counts as waiting', () => {
			const failure = classifyFailure(networkError(systemError('ETIMEDOUT'), 'authorize'));
			expect(failure).toEqual({
				acted: 'unknown',
				reason: 'the site did not answer in time',
				waitedForAnswer: true,
				mayStillAct: true,
			});
		});

		it('a sign-in that failed its DNS lookup did not act', () => {
			expect(classifyFailure(networkError(systemError('EAI_AGAIN'), 'authorize'))?.acted).toBe(
				'no',
			);
		});

		it('a sign-in whose connection was reset may have acted', () => {
			expect(classifyFailure(networkError(systemError('ECONNRESET'), 'authorize'))?.reason).toBe(
				'the connection was closed before the site answered',
			);
		});

		it('a sign-in that was refused is not retried', () => {
			expect(
				classifyFailure(networkError(systemError('ECONNREFUSED'), 'authorize')),
			).toBeUndefined();
		});
	});
});
