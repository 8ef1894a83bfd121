import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { ParallelExecutions, type SessionScenario } from './parallel-executions';
import { ensureN8n, N8N_VERSIONS } from './runtime';

// Ports 5730–5737: two processes per version, each with its task broker port beside it.
describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5730 + 4 * index })))(
	'two n8n processes on one credential, in a real n8n $version',
	({ version, port }) => {
		// a few milliseconds away, so that the calls of the two processes interleave
		const sandbox = new SandboxServer({ latencyMs: 2, latencyJitterMs: 3 });
		let parallel: ParallelExecutions;

		beforeAll(async () => {
			await sandbox.start();
			parallel = new ParallelExecutions(await ensureN8n(version), sandbox, port);
			await parallel.setUp();
		});
		afterAll(async () => {
			parallel?.tearDown();
			await sandbox.stop();
		});

		it.each<SessionScenario>(['dead at the start', 'dropped midway'])(
			'200 items each, the token %s: no item fails, few /authorize',
			async (scenario) => {
				const row = await parallel.run(scenario);
				process.stdout.write(`n8n ${version}, token ${scenario}: ${JSON.stringify(row)}\n`);
				expect(row.overlapped).toBe(true);
				expect(row.errors).toEqual([]);
				expect(row.failed).toBe(0);
				if (scenario === 'dropped midway') expect(row.drops).toBeGreaterThanOrEqual(2);
				// within drops + processes: one sign-in per death of the token (a run that starts with it
				// dead counts one), and at most one more per process, when its sign-in crosses another's
				const drops = row.drops + (scenario === 'dead at the start' ? 1 : 0);
				expect(row.authorize).toBeGreaterThanOrEqual(1);
				expect(row.authorize).toBeLessThanOrEqual(drops + 2);
			},
		);
	},
);
