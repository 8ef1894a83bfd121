/**
 * Items in flight. A site is 20–200 ms away, so one item after another spends most of a run
 * waiting: the router runs several items at once instead, up to "Requests in Parallel". Rules
 * that keep that safe:
 * - a run starts with a few items in flight and adds one each time an item ends, so a site that
 *   answers well soon has the most the user allows (doubling every round trip), while a short run
 *   never sends a burst;
 * - an answer that says the site is rate-limiting (HTTP 429) halves the number in flight and
 *   stops the growth for the rest of the execution, down to one at a time;
 * - what depends on another item's outcome (the same folder made on the way by two paths, two
 *   creates of the same name in the same folder, whose "did the site create it?" checks would
 *   otherwise see each other's result) is done one after the other, by key.
 * Waiting is on promises only: no timers.
 */

export const DEFAULT_REQUESTS_IN_PARALLEL = 50;
/** How many items a run starts with, before the site has answered. */
export const FIRST_IN_FLIGHT = 5;
/** Uploads and downloads fill the link on their own; more at once only splits it. */
export const TRANSFERS_IN_PARALLEL = 2;

interface Lanes {
	/** The most in flight: "Requests in Parallel". */
	most: number;
	/** In flight now at most. */
	limit: number;
	/** The site rate-limited this execution: no more growth. */
	refused: boolean;
	active: number;
	/** The launcher, waiting for a lane. */
	wake?: () => void;
}

const lanesOf = new WeakMap<object, Lanes>();

/**
 * Runs `run(0)` … `run(count - 1)`, starting them in order with at most `most` running at once
 * (FIRST_IN_FLIGHT at first, one more whenever one ends), and resolves when every started one has
 * ended. `run` must not reject: the caller keeps its results and failures. After `stop()` turns
 * true no further item is started.
 */
export async function forEachItem(
	ctx: object,
	count: number,
	most: number,
	run: (index: number) => Promise<void>,
	stop: () => boolean = () => false,
): Promise<void> {
	const highest = Math.max(1, Math.floor(most));
	const lanes: Lanes = {
		most: highest,
		limit: Math.min(highest, FIRST_IN_FLIGHT),
		refused: false,
		active: 0,
	};
	lanesOf.set(ctx, lanes);
	const running = new Set<Promise<void>>();
	for (let index = 0; index < count; index++) {
		while (lanes.active >= lanes.limit)
			await new Promise<void>((resolve) => (lanes.wake = resolve));
		if (stop()) break;
		lanes.active++;
		const started: Promise<void> = run(index).finally(() => {
			lanes.active--;
			if (!lanes.refused) lanes.limit = Math.min(lanes.most, lanes.limit + 1);
			running.delete(started);
			const wake = lanes.wake;
			lanes.wake = undefined;
			wake?.();
		});
		running.add(started);
	}
	await Promise.all(running);
}

/** The site said it is rate-limiting: half as many items in flight from now on (never below one). */
export function slowDown(ctx: object): void {
	const lanes = lanesOf.get(ctx);
	if (!lanes) return;
	lanes.refused = true;
	lanes.limit = Math.max(1, Math.floor(lanes.limit / 2));
}

const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `task` after every earlier task of this execution with the same key has ended (whatever
 * its outcome); tasks with other keys are not held.
 */
export async function oneAtATime<T>(ctx: object, key: string, task: () => Promise<T>): Promise<T> {
	let byKey = queues.get(ctx);
	if (!byKey) queues.set(ctx, (byKey = new Map()));
	const before = byKey.get(key) ?? Promise.resolve();
	const mine = before.then(task, task);
	const settled = mine.then(
		() => undefined,
		() => undefined,
	);
	byKey.set(key, settled);
	void settled.then(() => {
		if (byKey.get(key) === settled) byKey.delete(key);
	});
	return await mine;
}
