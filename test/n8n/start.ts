/**
 * `npm start`: the package running in a real n8n, with nothing to sign up for. Installs the
 * pinned n8n once, starts the sandbox site (or uses the site in YETISHARE_URL), imports a
 * "YetiShare API" credential and the example workflows, and starts the n8n editor.
 * Ctrl-C stops everything it started.
 */
import { spawn } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nCli } from './cli';
import { DEFAULT_N8N_VERSION, ensureN8n, ROOT } from './runtime';

const PORT = Number(process.env.N8N_PORT ?? 5678);

function siteCredential(sandbox?: SandboxServer) {
	const env = process.env;
	if (env.YETISHARE_URL) {
		const login = !env.YETISHARE_KEY1 && env.YETISHARE_USERNAME;
		return {
			name: 'YetiShare site',
			data: login
				? { baseUrl: env.YETISHARE_URL, authentication: 'usernamePassword', username: env.YETISHARE_USERNAME, password: env.YETISHARE_PASSWORD ?? '' }
				: { baseUrl: env.YETISHARE_URL, authentication: 'apiKeys', key1: env.YETISHARE_KEY1 ?? '', key2: env.YETISHARE_KEY2 ?? '' },
		};
	}
	const demo = sandbox!.demoAccount;
	return { name: 'YetiShare sandbox', data: { baseUrl: sandbox!.baseUrl, authentication: 'apiKeys', key1: demo.key1, key2: demo.key2 } };
}

async function main() {
	const runtime = await ensureN8n(process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION);
	let sandbox: SandboxServer | undefined;
	if (!process.env.YETISHARE_URL) {
		sandbox = new SandboxServer({ port: Number(process.env.SANDBOX_PORT ?? 8787) });
		await sandbox.start();
	}
	const userFolder = join(ROOT, '.n8n', `home-${runtime.version}`);
	mkdirSync(userFolder, { recursive: true });
	const cli = new N8nCli(runtime, userFolder, { N8N_PORT: String(PORT) });

	const site = siteCredential(sandbox);
	process.stdout.write('Importing the credential and the example workflows…\n');
	await cli.importCredential({ id: 'yetishare-sandbox', name: site.name, type: 'yetiShareApi', data: { timeout: 60, accessToken: '', accountId: '', ...site.data } });
	await cli.importWorkflows(exampleWorkflows());

	const n8n = spawn(runtime.node, [runtime.n8n, 'start'], { env: cli.environment, stdio: ['ignore', 'pipe', 'inherit'] });
	n8n.stdout.on('data', (chunk: Buffer) => {
		process.stdout.write(chunk);
		if (/Editor is now accessible/.test(chunk.toString())) {
			process.stdout.write(
				[
					'',
					`n8n ${runtime.version} is running with n8n-nodes-yetishare: open http://localhost:${PORT}`,
					'  (first visit: create the local owner account; it stays in .n8n/)',
					`  Site: ${site.data.baseUrl}${sandbox ? ' (the sandbox; demo account)' : ''}, credential "${site.name}"`,
					'  Example workflows: "YetiShare: upload a file", "…: list a folder", "…: download the PDFs of a folder",',
					'  "…: when a file is added to Invoices" (activate it, then upload into Invoices).',
					'Ctrl-C stops n8n and the sandbox.',
					'',
				].join('\n'),
			);
		}
	});
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		n8n.kill('SIGTERM');
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	n8n.on('exit', async (code) => {
		await sandbox?.stop();
		process.exit(stopping ? 0 : (code ?? 1));
	});
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
