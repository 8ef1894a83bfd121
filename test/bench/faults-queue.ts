/**
 * `npm run faults:queue`: the node under load in real n8n processes, in queue mode (n8n 2.40.7:
 * a main process and two workers with concurrency 10, Redis and PostgreSQL started here, as in
 * test/n8n/queue.e2e.ts). Each row: 20 executions of 50 `file/info` items started at once on one
 * credential. Prints the rows and writes them into RELIABILITY.md (between its "faults:queue"
 * markers); `--no-write` leaves the file alone.
 */
import { keepInReliabilityReport } from './measure';

import { fileInfoWorkflow } from './n8n-workflows';
import { SandboxServer } from '../sandbox/server';
import { loadOnOneCredential, QueueCluster, startedByWebhook, type LoadResult } from '../n8n/queue';
import { ensureN8n } from '../n8n/runtime';

const EXECUTIONS = 20;
const ITEMS = 50;

async function main() {
	const sandbox = new SandboxServer();
	await sandbox.start();
	const cluster = new QueueCluster(await ensureN8n('2.40.7'), { workers: 2, concurrency: 10 });
	const rows: Array<{ scenario: string; result: LoadResult }> = [];
	try {
		await cluster.prepare();
		const files = sandbox.state.files
			.filter((file) => file.accountId === sandbox.demoAccount.id && file.status === 'active')
			.map((file) => file.id);
		const items = Array.from({ length: ITEMS }, (_, i) => files[i % files.length]);
		const workflow = {
			...startedByWebhook(
				fileInfoWorkflow(
					'yetishare',
					{ apiUrl: sandbox.apiUrl, key1: '', key2: '' },
					'q-load',
					items,
				),
				'q-load',
			),
			id: 'q-load',
		};
		await cluster.cli.importSandboxCredential(sandbox);
		await cluster.cli.importWorkflows([workflow]);
		await cluster.cli.activate(workflow.id);
		await cluster.start();
		const load = (dropAfter: number) =>
			loadOnOneCredential(cluster, sandbox, {
				path: 'q-load',
				executions: EXECUTIONS,
				items: ITEMS,
				node: 'File info',
				dropAfter,
			});
		// no stored token at the first execution: every execution signs in or waits for one that does
		rows.push({
			scenario: `queue mode, 2 workers: ${EXECUTIONS} executions × ${ITEMS} items at once, no token stored, every token dropped twice`,
			result: await load(300),
		});
		// the stored token dead when they start (the site drops a token after an hour unused)
		sandbox.killTokens();
		rows.push({
			scenario: `queue mode, 2 workers: ${EXECUTIONS} executions × ${ITEMS} items at once, the stored token dead, every token dropped twice`,
			result: await load(300),
		});
	} finally {
		await cluster.stop();
		await sandbox.stop();
	}

	const table = [
		'| scenario | items | failed items | /authorize | duplicates | seconds |',
		'| --- | ---: | ---: | ---: | ---: | ---: |',
		// file/info creates nothing: no duplicates to count
		...rows.map(
			({ scenario, result }) =>
				`| ${scenario} | ${result.items} | ${result.failedItems} | ${result.authorize} | — | ${result.seconds.toFixed(1)} |`,
		),
	].join('\n');
	const errors = rows.flatMap(({ result }) => result.errors);
	process.stdout.write(
		`${table}\n${errors.length ? `errors of the failed executions:\n${[...new Set(errors)].join('\n')}\n` : ''}`,
	);
	if (process.argv.includes('--no-write')) return;
	const stamp =
		`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run faults:queue\` ` +
		`(real n8n 2.40.7 processes in queue mode: a main process, ` +
		`two workers with concurrency 10, Redis, PostgreSQL; sandbox on loopback). ` +
		`Executions per worker: ${rows.map(({ result }) => result.perWorker.join('/')).join(', ')}.`;
	keepInReliabilityReport('faults:queue', stamp, table);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
