/**
 * n8n in queue mode, as people run it to scale: one main process (`n8n start`: editor, webhooks,
 * triggers) that puts executions on a Redis queue, and workers (`n8n worker`) that run them, all
 * sharing one PostgreSQL database and one encryption key, with binary data in the database (queue
 * mode's default). Each process has its own user folder, as on separate machines. The package is
 * installed as users install it (`registry`): the main process's Community Nodes installer puts it
 * in its folder, and each worker installs it again at start (N8N_REINSTALL_MISSING_PACKAGES).
 * Without a registry, every process loads the build through N8N_CUSTOM_EXTENSIONS.
 */
import { randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { MESSAGES, type SandboxServer } from '../sandbox/server';
import { MAIN, N8nCli, N8nServer, outputOf, worker, type N8nRun, type Workflow } from './cli';
import { PACKAGE_NAME } from './packed';
import type { LocalRegistry } from './registry';
import { N8nRest } from './rest';
import { INSTALLED_PACKAGES_ONLY, type N8nRuntime } from './runtime';
import { freePort, Postgres, Redis } from './services';

export interface QueueOptions {
	workers: number;
	/** `n8n worker --concurrency`. */
	concurrency: number;
	/** More environment for every process (the same on all of them). */
	env?: NodeJS.ProcessEnv;
	/** Where the package is installed from (see `installPackage`); none: every process loads `dist/`. */
	registry?: LocalRegistry;
}

/** What the execution list shows of one execution, with its data. */
export interface QueuedExecution extends N8nRun {
	id: string;
	mode: string;
}

const FINISHED = ['success', 'error', 'crashed', 'canceled'];
/** How long an n8n process may take to say it is ready: minutes on two busy cores, with the others starting beside it. */
export const STARTUP_MS = 480_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class QueueCluster {
	readonly redis = new Redis();
	readonly postgres = new Postgres();
	/** The main process's command line (imports, publishing), run against the shared database. */
	cli!: N8nCli;
	main!: N8nServer;
	workers: N8nServer[] = [];
	/** Where workflows may read and write files (N8N_RESTRICT_FILE_ACCESS_TO on every process). */
	files = '';
	private home = '';
	private shared: NodeJS.ProcessEnv = {};
	private flatted?: { parse(text: string): any };

	constructor(
		readonly runtime: N8nRuntime,
		readonly options: QueueOptions,
	) {}

	/** Starts Redis and PostgreSQL and prepares the main process's command line; n8n is not running yet. */
	async prepare() {
		this.home = mkdtempSync(join(tmpdir(), 'n8n-queue-'));
		this.files = join(this.home, 'files');
		mkdirSync(this.files);
		await Promise.all([this.redis.start(), this.postgres.start()]);
		this.shared = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			// the one secret every process must share: credentials are encrypted with it
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_RESTRICT_FILE_ACCESS_TO: this.files,
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			...(this.options.registry
				? {
						...this.options.registry.env(),
						...INSTALLED_PACKAGES_ONLY,
						N8N_REINSTALL_MISSING_PACKAGES: 'true',
					}
				: {}),
			...this.options.env,
		};
		// debug on the main process: its log then says when triggers poll
		this.cli = await this.processCli('main', {
			N8N_PORT: String(await freePort()),
			N8N_LOG_LEVEL: 'debug',
		});
		this.main = new N8nServer(this.cli, undefined, MAIN);
	}

	/**
	 * Installs the package through the main process's Settings → Community Nodes (its REST call, as
	 * the new instance's owner), then stops the main process: what is imported and activated next
	 * finds the package's node types, and `start()` loads it again from the main process's folder.
	 */
	async installPackage() {
		await this.main.start(STARTUP_MS);
		try {
			const rest = new N8nRest(this.main.url);
			await rest.setUpOwner();
			await rest.ok('POST', '/rest/community-packages', { name: PACKAGE_NAME });
		} finally {
			await this.main.stop();
		}
	}

	/** Starts the main process and the workers side by side (the database is set up by the imports before). */
	async start() {
		for (let index = 0; index < this.options.workers; index++) {
			const cli = await this.processCli(`worker-${index + 1}`, {});
			this.workers.push(new N8nServer(cli, undefined, worker(this.options.concurrency)));
		}
		await Promise.all([this.main, ...this.workers].map((process) => process.start(STARTUP_MS)));
	}

	/** Stops every process this cluster started, then Redis and PostgreSQL, and removes every folder. */
	async stop() {
		await Promise.allSettled([this.main?.stop(), ...this.workers.map((process) => process.stop())]);
		await Promise.allSettled([this.redis.stop(), this.postgres.stop()]);
		if (this.home) rmSync(this.home, { recursive: true, force: true });
	}

	private async processCli(name: string, env: NodeJS.ProcessEnv) {
		const folder = join(this.home, name);
		mkdirSync(folder);
		// a task runner broker per process, on a port of its own
		return new N8nCli(this.runtime, folder, {
			...this.shared,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...env,
		});
	}

	get webhookUrl() {
		return `${this.main.url}/webhook`;
	}

	/** The worker that ran an execution, from its log ("Worker started execution <id>"), or -1. */
	workerOf(executionId: string): number {
		return this.workers.findIndex((process) =>
			new RegExp(`Worker started execution ${executionId} \\(`).test(process.output),
		);
	}

	/** Ids of the executions of a workflow, oldest first. */
	async executionIds(workflowId: string): Promise<string[]> {
		const rows = await this.postgres.query(
			`SELECT id FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`,
		);
		return rows.map(([id]) => id);
	}

	/** An execution as the executions list shows it: status, mode, times, and its data. */
	async execution(id: string): Promise<QueuedExecution> {
		const [[status, mode, startedAt, stoppedAt] = []] = await this.postgres.query(
			`SELECT status, mode, "startedAt", "stoppedAt" FROM execution_entity WHERE id = ${Number(id)}`,
		);
		if (!status) throw new Error(`No execution ${id}`);
		const [[data] = []] = await this.postgres.query(
			`SELECT data FROM execution_data WHERE "executionId" = ${Number(id)}`,
		);
		// n8n stores execution data in the `flatted` format (JSON with shared references)
		this.flatted ??= require(join(this.runtime.dir, 'node_modules/flatted')) as {
			parse(text: string): any;
		};
		return {
			id,
			status,
			mode,
			startedAt,
			stoppedAt,
			data: data ? this.flatted.parse(data) : { resultData: { runData: {} } },
		};
	}

	/**
	 * Waits until the execution has finished (any way), and returns it. It fails after `timeoutMs`
	 * without progress: with `progress` (a count that grows while work is done, e.g. the site's
	 * calls), a slow machine that is still working is waited for, and a stalled run still fails.
	 */
	async finished(
		id: string,
		timeoutMs = 240_000,
		progress?: () => number,
	): Promise<QueuedExecution> {
		let seen = progress?.();
		for (let deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
			const [[status] = []] = await this.postgres.query(
				`SELECT status FROM execution_entity WHERE id = ${Number(id)}`,
			);
			if (FINISHED.includes(status)) return await this.execution(id);
			const now = progress?.();
			if (now !== seen) [seen, deadline] = [now, Date.now() + timeoutMs];
		}
		const stalled = progress ? ` without progress for ${timeoutMs} ms` : ` within ${timeoutMs} ms`;
		throw new Error(
			`Execution ${id} did not finish${stalled}.\nMain:\n${this.main.output.slice(-3000)}\n` +
				`${this.workers.map((w, i) => `Worker ${i + 1}:\n${w.output.slice(-3000)}`).join('\n')}`,
		);
	}

	/**
	 * Calls a workflow's production webhook (see `startedByWebhook`): the main process puts the
	 * execution on the queue and answers with its id at once.
	 */
	async trigger(path: string): Promise<string> {
		// The main process says its editor is up before it has registered every active workflow's
		// webhooks: until then a call answers 404 "not registered", and nothing was started.
		for (const deadline = Date.now() + 60_000; ; await sleep(250)) {
			const response = await fetch(`${this.webhookUrl}/${path}`, { method: 'POST' });
			const text = await response.text();
			if (response.ok && /^\d+$/.test(text.trim())) return text.trim();
			const registering =
				response.status === 404 && /is not registered/.test(text) && Date.now() < deadline;
			if (!registering) throw new Error(`The webhook ${path} answered ${response.status}: ${text}`);
		}
	}

	/** Peak and current RSS of a process (bytes), from /proc. */
	static memory(pid: number): { peak: number; now: number } {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kib = (field: string) =>
			Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
		return { peak: kib('VmHWM'), now: kib('VmRSS') };
	}
}

/**
 * A workflow started by a production webhook instead of its manual trigger (the node named
 * "Start"), answering with the execution's id as soon as the execution is queued: how a caller
 * gets work onto the workers and then finds its execution in the list.
 */
export function startedByWebhook(workflow: Workflow, path: string): Workflow {
	const nodes = workflow.nodes.map((node) =>
		node.type === 'n8n-nodes-base.manualTrigger'
			? {
					...node,
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					webhookId: path,
					parameters: {
						httpMethod: 'POST',
						path,
						responseMode: 'onReceived',
						options: { responseData: '={{ $execution.id }}' },
					},
				}
			: node,
	);
	return { ...workflow, active: false, nodes };
}

export interface LoadResult {
	items: number;
	/** Items that did not come out of the measured node (a failed execution stops at its failed item). */
	failedItems: number;
	/** The error of each failed execution. */
	errors: string[];
	/** /authorize calls during the run. */
	authorize: number;
	/** Executions each worker ran. */
	perWorker: number[];
	/** Whether the site dropped every token a second time while the executions still ran. */
	droppedTwice: boolean;
	/** The lookups in order, for checking they answered the right files. */
	answered: string[];
	seconds: number;
}

/**
 * Many executions at once on one credential: the webhook at `path` called `executions` times at
 * once, every live token dropped by the site after `dropAfter` calls, and again `dropAfter`
 * calls after the first drop was seen.
 */
export async function loadOnOneCredential(
	cluster: QueueCluster,
	sandbox: SandboxServer,
	{
		path,
		executions,
		items,
		node,
		dropAfter,
	}: { path: string; executions: number; items: number; node: string; dropAfter: number },
): Promise<LoadResult> {
	const authorizations = sandbox.count('authorize');
	const started = Date.now();
	const deadAnswers = () =>
		sandbox.log.filter((entry) => entry.at >= started && entry.message === MESSAGES.invalidToken);
	sandbox.killTokensAfter(dropAfter);
	const ids = await Promise.all(Array.from({ length: executions }, () => cluster.trigger(path)));
	for (const deadline = Date.now() + 240_000; deadAnswers().length === 0 && Date.now() < deadline; )
		await sleep(50);
	const secondDrop = Date.now();
	sandbox.killTokensAfter(dropAfter);
	// a loaded machine may take long: waited for while the site sees calls, failed if they stop for 2 minutes
	const runs = await Promise.all(
		ids.map((id) => cluster.finished(id, 120_000, () => sandbox.log.length)),
	);
	const seconds = (Date.now() - started) / 1000;
	// no countdown left for what runs next (this drops the tokens once more, between runs)
	sandbox.killTokensAfter(0);
	const out = runs.flatMap((execution) => outputOf(execution, node));
	const workers = ids.map((id) => cluster.workerOf(id));
	return {
		items: executions * items,
		failedItems: executions * items - out.length,
		errors: runs
			.filter((execution) => execution.status !== 'success')
			.map((execution) => String(execution.data.resultData.error?.message)),
		authorize: sandbox.count('authorize') - authorizations,
		perWorker: cluster.workers.map(
			(_, index) => workers.filter((worker) => worker === index).length,
		),
		droppedTwice: deadAnswers().some((entry) => entry.at >= secondDrop),
		answered: out.map((item) => String(item.json.id)),
		seconds,
	};
}
