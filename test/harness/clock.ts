/**
 * A clock for tests that need time to pass: `sleep` returns at once and moves `now` on by as
 * much, so a 60 s backoff costs nothing and still reads as 60 s to the node and the sandbox
 * (both are given this clock). Time spent on real work (requests, timeouts) passes as usual.
 * What the node asked to wait is kept in `slept`, for tests to check against what it should be.
 */
export class SkippingClock {
	private skipped = 0;
	/** Every wait asked for, in order. */
	readonly slept: number[] = [];

	now(): number {
		return Date.now() + this.skipped;
	}

	async sleep(ms: number): Promise<void> {
		const wait = Math.max(0, ms);
		this.slept.push(wait);
		this.skipped += wait;
		// let other work (answers in flight) run, as a real wait would
		await new Promise((resolve) => setImmediate(resolve));
	}

	/** Time passing with nobody waiting (a token idling on the site). */
	advance(ms: number): void {
		this.skipped += ms;
	}

	/** Forgets the waits asked for so far (the skipped time stays). */
	clear(): void {
		this.slept.length = 0;
	}
}
