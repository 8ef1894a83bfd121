/**
 * The one clock the package reads and waits on: retries, Retry-After, the session protocol's
 * pauses and URL-upload polling. In n8n it is the real clock; a test that needs time to pass
 * installs one that skips the waits (and moves `now` on by as much), so it proves a 60 s
 * backoff without spending it.
 */
import { sleep } from 'n8n-workflow';

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms) => await sleep(ms),
};

let current: Clock = realClock;

/** What the package calls: whichever clock is installed. */
export const clock: Clock = {
	now: () => current.now(),
	sleep: async (ms) => await current.sleep(ms),
};

/** Installs a clock for this process; without an argument, the real one again. */
export function useClock(next: Clock = realClock): void {
	current = next;
}
