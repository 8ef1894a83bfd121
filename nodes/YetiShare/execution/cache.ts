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

/** Everything, credential included: the trigger's context lives from activation on, and each poll starts afresh. */
export function forgetAll(ctx: object): void {
	perExecution.delete(ctx);
}

/**
 * After a change to the account's folders, what was read of the tree (listings, the short-link
 * index) may be stale. The rest stays: the credential, the account package.
 */
export function forgetTree(ctx: object): void {
	const cache = perExecution.get(ctx);
	if (!cache) return;
	for (const key of cache.keys()) if (key.startsWith(TREE)) cache.delete(key);
}

/** The prefix of every cache key that holds something read of the folder tree. */
export const TREE = 'tree:';
