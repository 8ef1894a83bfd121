/**
 * `npm start`: the package running in a real n8n, with nothing to sign up for. Installs the
 * pinned n8n once, starts the sandbox site (or uses the site in YETISHARE_URL), imports a
 * "YetiShare API" credential and the example workflows, and starts the n8n editor.
 * Ctrl-C stops everything it started. `startEditor` is the same setup for the editor's
 * browser test.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nCli, N8nServer } from './cli';
import { DEFAULT_N8N_VERSION, ensureN8n, ROOT, type N8nRuntime } from './runtime';

/** What the imported "YetiShare API" credential connects to. */
export interface SiteCredential {
	name: string;
	data: { baseUrl: string; [field: string]: unknown };
}

export interface EditorOptions {
	/** n8n's user folder (database, settings, encryption key); created if missing. */
	userFolder: string;
	/** The editor's port. */
	port: number;
	/** Environment for n8n beyond the defaults, e.g. N8N_RUNNERS_BROKER_PORT when another n8n runs. */
	env?: NodeJS.ProcessEnv;
	version?: string;
	/** A real site; without one, a sandbox site is started on `sandboxPort` (default: any free port). */
	site?: SiteCredential;
	sandboxPort?: number;
	/** What n8n prints, as it comes. */
	onOutput?: (chunk: string) => void;
	log?: (line: string) => void;
	startTimeoutMs?: number;
	/** Aborting it stops what was started so far and rejects (Ctrl-C while n8n starts). */
	signal?: AbortSignal;
}

export interface Editor {
	runtime: N8nRuntime;
	n8n: N8nServer;
	/** The sandbox site, unless a real site was given. */
	sandbox?: SandboxServer;
	site: SiteCredential;
	/** Stops n8n, then the sandbox. */
	stop(): Promise<void>;
}

/** The site of YETISHARE_URL (with API keys, or a username and password), if set. */
export function siteFromEnvironment(env: NodeJS.ProcessEnv): SiteCredential | undefined {
	if (!env.YETISHARE_URL) return undefined;
	const login = !env.YETISHARE_KEY1 && env.YETISHARE_USERNAME;
	return {
		name: 'YetiShare site',
		data: login
			? {
					baseUrl: env.YETISHARE_URL,
					authentication: 'usernamePassword',
					username: env.YETISHARE_USERNAME,
					password: env.YETISHARE_PASSWORD ?? '',
				}
			: {
					baseUrl: env.YETISHARE_URL,
					authentication: 'apiKeys',
					apiKey1: env.YETISHARE_KEY1 ?? '',
					apiKey2: env.YETISHARE_KEY2 ?? '',
				},
	};
}

function sandboxCredential(sandbox: SandboxServer): SiteCredential {
	const { key1, key2 } = sandbox.demoAccount;
	return {
		name: 'YetiShare sandbox',
		data: { baseUrl: sandbox.baseUrl, authentication: 'apiKeys', apiKey1: key1, apiKey2: key2 },
	};
}

/**
 * Installs the pinned n8n if needed, starts the sandbox (unless a site is given), imports the
 * credential and the example workflows into `userFolder`, and starts `n8n start` on `port`.
 * Resolves once the editor is accessible; on failure, stops what it started.
 */
export async function startEditor(options: EditorOptions): Promise<Editor> {
	const { signal } = options;
	const runtime = await ensureN8n(options.version ?? DEFAULT_N8N_VERSION, options.log);
	const sandbox = options.site ? undefined : new SandboxServer({ port: options.sandboxPort ?? 0 });
	let n8n: N8nServer | undefined;
	const stop = async () => {
		await n8n?.stop();
		await sandbox?.stop();
	};
	const abort = () => void stop();
	signal?.addEventListener('abort', abort);
	try {
		signal?.throwIfAborted();
		await sandbox?.start();
		const site = options.site ?? sandboxCredential(sandbox!);
		mkdirSync(options.userFolder, { recursive: true });
		const cli = new N8nCli(runtime, options.userFolder, {
			...options.env,
			N8N_PORT: String(options.port),
		});
		options.log?.('Importing the credential and the example workflows…');
		await cli.importCredential({
			id: 'yetishare-sandbox',
			name: site.name,
			type: 'yetiShareApi',
			data: { timeout: 60, accessToken: '', accountId: '', ...site.data },
		});
		await cli.importWorkflows(exampleWorkflows());
		signal?.throwIfAborted();
		n8n = new N8nServer(cli, options.onOutput);
		await n8n.start(options.startTimeoutMs ?? 600_000);
		return { runtime, n8n, sandbox, site, stop };
	} catch (error) {
		await stop();
		throw error;
	} finally {
		signal?.removeEventListener('abort', abort);
	}
}

async function main() {
	const stopping = new AbortController();
	let editor: Editor | undefined;
	const stop = () => {
		if (stopping.signal.aborted) return;
		stopping.abort();
		void editor?.stop();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	try {
		editor = await startEditor({
			userFolder: join(ROOT, '.n8n', `home-${process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION}`),
			port: Number(process.env.N8N_PORT ?? 5678),
			version: process.env.N8N_VERSION,
			site: siteFromEnvironment(process.env),
			sandboxPort: Number(process.env.SANDBOX_PORT ?? 8787),
			onOutput: (chunk) => process.stdout.write(chunk),
			log: (line) => process.stderr.write(`${line}\n`),
			signal: stopping.signal,
		});
	} catch (error) {
		if (stopping.signal.aborted) process.exit(0);
		throw error;
	}
	const { runtime, n8n, sandbox, site } = editor;
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
	process.exit(stopping.signal.aborted ? 0 : (code ?? 1));
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	});
}
