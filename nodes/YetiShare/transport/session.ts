/**
 * The session token, shared by every execution in every n8n process through the stored credential.
 *
 * The site keeps one live token per account: each /authorize ends every other session of that
 * account, and a dead token is answered with HTTP 200 and an error, so n8n never renews it by
 * itself. Any number of executions, in any number of processes (n8n instances, queue-mode
 * workers), can meet a dead token at the same moment. If each signed in again, each would end the
 * others' fresh session and nobody would get through. So a call that meets a dead token (or finds
 * none) runs this protocol, in at most MAX_ROUNDS rounds:
 *
 * 1. Use a newer token if there is one: one this process learned meanwhile, else the one stored
 *    with the credential, read again from n8n's store (another process may have renewed).
 * 2. Otherwise, if an execution of this process is already renewing (step 3), wait for it and
 *    use its token: one renewal per process, its wait included, serves all its executions.
 * 3. Otherwise give a renewal elsewhere a short, jittered moment to land (about as long as a
 *    sign-in took this process, so it holds on a slow network too), read the store once more, and
 *    sign in only if it still holds no newer token. n8n runs the credential's /authorize and
 *    saves the token with the credential, where every other process finds it in step 1.
 *    But if the token this process itself just signed in for died at once, someone signed in
 *    right after it, and that newer token is on its way to the store (late under load: behind its
 *    /authorize answer and n8n's save). Then the store is read with growing pauses, about 15
 *    sign-in times in all, before signing in again. And if the token that died was another
 *    process's and worked here, that process meets its death too and most likely renews first:
 *    the store is read once more, after twice the moment, before signing in.
 *
 * Then the call is sent with that token. A token seen dead stays dead (the site never revives
 * one), so it is remembered and never tried again. Two processes can still sign in at nearly the
 * same time: the later sign-in ends the earlier's token at once, and the earlier process waits
 * for the later token (step 3) instead of ending it in turn, so a collision costs one sign-in, not
 * a chain of them. Only if n8n saved the earlier token over the later one (answers and saves land
 * in either order) does the store never show the later token; the earlier process then signs in
 * once more after its wait, and the others find that token in step 1. What can keep the rounds
 * from converging is another client signing in with the same keys over and over: after
 * MAX_ROUNDS the call fails and says so.
 */
import { createHash } from 'crypto';
import { clock } from '../execution/clock';
import { isInvalidTokenError } from './causes';
import { resultOf, SiteError, type YetiShareCredentials } from './site';

export const MAX_ROUNDS = 5;
/** Until this process has signed in once: /authorize, n8n saving the token, and a light call. */
const DEFAULT_SIGN_IN_MS = 250;
/** The longest single pause of step 3. */
const MAX_PAUSE_MS = 5000;
/** A sign-in whose token dies within this many sign-in times was overtaken by another. */
const OVERTAKEN_WITHIN = 4;
/** Reads of the store, after pauses of 1, 2, 4 and 8 sign-in times, before signing in again. */
const OVERTAKEN_READS = 4;

type Session = Pick<YetiShareCredentials, 'accessToken' | 'accountId'>;

/** What one process knows about one credential's session. */
interface ProcessSession {
	/** Tokens the site answered as dead. */
	dead: Set<string>;
	/** The newest token this process got or learned. */
	latest?: Session;
	/** A renewal under way in this process (the wait for one elsewhere, then the sign-in). */
	renewal?: Promise<Session>;
	/** How long this process's last sign-in took: about how long a renewal elsewhere takes to land. */
	signInMs?: number;
	/** The token of this process's last sign-in, and when it came. */
	signedIn?: { token: string; at: number };
	/** The last token a call of this process succeeded with. */
	worked?: string;
}

const processSessions = new Map<string, ProcessSession>();
/** Dead tokens remembered per credential; older ones are dropped (they cannot come back anyway). */
const DEAD_KEPT = 32;

/**
 * Names one credential's session in this process: its id, and the site and login it holds (an
 * edited credential that signs in elsewhere starts afresh). Hashed: no key stays in memory as text.
 */
export function sessionKey(
	credentialId: string | undefined,
	credentials: YetiShareCredentials,
): string {
	const login =
		credentials.authentication === 'usernamePassword' ? credentials.username : credentials.apiKey1;
	return createHash('sha256')
		.update(
			JSON.stringify([
				credentialId ?? '',
				credentials.baseUrl,
				credentials.authentication,
				login ?? '',
			]),
		)
		.digest('hex');
}

function processSession(key: string): ProcessSession {
	let session = processSessions.get(key);
	if (!session) processSessions.set(key, (session = { dead: new Set() }));
	return session;
}

function markDead(session: ProcessSession, token: string | undefined) {
	if (!token) return;
	session.dead.add(token);
	if (session.dead.size > DEAD_KEPT)
		session.dead.delete(session.dead.values().next().value as string);
}

export interface SessionCalls<T> {
	/** The credential as n8n stores it now (not this execution's copy). */
	read: () => Promise<YetiShareCredentials>;
	/** Sends the call with these credentials; an empty token makes n8n sign in first. */
	call: (credentials: YetiShareCredentials) => Promise<T>;
	/** A light call with an empty token: n8n signs in, saves the token and writes it into `credentials`. */
	signIn: (credentials: YetiShareCredentials) => Promise<unknown>;
}

/**
 * Sends a call with the execution's `credentials`, renewing the session by the protocol above when
 * the site calls the token dead. `credentials` is updated in place with the token that worked, so
 * the execution's next calls use it. `key` comes from `sessionKey`.
 *
 * An execution's items in flight share `credentials`, and any of them may swap its token while a
 * call is under way: each attempt is sent with its own copy, and the token it carried is the one
 * judged dead, never whatever `credentials` holds by the time the answer came.
 */
export async function withSession<T>(
	key: string,
	credentials: YetiShareCredentials,
	calls: SessionCalls<T>,
): Promise<T> {
	const session = processSession(key);
	const send = async () => {
		const attempt = { ...credentials };
		return {
			token: attempt.accessToken,
			tried: await resultOf(async () => await calls.call(attempt)),
		};
	};
	// Another execution of this process already met this token dead and has a newer one.
	if (!credentials.accessToken || session.dead.has(credentials.accessToken))
		adopt(credentials, usable(session, session.latest));
	let lastError: unknown;
	// round 0 tries the token at hand, if there is one; each later round renews first
	for (let round = credentials.accessToken ? 0 : 1; round <= MAX_ROUNDS; round++) {
		if (round > 0) adopt(credentials, await newerSession(session, credentials, calls, round));
		const { token, tried } = await send();
		if (tried.ok) {
			session.worked = token;
			return tried.value;
		}
		if (!isInvalidTokenError(tried.error)) throw tried.error;
		lastError = tried.error;
		markDead(session, token);
	}
	throw new SiteError(
		`The site ended the session again after ${MAX_ROUNDS} renewals: another client keeps signing in to this account`,
		'api',
		{
			description:
				`Every sign-in (/authorize) ends the account's other sessions. ` +
				`Something else signs in with the same keys or login again and again ` +
				`(another tool, or another n8n credential for the same account: ` +
				`use one credential per account). Last answer: ${(lastError as Error)?.message}`,
		},
	);
}

/** Steps 1–3 of the protocol: a token to try that is not known dead. */
async function newerSession<T>(
	session: ProcessSession,
	credentials: YetiShareCredentials,
	calls: SessionCalls<T>,
	round: number,
): Promise<Session> {
	const known = usable(session, session.latest) ?? (await fromStore(session, calls));
	if (known) return known;
	// One renewal per process, its wait included: a call that waited on its own could wake after
	// this process's renewal and sign in again over it.
	if (!session.renewal) {
		const renewal: Promise<Session> = renew(session, credentials, calls, round).finally(() => {
			if (session.renewal === renewal) session.renewal = undefined;
		});
		session.renewal = renewal;
	}
	return await session.renewal;
}

/** The stored token, unless this process got a newer one while it was being read. */
async function fromStore<T>(
	session: ProcessSession,
	calls: SessionCalls<T>,
): Promise<Session | undefined> {
	const stored = await calls.read();
	return usable(session, session.latest) ?? usable(session, stored);
}

/** Step 3: gives a renewal elsewhere time to land in the store, then signs in. */
async function renew<T>(
	session: ProcessSession,
	credentials: YetiShareCredentials,
	calls: SessionCalls<T>,
	round: number,
): Promise<Session> {
	const signInMs = session.signInMs ?? DEFAULT_SIGN_IN_MS;
	for (const pause of pauses(session, signInMs, round)) {
		await clock.sleep(Math.round(pause * (0.5 + Math.random())));
		const stored = await fromStore(session, calls);
		if (stored) return stored;
	}
	return await signIn(session, credentials, calls);
}

/** The pauses of step 3, after each of which the store is read; then this process signs in. */
function pauses(session: ProcessSession, signInMs: number, round: number): number[] {
	const moment = signInMs * round;
	// the token that died: the newest this process knew
	const dead = session.latest?.accessToken;
	const own = session.signedIn;
	if (dead !== undefined && dead === own?.token) {
		// this process's own sign-in, overtaken at once by another that is on its way to the store
		return clock.now() - own.at < OVERTAKEN_WITHIN * signInMs
			? growing(signInMs, OVERTAKEN_READS)
			: [moment];
	}
	// another process's token that worked here: that process most likely renews first
	return growing(moment, dead !== undefined && dead === session.worked ? 2 : 1);
}

function growing(first: number, reads: number): number[] {
	return Array.from({ length: reads }, (_, read) => Math.min(MAX_PAUSE_MS, first * 2 ** read));
}

async function signIn<T>(
	session: ProcessSession,
	credentials: YetiShareCredentials,
	calls: SessionCalls<T>,
): Promise<Session> {
	const fresh: YetiShareCredentials = { ...credentials, accessToken: '', accountId: '' };
	const startedAt = clock.now();
	const signedIn = await resultOf(async () => await calls.signIn(fresh));
	// Signed in, then the light call failed (or met the token dead): the token speaks for itself.
	if (!signedIn.ok && !fresh.accessToken) throw signedIn.error;
	const now = clock.now();
	session.signInMs = now - startedAt;
	if (fresh.accessToken) session.signedIn = { token: fresh.accessToken, at: now };
	const renewed = { accessToken: fresh.accessToken, accountId: fresh.accountId };
	session.latest = renewed;
	return renewed;
}

/** The session, if it holds a token not known dead. */
function usable(session: ProcessSession, candidate: Session | undefined): Session | undefined {
	const token = candidate?.accessToken;
	if (!token || session.dead.has(token)) return undefined;
	if (candidate !== session.latest)
		session.latest = { accessToken: token, accountId: candidate.accountId };
	return { accessToken: token, accountId: candidate.accountId };
}

function adopt(credentials: YetiShareCredentials, session: Session | undefined) {
	if (!session) return;
	credentials.accessToken = session.accessToken;
	credentials.accountId = session.accountId;
}
