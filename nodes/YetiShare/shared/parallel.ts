/**
 * Items in flight. A site is 20–200 ms away, so one item after another spends most of a run
 * waiting: the router runs up to "Requests in Parallel" items at once instead. Two rules keep
 * that safe:
 * - the bound comes down by one for each answer that says the site is rate-limiting (HTTP 429),
 *   for the rest of the execution, down to one at a time;
 * - what depends on another item's outcome (the same folder made on the way by two paths, two
 *   creates of the same name in the same folder, whose "did the site create it?" checks would
 *   otherwise see each other's result) is done one after the other, by key.
 * Waiting is on promises only: no timers.
 */

export const DEFAULT_REQUESTS_IN_PARALLEL = 5;
/** Uploads and downloads fill the link on their own; more at once only splits it. */
export const TRANSFERS_IN_PARALLEL = 2;

interface Lanes {
	limit: number;
	active: number;
	/** The launcher, waiting for a lane. */
	wake?: () => void;
}

const lanesOf = new WeakMap<object, Lanes>();

/**
 * Runs `run(0)` … `run(count - 1)`, starting them in order with at most `limit` running at once,
 * and resolves when every started one has ended. `run` must not reject: the caller keeps its
 * results and failures. After `stop()` turns true no further item is started.
 */
export async function forEachItem(
	ctx: object,
	count: number,
	limit: number,
	run: (index: number) => Promise<void>,
	stop: () => boolean = () => false,
): Promise<void> {
	const lanes: Lanes = { limit: Math.max(1, Math.floor(limit)), active: 0 };
	lanesOf.set(ctx, lanes);
	const running = new Set<Promise<void>>();
	for (let index = 0; index < count; index++) {
		while (lanes.active >= lanes.limit) await new Promise<void>((resolve) => (lanes.wake = resolve));
		if (stop()) break;
		lanes.active++;
		const started: Promise<void> = run(index).finally(() => {
			lanes.active--;
			running.delete(started);
			const wake = lanes.wake;
			lanes.wake = undefined;
			wake?.();
		});
		running.add(started);
	}
	await Promise.all(running);
}

/** The site said it is rate-limiting: one item fewer in flight from now on (never below one). */
export function slowDown(ctx: object): void {
	const lanes = lanesOf.get(ctx);
	if (lanes && lanes.limit > 1) lanes.limit--;
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
