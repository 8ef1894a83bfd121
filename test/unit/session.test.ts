/**
 * Pure unit tests of transport/session.ts: the session protocol driven through withSession with
 * fake calls (read the store, send the call, sign in), a fake clock and a sleep that does not wait.
 */
import { sleep } from 'n8n-workflow';

import {
	MAX_ROUNDS,
	sessionKey,
	withSession,
	type SessionCalls,
} from '../../nodes/YetiShare/transport/session';
import { SiteError, type YetiShareCredentials } from '../../nodes/YetiShare/transport/site';

jest.mock('n8n-workflow', () => ({ sleep: jest.fn(async () => undefined) }));

const sleepMock = jest.mocked(sleep);
/** The pauses the protocol took, in ms. */
const pauses = () => sleepMock.mock.calls.map(([ms]) => ms);

let clock = 1_000_000;
let keys = 0;
/** A fresh credential in this process: the module keeps what it learned per key. */
const freshKey = () => `unit-session-${++keys}`;

beforeEach(() => {
	sleepMock.mockClear();
	clock = 1_000_000;
	jest.spyOn(Date, 'now').mockImplementation(() => clock);
	// jitter: each pause is its nominal length times 0.5 + random()
	jest.spyOn(Math, 'random').mockReturnValue(0.5);
});

afterEach(() => jest.restoreAllMocks());

const deadToken = () =>
	new SiteError('Could not validate access_token and account_id', 'api', {
		problem: 'invalidToken',
	});
const creds = (accessToken?: string): YetiShareCredentials => ({
	baseUrl: 'https://files.example.com',
	authentication: 'apiKeys',
	accessToken,
	accountId: accessToken ? 'acc' : undefined,
});

interface Fake {
	calls: SessionCalls<string>;
	/** The token each call was sent with. */
	sent: Array<string | undefined>;
	reads: number;
	signIns: number;
	/** What the store holds. */
	stored: string | undefined;
}

/**
 * A site where `alive` tokens work and any other is dead; signing in yields the next of
 * `issued` (stored at once unless `storeOnSignIn` is false) and takes `signInMs` on the clock.
 */
function fakeSite(options: {
	alive: (token: string | undefined) => boolean;
	stored?: string;
	issued?: string[];
	signInMs?: number;
	storeOnSignIn?: boolean;
}): Fake {
	const issued = [...(options.issued ?? [])];
	const fake: Fake = {
		sent: [],
		reads: 0,
		signIns: 0,
		stored: options.stored,
		calls: {
			read: async () => {
				fake.reads++;
				return { ...creds(fake.stored), accessToken: fake.stored };
			},
			call: async (credentials) => {
				fake.sent.push(credentials.accessToken);
				if (!options.alive(credentials.accessToken)) throw deadToken();
				return `ok with ${credentials.accessToken}`;
			},
			signIn: async (credentials) => {
				fake.signIns++;
				clock += options.signInMs ?? 100;
				const token = issued.shift();
				if (token === undefined) throw new Error('no more tokens');
				credentials.accessToken = token;
				credentials.accountId = 'acc';
				if (options.storeOnSignIn !== false) fake.stored = token;
			},
		},
	};
	return fake;
}

describe('a token that works', () => {
	it('is used once, with no store read and no sign-in', async () => {
		const site = fakeSite({ alive: (t) => t === 'T1' });
		await expect(withSession(freshKey(), creds('T1'), site.calls)).resolves.toBe('ok with T1');
		expect(site.sent).toEqual(['T1']);
		expect(site.reads).toBe(0);
		expect(site.signIns).toBe(0);
		expect(pauses()).toEqual([]);
	});

	it('a failure that is not a dead token is thrown as it is, without renewing', async () => {
		const boom = new SiteError('Could not find folder.', 'api', { problem: 'folderNotFound' });
		const calls: SessionCalls<string> = {
			read: jest.fn(),
			signIn: jest.fn(),
			call: async () => Promise.reject(boom),
		};
		await expect(withSession(freshKey(), creds('T1'), calls)).rejects.toBe(boom);
		expect(calls.read).not.toHaveBeenCalled();
		expect(calls.signIn).not.toHaveBeenCalled();
	});

	it('each attempt is sent with its own copy of the credentials', async () => {
		const credentials = creds('T1');
		const seen: YetiShareCredentials[] = [];
		await withSession(freshKey(), credentials, {
			read: jest.fn(),
			signIn: jest.fn(),
			call: async (c) => (seen.push(c), 'ok'),
		});
		expect(seen[0]).not.toBe(credentials);
		expect(seen[0]).toEqual(credentials);
	});
});

describe('a dead token', () => {
	it('a newer token in the store is used without signing in, and written into the credentials', async () => {
		const site = fakeSite({ alive: (t) => t === 'T2', stored: 'T2' });
		const credentials = creds('T1');
		await expect(withSession(freshKey(), credentials, site.calls)).resolves.toBe('ok with T2');
		expect(site.sent).toEqual(['T1', 'T2']);
		expect(site.signIns).toBe(0);
		expect(pauses()).toEqual([]);
		expect(credentials.accessToken).toBe('T2');
	});

	it('a dead wrapped in another error (as n8n wraps it) is still recognised', async () => {
		const site = fakeSite({ alive: (t) => t === 'T2', stored: 'T2' });
		const call = site.calls.call;
		site.calls.call = async (c) =>
			call(c).catch((error) => Promise.reject(new Error('NodeApiError', { cause: error })));
		await expect(withSession(freshKey(), creds('T1'), site.calls)).resolves.toBe('ok with T2');
	});

	it('with no newer token anywhere: wait one sign-in moment, read the store again, then sign in', async () => {
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] });
		const credentials = creds('T1');
		await expect(withSession(freshKey(), credentials, site.calls)).resolves.toBe('ok with N1');
		// 250 ms: the default sign-in time before this process has signed in, times round 1
		expect(pauses()).toEqual([250]);
		expect(site.reads).toBe(2);
		expect(site.signIns).toBe(1);
		expect(site.sent).toEqual(['T1', 'N1']);
		expect(credentials).toMatchObject({ accessToken: 'N1', accountId: 'acc' });
	});

	it('the pause is jittered between half and one and a half of the moment', async () => {
		jest.spyOn(Math, 'random').mockReturnValue(0);
		await withSession(
			freshKey(),
			creds('T1'),
			fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] }).calls,
		);
		jest.spyOn(Math, 'random').mockReturnValue(0.999);
		await withSession(
			freshKey(),
			creds('T1'),
			fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] }).calls,
		);
		expect(pauses()).toEqual([125, 375]);
	});

	it('a token that lands in the store during the pause is used instead of signing in', async () => {
		const site = fakeSite({ alive: (t) => t === 'T2', stored: 'T1' });
		sleepMock.mockImplementationOnce(async () => {
			site.stored = 'T2';
		});
		await expect(withSession(freshKey(), creds('T1'), site.calls)).resolves.toBe('ok with T2');
		expect(site.signIns).toBe(0);
	});

	it('no token at all: the store is read first, and its token used', async () => {
		const site = fakeSite({ alive: (t) => t === 'S1', stored: 'S1' });
		await expect(withSession(freshKey(), creds(undefined), site.calls)).resolves.toBe('ok with S1');
		expect(site.sent).toEqual(['S1']);
		expect(site.signIns).toBe(0);
	});

	it('no token anywhere: sign in before the first call', async () => {
		const site = fakeSite({ alive: (t) => t === 'N1', issued: ['N1'] });
		await expect(withSession(freshKey(), creds(''), site.calls)).resolves.toBe('ok with N1');
		expect(site.sent).toEqual(['N1']);
		expect(site.signIns).toBe(1);
	});

	it('the token judged dead is the one the attempt carried, not one swapped in meanwhile', async () => {
		const credentials = creds('A');
		const site = fakeSite({ alive: (t) => t === 'B', stored: 'B' });
		const call = site.calls.call;
		site.calls.call = async (c) => {
			// another item of the execution swaps in a newer token while this call is under way
			if (c.accessToken === 'A') credentials.accessToken = 'B';
			return call(c);
		};
		await expect(withSession(freshKey(), credentials, site.calls)).resolves.toBe('ok with B');
		expect(site.sent).toEqual(['A', 'B']);
		expect(site.signIns).toBe(0);
	});
});

describe('one renewal per process', () => {
	it('executions meeting the same dead token at once share one sign-in', async () => {
		const key = freshKey();
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] });
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const signIn = site.calls.signIn;
		site.calls.signIn = async (c) => {
			await gate;
			return signIn(c);
		};
		const executions = [creds('T1'), creds('T1'), creds('T1')];
		const running = executions.map((c) => withSession(key, c, site.calls));
		// let every execution meet the dead token and join the renewal
		for (let tick = 0; tick < 50; tick++) await Promise.resolve();
		release();
		await expect(Promise.all(running)).resolves.toEqual(['ok with N1', 'ok with N1', 'ok with N1']);
		expect(site.signIns).toBe(1);
		expect(pauses()).toHaveLength(1);
		expect(executions.map((c) => c.accessToken)).toEqual(['N1', 'N1', 'N1']);
	});

	it('a token seen dead is never tried again by a later execution of this process', async () => {
		const key = freshKey();
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] });
		await withSession(key, creds('T1'), site.calls);
		site.sent.length = 0;
		// a later execution starts from a stale copy of the credential
		await expect(withSession(key, creds('T1'), site.calls)).resolves.toBe('ok with N1');
		expect(site.sent).toEqual(['N1']);
		expect(site.signIns).toBe(1);
	});

	it('a process keeps what it learned per credential: another key starts afresh', async () => {
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1', 'N2'] });
		await withSession(freshKey(), creds('T1'), site.calls);
		site.sent.length = 0;
		await withSession(freshKey(), creds('T1'), {
			...site.calls,
			call: async (c) => (site.sent.push(c.accessToken), 'ok'),
		});
		expect(site.sent).toEqual(['T1']);
	});
});

describe('waiting for a renewal elsewhere', () => {
	it("this process's own fresh token dying at once: read the store after 1, 2, 4 and 8 sign-in times before signing in again", async () => {
		// N1 dies right after this process signed in for it: someone signed in after it
		const site = fakeSite({
			alive: (t) => t === 'N2',
			stored: 'T1',
			issued: ['N1', 'N2'],
			signInMs: 100,
		});
		await expect(withSession(freshKey(), creds('T1'), site.calls)).resolves.toBe('ok with N2');
		expect(site.sent).toEqual(['T1', 'N1', 'N2']);
		// round 1: one default moment; round 2: growing pauses from this sign-in's 100 ms
		expect(pauses()).toEqual([250, 100, 200, 400, 800]);
		expect(site.signIns).toBe(2);
	});

	it('growing pauses are capped at 5 s', async () => {
		const site = fakeSite({
			alive: (t) => t === 'N2',
			stored: 'T1',
			issued: ['N1', 'N2'],
			signInMs: 2000,
		});
		await withSession(freshKey(), creds('T1'), site.calls);
		expect(pauses()).toEqual([250, 2000, 4000, 5000, 5000]);
	});

	it("this process's own token dying long after its sign-in: one moment of round × sign-in time", async () => {
		const site = fakeSite({
			alive: (t) => t === 'N2',
			stored: 'T1',
			issued: ['N1', 'N2'],
			signInMs: 100,
		});
		const call = site.calls.call;
		site.calls.call = async (c) => {
			// N1 is used for 4 sign-in times (400 ms) before it is answered dead
			if (c.accessToken === 'N1') clock += 400;
			return call(c);
		};
		await withSession(freshKey(), creds('T1'), site.calls);
		expect(pauses()).toEqual([250, 200]);
	});

	it("another process's token that worked here dying: read the store after one moment and after twice that", async () => {
		const key = freshKey();
		const site = fakeSite({ alive: (t) => t === 'S1', stored: 'S1', issued: ['N1'] });
		// an execution learns S1 from the store and succeeds with it
		await withSession(key, creds('OLD'), site.calls);
		expect(pauses()).toEqual([]);
		// then S1 dies (its process renewed, the new token not stored yet)
		site.sent.length = 0;
		const alive = new Set(['N1']);
		site.calls.call = async (c) => {
			site.sent.push(c.accessToken);
			if (!alive.has(c.accessToken!)) throw deadToken();
			return `ok with ${c.accessToken}`;
		};
		await expect(withSession(key, creds('S1'), site.calls)).resolves.toBe('ok with N1');
		expect(pauses()).toEqual([250, 500]);
		expect(site.signIns).toBe(1);
	});
});

describe('sign-in failures', () => {
	it('a sign-in that gets no token throws its own error', async () => {
		const wrongKeys = new SiteError('Could not authenticate user.', 'api');
		const site = fakeSite({ alive: () => false, stored: 'T1' });
		site.calls.signIn = async () => Promise.reject(wrongKeys);
		await expect(withSession(freshKey(), creds('T1'), site.calls)).rejects.toBe(wrongKeys);
	});

	it('a sign-in that got a token but whose light call failed still uses the token', async () => {
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1' });
		site.calls.signIn = async (c) => {
			c.accessToken = 'N1';
			c.accountId = 'acc';
			throw new Error('light call failed');
		};
		await expect(withSession(freshKey(), creds('T1'), site.calls)).resolves.toBe('ok with N1');
	});

	it('the sign-in is sent with an empty token, so n8n signs in first', async () => {
		const site = fakeSite({ alive: (t) => t === 'N1', stored: 'T1', issued: ['N1'] });
		const signIn = jest.fn(site.calls.signIn);
		site.calls.signIn = (c) => {
			expect(c).toMatchObject({ accessToken: '', accountId: '' });
			return signIn(c);
		};
		await withSession(freshKey(), creds('T1'), site.calls);
		expect(signIn).toHaveBeenCalledTimes(1);
	});
});

describe('another client that keeps signing in', () => {
	it(`fails after ${MAX_ROUNDS} renewals and says why`, async () => {
		const site = fakeSite({
			alive: () => false,
			stored: 'T1',
			issued: ['N1', 'N2', 'N3', 'N4', 'N5', 'N6'],
			signInMs: 10,
		});
		const failure = withSession(freshKey(), creds('T1'), site.calls);
		await expect(failure).rejects.toThrow(
			`The site ended the session again after ${MAX_ROUNDS} renewals: another client keeps signing in to this account`,
		);
		await expect(failure).rejects.toMatchObject({ kind: 'api' });
		const error = (await failure.catch((e) => e)) as SiteError;
		expect(error.details.description).toContain(
			'Last answer: Could not validate access_token and account_id',
		);
		expect(MAX_ROUNDS).toBe(5);
		// round 0 and one call per renewal, each with a different token
		expect(site.sent).toEqual(['T1', 'N1', 'N2', 'N3', 'N4', 'N5']);
		expect(site.signIns).toBe(5);
	});
});

describe('the session key', () => {
	const apiKeys = (extra: Partial<YetiShareCredentials> = {}): YetiShareCredentials => ({
		baseUrl: 'https://files.example.com',
		authentication: 'apiKeys',
		apiKey1: 'K'.repeat(64),
		apiKey2: 'L'.repeat(64),
		...extra,
	});

	it('is a sha256 hex digest that holds no key as text', () => {
		const key = sessionKey('cred-1', apiKeys());
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('KKKK');
	});

	it('is the same for the same credential, whatever its token', () => {
		expect(sessionKey('cred-1', apiKeys({ accessToken: 'a' }))).toBe(
			sessionKey('cred-1', apiKeys({ accessToken: 'b' })),
		);
	});

	it('changes with the credential id, the site, the method and the login', () => {
		const base = sessionKey('cred-1', apiKeys());
		expect(sessionKey('cred-2', apiKeys())).not.toBe(base);
		expect(sessionKey(undefined, apiKeys())).not.toBe(base);
		expect(sessionKey('cred-1', apiKeys({ baseUrl: 'https://other.example.com' }))).not.toBe(base);
		expect(sessionKey('cred-1', apiKeys({ apiKey1: 'M'.repeat(64) }))).not.toBe(base);
		expect(
			sessionKey('cred-1', {
				baseUrl: 'https://files.example.com',
				authentication: 'usernamePassword',
				username: 'u1',
			}),
		).not.toBe(
			sessionKey('cred-1', {
				baseUrl: 'https://files.example.com',
				authentication: 'usernamePassword',
				username: 'u2',
			}),
		);
	});
});
