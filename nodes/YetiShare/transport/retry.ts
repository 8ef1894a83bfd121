/**
 * When a failed call may be sent again. A proxy in front of the script answers 429 and 5xx,
 * connections drop, and the script itself can die mid-request. Whether a retry is safe depends
 * on what the failure says about the site: it certainly did not act (429, a failed DNS lookup)
 * or it may have (a 5xx, a timeout, a dropped connection after the request went out).
 */
import { clock } from '../execution/clock';
import { slowDown } from '../execution/parallel';
import { asSiteError, causes, timedOut, type ErrorLike } from './causes';
import { OutcomeInconclusive, OutcomeUnknown, RetriesExhausted } from './errors';
import { resultOf, requestTimeoutMs, type Envelope, type YetiShareCredentials } from './site';
import { backoffMs, parseRetryAfter } from './waits';

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

/** What a call that creates something brings for its unknown outcomes. */
export interface CreateCheck {
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

/**
 * Runs `run` until it succeeds, retrying the failures `classifyFailure` allows. For a call that
 * creates something (`creating` given), an unknown outcome is first checked with its `confirm`.
 */
export async function withRetries<T>(
	ctx: object,
	policy: RetryPolicy,
	run: () => Promise<T>,
	creating?: CreateCheck,
): Promise<T> {
	// Waits between attempts and the time of attempts that waited for an answer in vain both count,
	// so a hung site ends a call in about Timeout + Max Retry Wait.
	let waited = 0;
	let waitedForAnswers = 0;
	for (let attempts = 1; ; attempts++) {
		const startedAt = clock.now();
		const tried = await resultOf(run);
		if (tried.ok) return tried.value;
		const error = tried.error;
		const failure = classifyFailure(error);
		if (!failure) throw error;
		// the execution's other items back off too: fewer in flight from now on
		if (failure.rateLimited) slowDown(ctx);
		if (failure.waitedForAnswer)
			waitedForAnswers += Math.min(clock.now() - startedAt, policy.timeoutMs);
		if (failure.acted === 'unknown' && creating) {
			const found = await findCreated(
				creating,
				failure,
				startedAt,
				policy.maxWaitMs - waited - waitedForAnswers,
			);
			if (found) return found as T;
		}
		if (attempts >= policy.maxAttempts) {
			// With retries turned off, the failure speaks for itself (but a rate limit is named).
			throw policy.maxAttempts === 1 && !failure.rateLimited
				? error
				: new RetriesExhausted(failure, attempts, error);
		}
		const wait = failure.retryAfterMs ?? backoffMs(attempts);
		if (waited + waitedForAnswers + wait > policy.maxWaitMs) {
			// the time spent waiting for answers is named when it, not the wait asked for, passed the budget
			throw new RetriesExhausted(
				failure,
				attempts,
				error,
				wait,
				waited + wait > policy.maxWaitMs ? 0 : waitedForAnswers,
			);
		}
		await clock.sleep(wait);
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
	creating: CreateCheck,
	failure: AttemptFailure,
	startedAt: number,
	budgetMs: number,
): Promise<Envelope | undefined> {
	const what = creating.creates ?? 'what this call creates';
	const confirm = creating.confirm;
	if (!confirm) throw new OutcomeUnknown(failure, what);
	const look = async () => {
		const looked = await resultOf(async () => await confirm(clock.now() - startedAt));
		if (!looked.ok) throw new OutcomeUnknown(failure, what, looked.error);
		return looked.value;
	};
	const found = await look();
	if (found || !failure.mayStillAct) return found;
	let waited = 0;
	for (let round = 1; waited + backoffMs(round, () => 1) <= budgetMs; round++) {
		const wait = backoffMs(round);
		await clock.sleep(wait);
		waited += wait;
		const later = await look();
		if (later) return later;
	}
	const looked =
		waited > 0 ? `after looking again for ${Math.ceil(waited / 1000)} s` : 'when looked for';
	throw new OutcomeUnknown(
		failure,
		what,
		new OutcomeInconclusive(
			`Nothing had appeared ${looked}, but the site may still have been working on the call when its answer was given up on`,
		),
	);
}
