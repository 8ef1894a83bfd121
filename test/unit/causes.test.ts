/**
 * Pure unit tests of transport/causes.ts: reading a thrown error down its chain of causes.
 */
import {
	asSiteError,
	causes,
	isInvalidTokenError,
	networkError,
	signInFailure,
	timedOut,
} from '../../nodes/YetiShare/transport/causes';
import { SiteError } from '../../nodes/YetiShare/transport/site';

const withCode = (code: unknown, message = 'failed', cause?: unknown) =>
	Object.assign(new Error(message, { cause }), { code });
const deadToken = () =>
	new SiteError('Could not validate access_token and account_id', 'api', {
		problem: 'invalidToken',
	});

/** An error wrapped `levels` times (levels 0 = the error itself). */
function wrap(inner: unknown, levels: number): unknown {
	let error = inner;
	for (let level = 0; level < levels; level++)
		error = new Error(`wrapper ${level}`, { cause: error });
	return error;
}

describe('the chain of causes', () => {
	it('lists the error and what it wraps, outermost first', () => {
		const inner = withCode('ECONNRESET');
		const middle = new Error('middle', { cause: inner });
		const outer = new Error('outer', { cause: middle });
		expect(causes(outer)).toEqual([outer, middle, inner]);
		expect(causes(outer)[0]).toBe(outer);
		expect(causes(outer)[2]).toBe(inner);
	});

	it('goes 4 links deep by default', () => {
		expect(causes(wrap(new Error('root'), 9))).toHaveLength(4);
	});

	it('goes as deep as asked', () => {
		expect(causes(wrap(new Error('root'), 9), 2)).toHaveLength(2);
		expect(causes(wrap(new Error('root'), 9), 7)).toHaveLength(7);
		expect(causes(new Error('root'), 0)).toEqual([]);
	});

	it('stops at a cause that is not an object (a string, a number)', () => {
		const error = new Error('outer', { cause: 'just text' });
		expect(causes(error)).toEqual([error]);
		expect(causes(new Error('x', { cause: 42 }))).toHaveLength(1);
	});

	it('plain objects count as links, not only Errors', () => {
		const inner = { code: 'ETIMEDOUT' };
		const outer = { message: 'wrapped', cause: inner };
		expect(causes(outer)).toEqual([outer, inner]);
	});

	it('nothing, null or a primitive has no links', () => {
		expect(causes(undefined)).toEqual([]);
		expect(causes(null)).toEqual([]);
		expect(causes('boom')).toEqual([]);
		expect(causes(500)).toEqual([]);
	});

	it('an error that is its own cause does not loop forever', () => {
		const error: { message: string; cause?: unknown } = { message: 'loop' };
		error.cause = error;
		expect(causes(error)).toEqual([error, error, error, error]);
	});
});

describe('timeouts', () => {
	it.each(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])('the code %s is a timeout', (code) => {
		expect(timedOut(withCode(code))).toBe(true);
	});

	it('"timeout" in a message, any case, is a timeout', () => {
		expect(timedOut(new Error('timeout of 1000ms exceeded'))).toBe(true);
		expect(timedOut(new Error("Timeout awaiting 'request' for 30000ms"))).toBe(true);
		expect(timedOut({ message: 'TIMEOUT' })).toBe(true);
	});

	it('a timeout three wrappers down is found', () => {
		expect(timedOut(wrap(withCode('ETIMEDOUT'), 3))).toBe(true);
	});

	it('a timeout deeper than 4 links is not looked at', () => {
		expect(timedOut(wrap(withCode('ETIMEDOUT'), 4))).toBe(false);
	});

	it('other codes and messages are not timeouts', () => {
		expect(timedOut(withCode('ECONNRESET', 'socket hang up'))).toBe(false);
		expect(timedOut(withCode(110, 'failed'))).toBe(false);
		expect(timedOut(new Error('time out'))).toBe(false);
		expect(timedOut(undefined)).toBe(false);
	});
});

describe('finding the SiteError behind an error', () => {
	it('a SiteError is itself', () => {
		const error = deadToken();
		expect(asSiteError(error)).toBe(error);
	});

	it('a SiteError wrapped once or twice is found', () => {
		const error = deadToken();
		expect(asSiteError(wrap(error, 1))).toBe(error);
		expect(asSiteError(wrap(error, 2))).toBe(error);
	});

	it('a SiteError wrapped three times is not looked for (3 links at most)', () => {
		expect(asSiteError(wrap(deadToken(), 3))).toBeUndefined();
	});

	it('a link that is not an Error ends the search', () => {
		expect(asSiteError({ message: 'plain', cause: deadToken() })).toBeUndefined();
	});

	it('a SiteError from another copy of the module is found by its name and kind', () => {
		const foreign = Object.assign(new Error('from another copy'), {
			name: 'SiteError',
			kind: 'http',
			details: { httpCode: 502 },
		});
		expect(asSiteError(new Error('wrapper', { cause: foreign }))).toBe(foreign);
	});

	it('an Error merely named SiteError, without a kind, is not one', () => {
		const impostor = Object.assign(new Error('x'), { name: 'SiteError' });
		expect(asSiteError(impostor)).toBeUndefined();
	});

	it('anything else has none', () => {
		expect(asSiteError(new Error('boom'))).toBeUndefined();
		expect(asSiteError(undefined)).toBeUndefined();
		expect(asSiteError('text')).toBeUndefined();
	});
});

describe("the credential's sign-in failures behind n8n 1.x's wrapper", () => {
	it('a remembered sign-in failure is found by its message when the wrapper lost its cause', () => {
		const failure = new SiteError('Sign-in failed: unique message 1', 'api', {
			problem: 'invalidToken',
		});
		expect(signInFailure(failure)).toBe(failure);
		// n8n 1.x's NodeApiError keeps only the message
		expect(asSiteError(new Error('Sign-in failed: unique message 1'))).toBe(failure);
		expect(isInvalidTokenError(new Error('Sign-in failed: unique message 1'))).toBe(true);
	});

	it('a wrapper that still has a cause is not matched by message', () => {
		signInFailure(new SiteError('Sign-in failed: unique message 2', 'api'));
		expect(
			asSiteError(new Error('Sign-in failed: unique message 2', { cause: { other: true } })),
		).toBeUndefined();
	});

	it('only SiteErrors are remembered; anything else is returned untouched', () => {
		const plain = new Error('Sign-in failed: unique message 3');
		expect(signInFailure(plain)).toBe(plain);
		expect(signInFailure('text')).toBe('text');
		expect(asSiteError(new Error('Sign-in failed: unique message 3'))).toBeUndefined();
	});

	it('the newest 16 sign-in failures are remembered, older ones forgotten', () => {
		const first = new SiteError('Sign-in failed: oldest of 17', 'api');
		signInFailure(first);
		for (let n = 1; n <= 15; n++) signInFailure(new SiteError(`Sign-in failed: newer ${n}`, 'api'));
		expect(asSiteError(new Error('Sign-in failed: oldest of 17'))).toBe(first);
		signInFailure(new SiteError('Sign-in failed: newer 16', 'api'));
		expect(asSiteError(new Error('Sign-in failed: oldest of 17'))).toBeUndefined();
		expect(asSiteError(new Error('Sign-in failed: newer 1'))).toBeDefined();
	});
});

describe('a dead token', () => {
	it('is an API error about an invalid token, also wrapped', () => {
		expect(isInvalidTokenError(deadToken())).toBe(true);
		expect(isInvalidTokenError(wrap(deadToken(), 2))).toBe(true);
	});

	it('other API errors, HTTP errors and plain errors are not', () => {
		expect(
			isInvalidTokenError(
				new SiteError('Could not find folder.', 'api', { problem: 'folderNotFound' }),
			),
		).toBe(false);
		expect(isInvalidTokenError(new SiteError('HTTP 401', 'http', { httpCode: 401 }))).toBe(false);
		expect(
			isInvalidTokenError(
				new Error('Could not validate access_token and account_id (never remembered)'),
			),
		).toBe(false);
		expect(isInvalidTokenError(undefined)).toBe(false);
	});
});

describe('failures to reach the site, said in words', () => {
	it('a refused connection says nothing listens there and names the call', () => {
		const error = networkError(withCode('ECONNREFUSED'), 'account/info')!;
		expect(error).toBeInstanceOf(SiteError);
		expect(error.kind).toBe('network');
		expect(error.message).toBe(
			'Could not reach the site: the connection was refused (nothing is listening at that address)',
		);
		expect(error.details).toEqual({
			description: 'While calling account/info (ECONNREFUSED).',
			networkCode: 'ECONNREFUSED',
		});
	});

	it.each([
		['ENOTFOUND', 'its host name could not be found (check the Base URL)'],
		['EAI_AGAIN', 'its host name could not be looked up (DNS failure)'],
		['ECONNRESET', 'the connection was closed before the site answered'],
		['EHOSTUNREACH', 'the host is unreachable'],
		['ENETUNREACH', 'the network is unreachable'],
		['EPIPE', 'the connection was closed while sending'],
	])('%s reads "%s"', (code, words) => {
		expect(networkError(withCode(code), 'folder/info')?.message).toBe(
			`Could not reach the site: ${words}`,
		);
	});

	it('a code down the chain is found', () => {
		const error = networkError(wrap(withCode('ENOTFOUND'), 2), 'authorize')!;
		expect(error.details.networkCode).toBe('ENOTFOUND');
		expect(error.details.description).toBe('While calling authorize (ENOTFOUND).');
	});

	it('a timeout says the site did not answer in time and how to raise the timeout', () => {
		const error = networkError(withCode('ETIMEDOUT'), 'file/upload')!;
		expect(error.kind).toBe('network');
		expect(error.message).toBe('The site did not answer file/upload in time');
		expect(error.details.timedOut).toBe(true);
		expect(error.details.networkCode).toBeUndefined();
		expect(error.details.description).toContain('Raise "Timeout (Seconds)"');
	});

	it('a timeout keeps a system code met with it, for retry decisions', () => {
		const error = networkError(
			withCode('ECONNRESET', 'timeout', withCode('ETIMEDOUT')),
			'folder/info',
		)!;
		expect(error.details).toMatchObject({ timedOut: true, networkCode: 'ECONNRESET' });
	});

	it.each([
		'DEPTH_ZERO_SELF_SIGNED_CERT',
		'CERT_HAS_EXPIRED',
		'ERR_TLS_CERT_ALTNAME_INVALID',
		'SELF_SIGNED_CERT_IN_CHAIN',
		'ERR_SSL_WRONG_VERSION_NUMBER',
	])('a certificate problem (%s) is a TLS error that points to "Ignore SSL Issues"', (code) => {
		const error = networkError(withCode(code), 'authorize')!;
		expect(error.kind).toBe('tls');
		expect(error.message).toBe(
			'Could not reach the site: its TLS (https) certificate was not accepted',
		);
		expect(error.details.description).toContain(`While calling authorize (${code}).`);
		expect(error.details.description).toContain('Ignore SSL Issues (Insecure)');
	});

	// Every name Node gives an OpenSSL certificate-verification failure (src/crypto/crypto_common.cc)
	it.each(
		`UNABLE_TO_GET_ISSUER_CERT UNABLE_TO_GET_CRL UNABLE_TO_DECRYPT_CERT_SIGNATURE UNABLE_TO_DECRYPT_CRL_SIGNATURE
		UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY CERT_SIGNATURE_FAILURE CRL_SIGNATURE_FAILURE CERT_NOT_YET_VALID
		CERT_HAS_EXPIRED CRL_NOT_YET_VALID CRL_HAS_EXPIRED ERROR_IN_CERT_NOT_BEFORE_FIELD
		ERROR_IN_CERT_NOT_AFTER_FIELD ERROR_IN_CRL_LAST_UPDATE_FIELD ERROR_IN_CRL_NEXT_UPDATE_FIELD OUT_OF_MEM
		DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_GET_ISSUER_CERT_LOCALLY
		UNABLE_TO_VERIFY_LEAF_SIGNATURE CERT_CHAIN_TOO_LONG CERT_REVOKED INVALID_CA PATH_LENGTH_EXCEEDED
		INVALID_PURPOSE CERT_UNTRUSTED CERT_REJECTED HOSTNAME_MISMATCH`.split(/\s+/),
	)('every certificate-verification code Node gives (%s) points to "Ignore SSL Issues"', (code) => {
		const error = networkError(withCode(code, 'verification failed'), 'authorize')!;
		expect(error.kind).toBe('tls');
		expect(error.details.description).toContain(`While calling authorize (${code}).`);
		expect(error.details.description).toContain('Ignore SSL Issues (Insecure)');
	});

	it("a certificate code is found behind the HTTP client's wrapper, as axios throws it", () => {
		const error = networkError(
			new Error('unable to verify the first certificate', {
				cause: withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
			}),
			'authorize',
		);
		expect(error?.kind).toBe('tls');
	});

	it("Node's own TLS codes (ERR_TLS_…, ERR_SSL_…, ERR_OSSL_…) still point to the certificate", () => {
		for (const code of [
			'ERR_TLS_HANDSHAKE_TIMEOUT',
			'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
			'ERR_OSSL_X509_CERT_ALREADY_IN_HASH_TABLE',
		]) {
			expect(networkError(withCode(code), 'authorize')?.kind).toBe('tls');
		}
	});

	it('codes shaped like the certificate ones but about something else are not TLS errors', () => {
		for (const code of [
			'ABORT_ERR',
			'MODULE_NOT_FOUND',
			'ERR_BAD_RESPONSE',
			'ERR_CANCELED',
			'ERR_INVALID_URL',
			'HPE_INVALID_CHUNK_SIZE',
		]) {
			expect(networkError(withCode(code), 'authorize')).toBeUndefined();
		}
	});

	it('a certificate problem wins over a timeout in the same chain', () => {
		expect(networkError(withCode('CERT_HAS_EXPIRED', 'timeout'), 'authorize')?.kind).toBe('tls');
	});

	it('an error that is not about reaching the site is left alone', () => {
		expect(networkError(new Error('boom'), 'folder/info')).toBeUndefined();
		expect(networkError(withCode('EWHATEVER'), 'folder/info')).toBeUndefined();
		expect(networkError(undefined, 'folder/info')).toBeUndefined();
	});

	it('keeps neither the request nor the original error (their options hold the keys)', () => {
		const original = Object.assign(withCode('ECONNREFUSED'), {
			config: { data: 'key1=SECRETSECRET' },
		});
		const error = networkError(original, 'authorize')!;
		expect(error.cause).toBeUndefined();
		expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
			'SECRETSECRET',
		);
	});
});
