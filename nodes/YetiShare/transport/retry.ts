/**
 * When a failed call may be sent again. A proxy in front of the script answers 429 and 5xx,
 * connections drop, and the script itself can die mid-request. Whether a retry is safe depends
 * on what the failure says about the site: it certainly did not act (429, a failed DNS lookup)
 * or it may have (a 5xx, a timeout, a dropped connection after the request went out).
 */
import { asSiteError, causes, timedOut, type ErrorLike } from './causes';
import { requestTimeoutMs, type YetiShareCredentials } from './site';

/** The endpoints that create something: repeating one after an unknown outcome could make two. */
export const CREATING_ENDPOINTS = new Set([
	'file/upload',
	'file/copy',
	'folder/create',
	'file/url_upload_add',
]);

export interface RetryPolicy {
	/**
	 * The most time one call spends waiting: between attempts, and in attempts that waited for an
	 * answer and failed (see `AttemptFailure.waitedForAnswer`).
	 */
	maxWaitMs: number;
	maxAttempts: number;
	/**
	 * The credential's timeout: an idle timeout, so no attempt waits longer than this for the
	 * site; the rest of a long failed transfer was spent moving bytes, and does not count.
	 */
	timeoutMs: number;
}

export const MAX_ATTEMPTS = 5;
/** The code of a download that ended before its Content-Length arrived. */
export const TRANSFER_CUT = 'EDOWNLOADCUT';
const DEFAULT_MAX_WAIT_SECONDS = 60;

export function retryPolicy(credentials: YetiShareCredentials): RetryPolicy {
	const seconds = Number(credentials.maxRetryWait ?? DEFAULT_MAX_WAIT_SECONDS);
	const maxWaitMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
	return {
		maxWaitMs,
		maxAttempts: maxWaitMs > 0 ? MAX_ATTEMPTS : 1,
		timeoutMs: requestTimeoutMs(credentials),
	};
}

/** What one failed attempt says, for deciding whether and when to send the call again. */
export interface AttemptFailure {
	/** 'no': the site certainly did not act; 'unknown': it may have. */
	acted: 'no' | 'unknown';
	/** How the failure reads to a person, e.g. "HTTP 502" or "the connection was reset". */
	reason: string;
	rateLimited?: boolean;
	/** What the site asked for in Retry-After. */
	retryAfterMs?: number;
	/**
	 * The attempt's time was spent waiting for the site (a timeout, or a 5xx that may have come
	 * only after a proxy gave up waiting), so it counts against Max Retry Wait: a hung site
	 * then fails a call in about Timeout + Max Retry Wait, not five timeouts. A dropped or cut
	 * connection does not count: its time went into sending or moving a file.
	 */
	waitedForAnswer?: boolean;
	/**
	 * Whoever gave up waiting (the client's timeout, a proxy's 504) did so while the site may still
	 * be working on the call: a create it finishes later is not in a listing yet, so not finding it
	 * does not mean it was not made.
	 */
	mayStillAct?: boolean;
}

/** Gateway timeouts: the proxy stopped waiting, the script behind it may not have (nginx 504, a CDN's 524). */
const GATEWAY_TIMEOUTS = new Set([504, 524]);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<hour>\\d\\d):(?<minute>\\d\\d):(?<second>\\d\\d)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

/** RFC 9110's HTTP-date: IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
const HTTP_DATES = [
	new RegExp(`^${DAY}, (?<day>\\d\\d) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
	new RegExp(
		`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (?<day>\\d\\d)-${MONTH}-(?<year>\\d\\d) ${TIME} GMT$`,
	),
	new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * An HTTP-date as a time, or undefined. Date.parse is not used: it takes nearly anything ("-5"
 * and "1.5" are days in 2001).
 */
function parseHttpDate(text: string, now: number): number | undefined {
	const parts = HTTP_DATES.map((form) => form.exec(text)?.groups).find(Boolean);
	if (!parts) return undefined;
	const [day, hour, minute, second] = [parts.day, parts.hour, parts.minute, parts.second].map(
		Number,
	);
	let year = Number(parts.year);
	if (parts.year.length === 2) {
		// RFC 9110: a two-digit year over 50 years ahead is the last such year in the past
		const thisYear = new Date(now).getUTCFullYear();
		year += thisYear - (thisYear % 100);
		if (year > thisYear + 50) year -= 100;
	}
	const midnight = Date.UTC(year, MONTHS.indexOf(parts.month), day);
	// 60 seconds: a leap second; a day the month lacks (31 Feb) would roll into the next month
	if (hour > 23 || minute > 59 || second > 60 || new Date(midnight).getUTCDate() !== day)
		return undefined;
	return midnight + ((hour * 60 + minute) * 60 + second) * 1000;
}

/**
 * Retry-After is either delta-seconds (digits only) or an HTTP-date. Anything else is ignored
 * (and backoff applies).
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const first: unknown = Array.isArray(value) ? value[0] : value;
	const text = typeof first === 'string' ? first.trim() : '';
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = parseHttpDate(text, now);
	return date === undefined ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: about 1, 2, 4, 8 s, each between half and all of that. */
export function backoffMs(attempt: number, random = Math.random): number {
	const ceiling = Math.min(1000 * 2 ** (attempt - 1), 30_000);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A system error's code (ECONNRESET, EAI_AGAIN, our EDOWNLOADCUT), the first down the chain of
 * causes. The wrappers' own codes (axios' and Node's ERR_…, certificate names) say nothing about
 * the network and must not hide the system code beneath them.
 */
const SYSTEM_CODE = /^E(?:AI_)?[A-Z]+$/;

function networkCode(error: unknown): string | undefined {
	return causes(error).find((e) => typeof e.code === 'string' && SYSTEM_CODE.test(e.code))?.code as
		| string
		| undefined;
}

/** What a failed attempt says, or undefined when repeating it cannot help (an API error, a 404…). */
export function classifyFailure(error: unknown): AttemptFailure | undefined {
	const site = asSiteError(error);
	if (site && site.kind !== 'network') {
		const status = site.details.httpCode;
		if (site.kind !== 'http' || status === undefined) return undefined;
		if (status === 429) {
			return {
				acted: 'no',
				reason: 'HTTP 429 (too many requests)',
				rateLimited: true,
				retryAfterMs: parseRetryAfter(site.details.retryAfter),
			};
		}
		if (status >= 500 && status <= 599) {
			// A 503 from a proxy usually means the script was not reached, but PHP can send one too.
			const mayStillAct = GATEWAY_TIMEOUTS.has(status);
			return {
				acted: 'unknown',
				reason: mayStillAct
					? `HTTP ${status} (the web server stopped waiting for the site's script)`
					: `HTTP ${status}`,
				retryAfterMs: parseRetryAfter(site.details.retryAfter),
				waitedForAnswer: true,
				mayStillAct,
			};
		}
		return undefined;
	}
	// a 'network' SiteError is what /authorize met, said in words (see networkError)
	const code = site ? site.details.networkCode : networkCode(error);
	// ECONNREFUSED is not retried: nothing listens there, usually a wrong Base URL, and saying so at
	// once helps more than trying for a minute.
	if (code === 'EAI_AGAIN') return { acted: 'no', reason: 'the host name could not be looked up' };
	if (site ? site.details.timedOut : timedOut(error))
		return {
			acted: 'unknown',
			reason: 'the site did not answer in time',
			waitedForAnswer: true,
			mayStillAct: true,
		};
	if (code === TRANSFER_CUT) return { acted: 'unknown', reason: 'the transfer was cut off' };
	if (
		code === 'ECONNRESET' ||
		code === 'EPIPE' ||
		/socket hang up/i.test(String((error as ErrorLike | undefined)?.message ?? ''))
	) {
		return { acted: 'unknown', reason: 'the connection was closed before the site answered' };
	}
	return undefined;
}
