/**
 * A clock for tests that need time to pass. The node's waits are skipped: `sleep` returns at once
 * and moves `now` on by as much, so a 60 s backoff costs nothing and still reads as 60 s. The
 * site's waits (`forSite().sleep`: a URL upload that starts later, a script that acts after its
 * proxy gave up) are real waits on the same timeline: they end when `now` reaches them, whether
 * by real time passing or by the node skipping ahead. Real work (requests, timeouts) takes its
 * real time. What the node asked to wait is kept in `slept`.
 */
interface Waiter {
	until: number;
	resolve: () => void;
	timer?: NodeJS.Timeout;
}

export class SkippingClock {
	private skipped = 0;
	private readonly waiters = new Set<Waiter>();
	/** Every wait the node asked for, in order. */
	readonly slept: number[] = [];

	now(): number {
		return Date.now() + this.skipped;
	}

	async sleep(ms: number): Promise<void> {
		const wait = Math.max(0, ms);
		this.slept.push(wait);
		this.advance(wait);
		// let other work (answers in flight, the site's waits just ended) run, as a real wait would
		await new Promise((resolve) => setImmediate(resolve));
	}

	/** Time passing with nobody waiting on the node's side (a token idling on the site). */
	advance(ms: number): void {
		this.skipped += ms;
		for (const waiter of this.waiters) if (waiter.until <= this.now()) this.wake(waiter);
	}

	/** The clock as the sandbox reads it: its waits last until `now` reaches their end. */
	forSite(): { now(): number; sleep(ms: number): Promise<void> } {
		return { now: () => this.now(), sleep: async (ms) => await this.waitUntil(this.now() + ms) };
	}

	/** Forgets the waits asked for so far (the skipped time stays). */
	clear(): void {
		this.slept.length = 0;
	}

	private async waitUntil(until: number): Promise<void> {
		if (this.now() >= until) return;
		await new Promise<void>((resolve) => {
			const waiter: Waiter = { until, resolve };
			const check = () => {
				if (this.now() >= until) this.wake(waiter);
				else waiter.timer = setTimeout(check, until - this.now()).unref();
			};
			this.waiters.add(waiter);
			check();
		});
	}

	private wake(waiter: Waiter): void {
		clearTimeout(waiter.timer);
		this.waiters.delete(waiter);
		waiter.resolve();
	}
}
