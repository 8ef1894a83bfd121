/**
 * A running n8n with workflows active from the start, for the trigger suites: its own user folder
 * and ports, the packed package installed in ~/.n8n/nodes as users install it, the sandbox's
 * credential imported. Started by the test (`n8n.start()`), so it can also stop and restart it.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { SandboxServer } from '../sandbox/server';
import { N8nServer, type Workflow } from './cli';
import { cliWithPackageInstalled } from './packed';
import { ensureN8n } from './runtime';

export interface ActiveN8n {
	n8n: N8nServer;
}

export function useActiveWorkflows(
	options: { version: string; port: number; sandbox: SandboxServer; name: string },
	workflows: () => Workflow[],
): ActiveN8n {
	const { version, port, sandbox, name } = options;
	const active = {} as ActiveN8n;
	let home: string | undefined;

	beforeAll(async () => {
		const runtime = await ensureN8n(version);
		await sandbox.start();
		home = mkdtempSync(join(tmpdir(), `n8n-e2e-${name}-`));
		const cli = await cliWithPackageInstalled(runtime, home, {
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(port + 1),
		});
		await cli.importSandboxCredential(sandbox);
		const imported = workflows();
		await cli.importWorkflows(imported);
		for (const workflow of imported) await cli.activate(workflow.id!);
		active.n8n = new N8nServer(cli);
	});
	afterAll(async () => {
		await active.n8n?.stop();
		await sandbox.stop();
		if (home) rmSync(home, { recursive: true, force: true });
	});
	return active;
}
