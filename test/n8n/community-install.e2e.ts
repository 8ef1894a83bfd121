/**
 * The package installed as users install it, in every pinned real n8n: the tarball `npm pack`
 * makes, published to a registry on loopback that answers for registry.npmjs.org (registry.ts),
 * and n8n loading nothing but what is installed in its user folder.
 * - Route A: Settings → Community Nodes → Install (n8n's REST call), then an update to a newer
 *   release, and uninstall while the registry cannot be reached.
 * - Route B: `npm install n8n-nodes-yetishare` in ~/.n8n/nodes, then a restart (README).
 * After each: the nodes, the credential and both icon variants are served, the credential test
 * passes, a saved workflow runs against the sandbox, and all of it again after a restart.
 * Besides: the manual route adds one package on Node 20, 22 and 24.
 */
import { execFile } from 'child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { chain, yetiShare } from '../bench/n8n-workflows';
import { SandboxServer } from '../sandbox/server';
import { N8nCli, N8nServer, outputOf } from './cli';
import { PACKAGE_NAME, packPackage } from './packed';
import { LocalRegistry, REGISTRY_HOST } from './registry';
import { N8nRest } from './rest';
import {
	ensureN8n,
	ensureNode,
	INSTALLED_PACKAGES_ONLY,
	N8N_VERSIONS,
	OTHER_NODE_VERSIONS,
	ROOT,
	type N8nRuntime,
} from './runtime';
import { freePort } from './services';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NODE_TYPES = [`${PACKAGE_NAME}.yetiShare`, `${PACKAGE_NAME}.yetiShareTrigger`];
const CREDENTIAL_TYPE = 'yetiShareApi';
const ACCOUNT = chain('inst-account', 'Installed: account', [
	yetiShare('Account', { resource: 'account', operation: 'get' }),
]);

/** The npm that users run, on a given Node.js (the npm CLI is JavaScript; this machine's copy). */
async function npmOn(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
	const npmCli = (await run('sh', ['-c', 'readlink -f "$(command -v npm)"'])).stdout.trim();
	return await run(node, [npmCli, ...args], { cwd, env: { ...process.env, ...env } });
}

/** What `npm install n8n-nodes-yetishare` left in a folder: the packages and their bytes on disk. */
function installedIn(folder: string) {
	const modules = join(folder, 'node_modules');
	const packages = readdirSync(modules).filter((name) => !name.startsWith('.'));
	const bytes = (path: string): number => {
		const entries = readdirSync(path, { withFileTypes: true });
		return entries.reduce(
			(sum, entry) =>
				sum +
				(entry.isDirectory()
					? bytes(join(path, entry.name))
					: statSync(join(path, entry.name)).size),
			0,
		);
	};
	return { packages, bytes: bytes(join(modules, PACKAGE_NAME)) };
}

/** Only registry.npmjs.org was reached (through the proxy, at the suite's registry); what else was asked for is refused and reported. */
function expectOnlyTheRegistry(registry: LocalRegistry) {
	expect(registry.hosts(true)).toEqual([`${REGISTRY_HOST}:443`]);
	const refused = registry.hosts(false);
	if (refused.length) process.stdout.write(`refused by the proxy: ${refused.join(', ')}\n`);
}

/** One n8n instance of the suite: its own user folder and ports, the registry's proxy, no `dist/`. */
class Instance {
	readonly cli: N8nCli;
	readonly server: N8nServer;
	readonly rest: N8nRest;
	private signedIn = false;

	constructor(
		runtime: N8nRuntime,
		readonly home: string,
		registry: LocalRegistry,
		env: NodeJS.ProcessEnv,
	) {
		this.cli = new N8nCli(runtime, home, { ...registry.env(), ...env, ...INSTALLED_PACKAGES_ONLY });
		this.server = new N8nServer(this.cli);
		this.rest = new N8nRest(this.server.url);
		mkdirSync(this.nodesFolder, { recursive: true });
		writeFileSync(join(this.nodesFolder, '.npmrc'), registry.npmrc());
	}

	get nodesFolder() {
		return join(this.home, '.n8n', 'nodes');
	}

	async start() {
		await this.server.start(480_000);
		if (this.signedIn) await this.rest.signIn();
		else await this.rest.setUpOwner();
		this.signedIn = true;
	}

	/**
	 * A types file n8n serves to its editor (`nodes`, `credentials`). After an install or update n8n
	 * writes the file anew, and a request meanwhile can get part of it: asked again until it is whole.
	 */
	async served(file: 'nodes' | 'credentials'): Promise<any[]> {
		for (const deadline = Date.now() + 30_000; ; await sleep(250)) {
			const types = await this.rest.ok<any[]>('GET', `/types/${file}.json`);
			if (Array.isArray(types)) return types;
			if (Date.now() > deadline)
				throw new Error(
					`/types/${file}.json is not a list: ${JSON.stringify(types).slice(0, 300)}`,
				);
		}
	}

	/** The node types n8n serves, by name. */
	async nodeTypes(): Promise<Map<string, any>> {
		return new Map((await this.served('nodes')).map((type) => [type.name, type]));
	}

	/**
	 * The package as the editor meets it: both nodes with their light and dark icons (the files
	 * the package ships), the credential type, and the credential test passing.
	 */
	async expectPackageServed(sandbox: SandboxServer) {
		const types = await this.nodeTypes();
		for (const name of NODE_TYPES) {
			const type = types.get(name);
			expect(type).toBeDefined();
			for (const variant of ['light', 'dark'] as const) {
				const iconUrl = String(type.iconUrl?.[variant] ?? '');
				expect(iconUrl).toMatch(new RegExp(`^icons/${PACKAGE_NAME}/dist/icons/.+\\.svg$`));
				const icon = await fetch(`${this.server.url}/${iconUrl}`);
				expect(icon.status).toBe(200);
				expect(Buffer.from(await icon.arrayBuffer())).toEqual(
					readFileSync(join(ROOT, iconUrl.replace(`icons/${PACKAGE_NAME}/dist/`, ''))),
				);
			}
		}
		const credentials = await this.served('credentials');
		expect(credentials.map((type) => type.name)).toContain(CREDENTIAL_TYPE);
		const { key1, key2 } = sandbox.demoAccount;
		const tested = await this.rest.testCredential({
			id: 'yetishare-sandbox',
			name: 'YetiShare sandbox',
			type: CREDENTIAL_TYPE,
			data: { baseUrl: sandbox.baseUrl, authentication: 'apiKeys', apiKey1: key1, apiKey2: key2 },
		});
		expect(tested).toEqual(expect.objectContaining({ status: 'OK' }));
	}

	/** Runs the saved account workflow with n8n's CLI (n8n stopped: one process on the database at a time). */
	async runAccountWorkflow(sandbox: SandboxServer) {
		const run = await this.cli.execute(ACCOUNT.id!);
		expect(run.status).toBe('success');
		const [account] = outputOf(run, 'Account');
		expect(account.json.username).toBe(sandbox.demoAccount.username);
	}

	async stop() {
		await this.server.stop();
	}
}

describe('the packed package installed as users install it', () => {
	const sandbox = new SandboxServer();
	let work: string;
	/** Every registry of the suite, each with 0.1.0 published at its start (one per n8n, which publishes 0.1.1 to it). */
	const registries: LocalRegistry[] = [];
	const startRegistry = async () => {
		const registry = new LocalRegistry((await ensureN8n(N8N_VERSIONS[0])).node);
		registries.push(registry);
		await registry.start();
		registry.publish(packPackage(mkdtempSync(join(work, 'release-'))));
		return registry;
	};
	/** The npm install by hand, per Node.js version: what it added, for the report. */
	const manual: string[] = [];

	beforeAll(async () => {
		await sandbox.start();
		work = mkdtempSync(join(tmpdir(), 'yetishare-install-'));
	});
	afterAll(async () => {
		if (manual.length)
			process.stdout.write(
				`npm install ${PACKAGE_NAME} in a clean ~/.n8n/nodes:\n  ${manual.join('\n  ')}\n`,
			);
		await Promise.allSettled(registries.map((registry) => registry.stop()));
		await sandbox.stop();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	it('npm install n8n-nodes-yetishare in a clean ~/.n8n/nodes adds this package alone, on Node 20, 22 and 24', async () => {
		const registry = await startRegistry();
		const node24 = (await ensureN8n(N8N_VERSIONS[0])).node;
		const nodes = [
			...(await Promise.all(OTHER_NODE_VERSIONS.map((version) => ensureNode(version)))),
			node24,
		];
		for (const node of nodes) {
			const folder = mkdtempSync(join(work, 'nodes-'));
			const version = (await run(node, ['--version'])).stdout.trim();
			const { stdout } = await npmOn(node, ['install', PACKAGE_NAME], folder, registry.env());
			expect(stdout).toMatch(/added 1 package\b/);
			const installed = installedIn(folder);
			expect(installed.packages).toEqual([PACKAGE_NAME]);
			manual.push(
				`Node ${version}: ${stdout.trim().split('\n')[0]}, ${installed.packages.join(', ')}, ${installed.bytes} bytes`,
			);
		}
		expectOnlyTheRegistry(registry);
	});

	describe.each(N8N_VERSIONS)('in a real n8n %s', (version) => {
		let runtime: N8nRuntime;
		let registry: LocalRegistry;
		const instances: Instance[] = [];
		const instance = async (name: string) => {
			const home = join(work, `${version}-${name}`);
			mkdirSync(home);
			const made = new Instance(runtime, home, registry, {
				N8N_PORT: String(await freePort()),
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			});
			instances.push(made);
			await made.cli.importSandboxCredential(sandbox);
			await made.cli.importWorkflows([ACCOUNT]);
			return made;
		};

		beforeAll(async () => {
			runtime = await ensureN8n(version);
			registry = await startRegistry();
		});
		afterAll(async () => {
			await Promise.allSettled(instances.map((made) => made.stop()));
		});

		it('route B: npm install in ~/.n8n/nodes, then a restart: served, tested, runs; not listed under Community Nodes', async () => {
			const n8n = await instance('by-hand');
			const { stdout } = await npmOn(
				runtime.node,
				['install', PACKAGE_NAME],
				n8n.nodesFolder,
				registry.env(),
			);
			expect(stdout).toMatch(/added 1 package\b/);

			await n8n.start();
			await n8n.expectPackageServed(sandbox);
			// n8n lists (and can remove) only what its own installer put there
			expect(await n8n.rest.ok('GET', '/rest/community-packages')).toEqual([]);
			const uninstall = await n8n.rest.call(
				'DELETE',
				`/rest/community-packages?name=${PACKAGE_NAME}`,
			);
			expect(uninstall.status).toBe(400);
			expect(uninstall.message).toMatch(/not installed/i);
			await n8n.stop();

			await n8n.runAccountWorkflow(sandbox);
			await n8n.start();
			await n8n.expectPackageServed(sandbox);
			await n8n.stop();
			expectOnlyTheRegistry(registry);
		});

		it(
			"route A: the editor's Install, a restart, an update to the next release keeping " +
				'the saved workflow and token, uninstall while the registry is unreachable',
			async () => {
				const n8n = await instance('installer');
				await n8n.start();
				const installed = await n8n.rest.ok('POST', '/rest/community-packages', {
					name: PACKAGE_NAME,
				});
				expect(installed).toEqual(
					expect.objectContaining({ packageName: PACKAGE_NAME, installedVersion: '0.1.0' }),
				);
				expect(installed.installedNodes.map((node: { type: string }) => node.type)).toEqual(
					expect.arrayContaining(NODE_TYPES),
				);
				await n8n.expectPackageServed(sandbox);
				await n8n.stop();

				await n8n.runAccountWorkflow(sandbox);

				await n8n.start();
				await n8n.expectPackageServed(sandbox);
				const [listed] = await n8n.rest.ok('GET', '/rest/community-packages');
				expect(listed).toEqual(
					expect.objectContaining({ packageName: PACKAGE_NAME, installedVersion: '0.1.0' }),
				);
				expect(listed.updateAvailable).toBeUndefined();

				// the next release: n8n offers it, updates, and what was saved keeps working with the token it stored
				registry.publish(packPackage(mkdtempSync(join(work, 'release-')), '0.1.1'));
				const [outdated] = await n8n.rest.ok('GET', '/rest/community-packages');
				expect(outdated.updateAvailable).toBe('0.1.1');
				const updated = await n8n.rest.ok('PATCH', '/rest/community-packages', {
					name: PACKAGE_NAME,
				});
				expect(updated).toEqual(
					expect.objectContaining({ packageName: PACKAGE_NAME, installedVersion: '0.1.1' }),
				);
				await n8n.expectPackageServed(sandbox);
				await n8n.stop();
				const afterUpdate = sandbox.count('authorize');
				await n8n.runAccountWorkflow(sandbox);
				expect(sandbox.count('authorize')).toBe(afterUpdate);

				// the registry unreachable: n8n still lists the package (no update offered), uninstalls it, and says why it cannot install
				await n8n.start();
				registry.reachable = false;
				try {
					let started = Date.now();
					const [offline] = await n8n.rest.ok('GET', '/rest/community-packages');
					const listing = Date.now() - started;
					expect(offline).toEqual(
						expect.objectContaining({ packageName: PACKAGE_NAME, installedVersion: '0.1.1' }),
					);
					// (2.x says whether it loaded; 1.x has no such field)
					expect(offline.failedLoading ?? false).toBe(false);
					expect(offline.updateAvailable).toBeUndefined();
					await n8n.rest.ok('DELETE', `/rest/community-packages?name=${PACKAGE_NAME}`);
					expect(await n8n.rest.ok('GET', '/rest/community-packages')).toEqual([]);
					started = Date.now();
					const install = await n8n.rest.call('POST', '/rest/community-packages', {
						name: PACKAGE_NAME,
					});
					expect(install.status).toBeGreaterThanOrEqual(400);
					expect(install.message).toBeTruthy();
					process.stdout.write(
						`n8n ${version}, registry unreachable: ` +
							`Community Nodes listed the package in ${listing} ms; Install answered ` +
							`${install.status} "${install.message}" after ${Date.now() - started} ms\n`,
					);
				} finally {
					registry.reachable = true;
				}
				const types = await n8n.nodeTypes();
				for (const name of NODE_TYPES) expect(types.has(name)).toBe(false);
				expect(existsSync(join(n8n.nodesFolder, 'node_modules', PACKAGE_NAME))).toBe(false);
				await n8n.stop();
				expectOnlyTheRegistry(registry);
			},
		);
	});
});
