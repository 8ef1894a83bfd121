/**
 * The site's clock: what its dates, session expiry, download links and request log read, and what
 * its background work waits on. Real unless a test installs the same clock the node reads
 * (test/harness/clock.ts), so that time the node skips passes for the site too.
 */
export interface SiteClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

const realClock: SiteClock = {
	now: () => Date.now(),
	sleep: async (ms) => await new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

let current: SiteClock = realClock;

export const siteClock: SiteClock = {
	now: () => current.now(),
	sleep: async (ms) => await current.sleep(ms),
};

/** Installs a clock for every sandbox of this process; without an argument, the real one again. */
export function useSiteClock(next: SiteClock = realClock): void {
	current = next;
}
