/**
 * Access tokens as the script keeps them: one live token per account, dead after an idle
 * period, refreshed by every call that presents it.
 */
import { siteClock } from './clock';
import { phpInt, randomString } from './php';
import type { Store } from './store';

export class Sessions {
	/** Set by killTokensAfter: after this many more accepted tokens, every live token dies (and, with `every`, the count starts again). */
	private countdown?: { remaining: number; accountId?: string; every?: number };
	/** How often a countdown killed the tokens. */
	kills = 0;

	constructor(
		private readonly store: Store,
		private readonly idleSeconds: () => number,
	) {}

	private get tokens() {
		return this.store.state.tokens;
	}

	/** /authorize: every earlier token of the account is deleted before the new one is issued. */
	issue(accountId: string): string {
		this.kill(accountId);
		const accessToken = randomString(128);
		const now = siteClock.now();
		this.tokens.push({ accessToken, accountId, createdAt: now, lastUsedAt: now });
		return accessToken;
	}

	/**
	 * The script's `_validateAccessToken`: the token must exist for that account id (compared as
	 * MySQL compares an integer column with a string). Success refreshes the token's last use.
	 */
	validate(accessToken: string, accountIdParam: string): string | undefined {
		this.clearExpired();
		const wanted = phpInt(accountIdParam);
		const token = this.tokens.find(
			(candidate) =>
				candidate.accessToken === accessToken && phpInt(candidate.accountId) === wanted,
		);
		if (!token) return undefined;
		token.lastUsedAt = siteClock.now();
		if (
			this.countdown &&
			(this.countdown.accountId === undefined || this.countdown.accountId === token.accountId)
		) {
			this.countdown.remaining--;
			if (this.countdown.remaining <= 0) {
				const { accountId, every } = this.countdown;
				this.countdown = every ? { remaining: every, accountId, every } : undefined;
				this.kills++;
				// This call still succeeds; the next one meets a dead token.
				this.kill(accountId);
			}
		}
		return token.accountId;
	}

	/** Looks a token up without using it (to size an upload before the call runs). */
	peek(accessToken: string | undefined, accountIdParam: string | undefined): string | undefined {
		if (!accessToken || !accountIdParam) return undefined;
		const wanted = phpInt(accountIdParam);
		const cutoff = siteClock.now() - this.idleSeconds() * 1000;
		return this.tokens.find(
			(token) =>
				token.accessToken === accessToken &&
				phpInt(token.accountId) === wanted &&
				token.lastUsedAt >= cutoff,
		)?.accountId;
	}

	/** disable_access_token: only the presented token goes. */
	remove(accessToken: string, accountId: string): void {
		this.store.state.tokens = this.tokens.filter(
			(token) => !(token.accessToken === accessToken && token.accountId === accountId),
		);
	}

	kill(accountId?: string): void {
		this.store.state.tokens = this.tokens.filter(
			(token) => accountId !== undefined && token.accountId !== accountId,
		);
	}

	killAfter(calls: number, accountId?: string, repeat = false): void {
		if (calls <= 0) {
			this.countdown = undefined;
			this.kill(accountId);
		} else {
			this.countdown = { remaining: calls, accountId, every: repeat ? calls : undefined };
		}
	}

	clearCountdown(): void {
		this.countdown = undefined;
	}

	private clearExpired(): void {
		const cutoff = siteClock.now() - this.idleSeconds() * 1000;
		if (this.tokens.some((token) => token.lastUsedAt < cutoff)) {
			this.store.state.tokens = this.tokens.filter((token) => token.lastUsedAt >= cutoff);
		}
	}
}
