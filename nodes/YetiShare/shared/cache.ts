/**
 * Memory that lasts one execution: n8n gives the node one context object for all its items, so
 * what is looked up once (the account package, folder listings for paths) is not asked again
 * per item, and nothing outlives the run.
 */
const perExecution = new WeakMap<object, Map<string, Promise<unknown>>>();

export function remember<T>(ctx: object, key: string, load: () => Promise<T>): Promise<T> {
	let cache = perExecution.get(ctx);
	if (!cache) perExecution.set(ctx, (cache = new Map()));
	let value = cache.get(key) as Promise<T> | undefined;
	if (!value) {
		value = load();
		cache.set(key, value);
		// a failed lookup is not remembered: the next item may try again
		value.catch(() => cache!.delete(key));
	}
	return value;
}

export function forget(ctx: object, key: string): void {
	perExecution.get(ctx)?.delete(key);
}

/** After a change to the account's folders, looked-up listings may be stale. */
export function forgetAll(ctx: object): void {
	perExecution.delete(ctx);
}
