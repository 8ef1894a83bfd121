/**
 * `npm start`: the package running in a real n8n, with nothing to sign up for. Installs the
 * pinned n8n once, starts the sandbox site (or uses the site in YETISHARE_URL), imports a
 * "YetiShare API" credential and the example workflows, and starts the n8n editor.
 * Ctrl-C stops everything it started.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nCli, N8nServer } from './cli';
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

	const n8n = new N8nServer(cli, (chunk) => process.stdout.write(chunk));
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		void n8n.stop();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	await n8n.start(600_000);
	process.stdout.write(
		[
			'',
			`n8n ${runtime.version} is running with n8n-nodes-yetishare: open ${n8n.url}`,
			'  (first visit: create the local owner account; it stays in .n8n/)',
			`  Site: ${site.data.baseUrl}${sandbox ? ' (the sandbox; demo account)' : ''}, credential "${site.name}"`,
			'  Example workflows: "YetiShare: upload a file", "…: list a folder", "…: download the PDFs of a folder",',
			'  "…: when a file is added to Invoices" (activate it, then upload into Invoices).',
			'Ctrl-C stops n8n and the sandbox.',
			'',
		].join('\n'),
	);
	const code = await n8n.exited();
	await sandbox?.stop();
	process.exit(stopping ? 0 : (code ?? 1));
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
