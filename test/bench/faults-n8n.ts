/**
 * `npm run faults:n8n`: sessions in real n8n processes. Two `n8n execute` processes at once on one
 * credential, 200 items each, the stored token dead at the start, and again with every token
 * dropped midway: ten tries of each on every pinned n8n. Prints a row per version and scenario
 * (items, failed items, /authorize per try, seconds) and keeps the table in RELIABILITY.md
 * (between its "faults-n8n" markers). TRIES=3 runs fewer.
 */
import { keepInReliabilityReport } from './measure';

import {
	ParallelExecutions,
	type ParallelRow,
	type SessionScenario,
} from '../n8n/parallel-executions';
import { ensureN8n, N8N_VERSIONS } from '../n8n/runtime';
import { SandboxServer } from '../sandbox/server';

const TRIES = Number(process.env.TRIES ?? 10);
const SCENARIOS: SessionScenario[] = ['dead at the start', 'dropped midway'];

async function main() {
	const lines: string[] = [];
	for (const [index, version] of N8N_VERSIONS.entries()) {
		const sandbox = new SandboxServer({ latencyMs: 2, latencyJitterMs: 3 });
		await sandbox.start();
		const parallel = new ParallelExecutions(await ensureN8n(version), sandbox, 5750 + 4 * index);
		try {
			await parallel.setUp();
			for (const scenario of SCENARIOS) {
				const rows: ParallelRow[] = [];
				for (let attempt = 1; attempt <= TRIES; attempt++) {
					const row = await parallel.run(scenario);
					rows.push(row);
					process.stderr.write(
						`n8n ${version}, token ${scenario}, try ${attempt}: ` +
							`${row.failed} failed, ${row.authorize} /authorize, ${row.drops} drops, ` +
							`overlapped ${row.overlapped}, ${row.seconds.toFixed(1)} s` +
							`${row.errors.length ? `, errors: ${row.errors.join('; ')}` : ''}\n`,
					);
				}
				const sum = (pick: (row: ParallelRow) => number) =>
					rows.reduce((total, row) => total + pick(row), 0);
				const range = (pick: (row: ParallelRow) => number) =>
					`${Math.min(...rows.map(pick))}–${Math.max(...rows.map(pick))}`;
				lines.push(
					`| ${version} | token ${scenario} | ${TRIES} | ${rows[0].items} ` +
						`| ${sum((row) => row.failed)} ` +
						`| ${rows.filter((row) => row.failed > 0).length} ` +
						`| ${range((row) => row.authorize)} ` +
						`| ${scenario === 'dropped midway' ? range((row) => row.drops) : '—'} ` +
						`| ${rows.filter((row) => row.overlapped).length}/${TRIES} ` +
						`| ${(sum((row) => row.seconds) / TRIES).toFixed(1)} |`,
				);
			}
		} finally {
			parallel.tearDown();
			await sandbox.stop();
		}
	}
	const table = [
		'| n8n | scenario | tries | items per try | failed items (all tries) ' +
			'| tries with a failure | /authorize per try | token drops per try ' +
			'| calls interleaved | seconds per try |',
		'| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
		...lines,
	].join('\n');
	process.stdout.write(`${table}\n`);
	const stamp =
		`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run faults:n8n\` ` +
		`(two \`n8n execute\` processes at once, one credential, sandbox 2–5 ms away).`;
	keepInReliabilityReport('faults-n8n', stamp, table);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
