/**
 * Jest's global setup for the end-to-end suite: every pinned n8n is installed (a few minutes
 * each, once per checkout) before any test starts, so no test's timeout has to cover it.
 */
import { ensureN8n, N8N_VERSIONS } from './runtime';

export default async function installN8n() {
	for (const version of N8N_VERSIONS) await ensureN8n(version);
}
