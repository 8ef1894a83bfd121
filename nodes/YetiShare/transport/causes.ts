/**
 * What a thrown error says about the site. n8n and the HTTP client wrap the error that matters (the
 * credential's sign-in failure, a system code, a timeout) in errors of their own, so it is read
 * here, down the chain of causes, one way for the whole transport: retries, sessions and messages.
 */
import { SiteError } from './site';

/** What an error from an HTTP client or the system may carry: a code, a message, a cause. */
export interface ErrorLike {
	code?: unknown;
	message?: unknown;
	cause?: unknown;
}

/** The error and the causes it was wrapped around, outermost first (`depth` deep at most). */
export function causes(error: unknown, depth = 4): ErrorLike[] {
	const links: ErrorLike[] = [];
	for (
		let e = error;
		e !== null && typeof e === 'object' && links.length < depth;
		e = (e as ErrorLike).cause
	)
		links.push(e as ErrorLike);
	return links;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** The request got no answer in time: a timeout's code or message anywhere in the chain. */
export function timedOut(error: unknown): boolean {
	return causes(error).some(
		(e) =>
			(typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)) ||
			/timeout/i.test(String(e.message ?? '')),
	);
}

/**
 * The SiteError behind an error, if any: n8n wraps what the credential's preAuthentication throws,
 * and the credential may be loaded from another copy of this module, so look by name.
 */
export function asSiteError(error: unknown): SiteError | undefined {
	for (const e of causes(error, 3)) {
		if (!(e instanceof Error)) break;
		if (e.name === 'SiteError' && 'kind' in e) return e as SiteError;
	}
	// n8n 1.x's NodeApiError keeps only the message: its class field `cause` is reset after construction
	const message = error instanceof Error && error.cause === undefined ? error.message : undefined;
	return message ? signInFailures.find((failure) => failure.message === message) : undefined;
}

/** The last failures of the credential's sign-in, for asSiteError to find behind n8n 1.x's wrapper. */
const signInFailures: SiteError[] = [];

/** Remembers a sign-in failure (see asSiteError) and returns it, to be thrown. */
export function signInFailure(error: unknown): unknown {
	if (error instanceof SiteError) {
		signInFailures.unshift(error);
		signInFailures.length = Math.min(signInFailures.length, 16);
	}
	return error;
}

export function isInvalidTokenError(error: unknown): boolean {
	return asSiteError(error)?.details.problem === 'invalidToken';
}

const UNREACHABLE: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused (nothing is listening at that address)',
	ENOTFOUND: 'its host name could not be found (check the Base URL)',
	EAI_AGAIN: 'its host name could not be looked up (DNS failure)',
	ECONNRESET: 'the connection was closed before the site answered',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	EPIPE: 'the connection was closed while sending',
};

/**
 * The names Node gives OpenSSL's certificate-verification failures (X509_V_ERR_… without the
 * prefix, from src/crypto/crypto_common.cc). They share no shape to match on: several hold no
 * "CERT" (UNABLE_TO_VERIFY_LEAF_SIGNATURE, INVALID_CA, HOSTNAME_MISMATCH), and codes that are no
 * TLS failure look just like them (ABORT_ERR, MODULE_NOT_FOUND), so Node's list is kept whole.
 */
const CERTIFICATE_CODES = new Set(
	`UNABLE_TO_GET_ISSUER_CERT UNABLE_TO_GET_CRL UNABLE_TO_DECRYPT_CERT_SIGNATURE UNABLE_TO_DECRYPT_CRL_SIGNATURE
	UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY CERT_SIGNATURE_FAILURE CRL_SIGNATURE_FAILURE CERT_NOT_YET_VALID CERT_HAS_EXPIRED
	CRL_NOT_YET_VALID CRL_HAS_EXPIRED ERROR_IN_CERT_NOT_BEFORE_FIELD ERROR_IN_CERT_NOT_AFTER_FIELD
	ERROR_IN_CRL_LAST_UPDATE_FIELD ERROR_IN_CRL_NEXT_UPDATE_FIELD OUT_OF_MEM DEPTH_ZERO_SELF_SIGNED_CERT
	SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_GET_ISSUER_CERT_LOCALLY UNABLE_TO_VERIFY_LEAF_SIGNATURE CERT_CHAIN_TOO_LONG
	CERT_REVOKED INVALID_CA PATH_LENGTH_EXCEEDED INVALID_PURPOSE CERT_UNTRUSTED CERT_REJECTED HOSTNAME_MISMATCH`.split(
		/\s+/,
	),
);

/**
 * A failed TLS handshake: a certificate-verification name, or a code of Node's own about TLS
 * (ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_…, ERR_OSSL_…). Any other code naming a certificate
 * (a newer Node's) counts too.
 */
function isTlsCode(code: string): boolean {
	return CERTIFICATE_CODES.has(code) || /CERT|SSL|TLS/i.test(code);
}

/**
 * A failure to reach the site (refused, no such host, no answer in time, a TLS certificate not
 * accepted) as an error that says in words what is wrong and what to do; undefined for any
 * other error. Node errors and the editor's credential test both show it. It keeps neither the
 * request nor the original error (their options hold the keys), only what retries need.
 */
export function networkError(error: unknown, endpoint: string): SiteError | undefined {
	const codes = causes(error).map((e) => (typeof e.code === 'string' ? e.code : ''));
	const tls = codes.find(isTlsCode);
	if (tls) {
		return new SiteError(
			'Could not reach the site: its TLS (https) certificate was not accepted',
			'tls',
			{
				description:
					`While calling ${endpoint} (${tls}). ` +
					`If the site uses a self-signed certificate and you run it yourself, ` +
					`turn on "Ignore SSL Issues (Insecure)" in the credential; otherwise the site's ` +
					`certificate is expired, for another name, or not from a trusted authority.`,
			},
		);
	}
	const code = codes.find((own) => UNREACHABLE[own]);
	if (timedOut(error)) {
		return new SiteError(`The site did not answer ${endpoint} in time`, 'network', {
			description:
				'The request timed out. Raise "Timeout (Seconds)" in the credential if the site is slow, or check that it is up.',
			networkCode: code,
			timedOut: true,
		});
	}
	if (!code) return undefined;
	return new SiteError(`Could not reach the site: ${UNREACHABLE[code]}`, 'network', {
		description: `While calling ${endpoint} (${code}).`,
		networkCode: code,
	});
}
