/**
 * Driving a real n8n through its command line: import credentials and workflows, execute a
 * workflow and read its run as JSON. Used by `npm start` and the end-to-end tests.
 */
import { spawn, type ChildProcess } from 'child_process';
import { once } from 'events';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import { n8nEnvironment, ROOT, type N8nRuntime } from './runtime';

/** The package's node types as n8n names them when the package is loaded as a custom extension. */
const LOCAL_TYPES: Record<string, string> = {
	'n8n-nodes-yetishare.yetiShare': 'CUSTOM.yetiShare',
	'n8n-nodes-yetishare.yetiShareTrigger': 'CUSTOM.yetiShareTrigger',
	'n8n-nodes-yetishare.yetiShareTool': 'CUSTOM.yetiShareTool',
};

export interface Workflow {
	id?: string;
	name: string;
	active?: boolean;
	nodes: Array<{ type: string; [key: string]: unknown }>;
	[key: string]: unknown;
}

/** n8n's record of one execution, as `n8n execute --rawOutput` prints it. */
export interface N8nRun {
	status: string;
	startedAt: string;
	stoppedAt: string;
	data: {
		resultData: {
			/** Per node: its runs, each with its start (epoch ms), duration (ms) and output items. */
			runData: Record<
				string,
				Array<{
					startTime: number;
					executionTime: number;
					data?: { main?: Array<Array<{ json: any; binary?: any }>> };
				}>
			>;
			error?: any;
		};
	};
}

/** The items a node put out in its first run. */
export const outputOf = (run: N8nRun, node: string) =>
	(run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? []) as Array<{
		json: any;
		binary?: any;
	}>;

/**
 * An n8n command that did not end with exit code 0: how it ended (an exit code, or a signal and
 * whether this driver's own timeout sent it), with what it printed. A crash is never a pass.
 */
export class N8nCommandFailed extends Error {
	constructor(
		readonly args: string[],
		readonly exitCode: number | null,
		readonly signal: NodeJS.Signals | null,
		/** This driver killed n8n because it ran past `timeoutMs`. */
		readonly timedOut: boolean,
		readonly stdout: string,
		readonly stderr: string,
		timeoutMs: number,
	) {
		const how =
			signal === null
				? `exited with code ${exitCode}`
				: timedOut
					? `was killed with ${signal} by the test driver: it had not ended after ${timeoutMs} ms`
					: `crashed: it was killed by ${signal}, which the test driver did not send`;
		super(`n8n ${args.join(' ')} ${how}:\n${stderr.slice(-3000)}\n${stdout.slice(-3000)}`);
		this.name = 'N8nCommandFailed';
	}
}

export interface CommandOptions {
	/** The process is killed after this long; default 5 minutes. */
	timeoutMs?: number;
	/** Called with the n8n process as soon as it is spawned (e.g. to sample its memory). */
	onSpawn?: (child: ChildProcess) => void;
}

export class N8nCli {
	/** Everything n8n printed (standard output and error) across the commands run so far. */
	transcript = '';
	/** Counts commands over every N8nCli of this process: several may share a user folder and run at once. */
	private static commands = 0;

	constructor(
		readonly runtime: N8nRuntime,
		readonly userFolder: string,
		readonly env: NodeJS.ProcessEnv = {},
	) {}

	get environment() {
		return n8nEnvironment(this.userFolder, this.env);
	}

	/** Runs one n8n command; resolves its standard output, rejects with its output on failure. */
	command(args: string[], { timeoutMs = 300_000, onSpawn }: CommandOptions = {}): Promise<string> {
		// Into files, not pipes: n8n ends with process.exit(), which cuts off output still queued
		// for a pipe (a long run printed as JSON, or debug logging); writes to a file are not queued.
		const outFile = join(this.userFolder, `.command-${process.pid}-${++N8nCli.commands}.out`);
		const errFile = `${outFile}.err`;
		const out = openSync(outFile, 'w');
		const err = openSync(errFile, 'w');
		return new Promise<string>((resolve, reject) => {
			const child = spawn(
				this.runtime.node,
				[...this.runtime.nodeArgs, this.runtime.n8n, ...args],
				{ env: this.environment, stdio: ['ignore', out, err] },
			);
			onSpawn?.(child);
			let timedOut = false;
			const timer = setTimeout(() => {
				timedOut = true;
				child.kill('SIGKILL');
			}, timeoutMs);
			child.on('error', reject);
			child.on('exit', (code, signal) => {
				clearTimeout(timer);
				const stdout = readFileSync(outFile, 'utf8');
				const stderr = readFileSync(errFile, 'utf8');
				this.transcript += stdout + stderr;
				if (code === 0) resolve(stdout);
				else reject(new N8nCommandFailed(args, code, signal, timedOut, stdout, stderr, timeoutMs));
			});
		}).finally(() => {
			closeSync(out);
			closeSync(err);
			rmSync(outFile, { force: true });
			rmSync(errFile, { force: true });
		});
	}

	async importCredential(credential: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}) {
		const file = join(this.userFolder, `credential-${credential.id}.json`);
		// n8n encrypts what it imports; the plain file (keys, a password) must not stay behind
		writeFileSync(file, JSON.stringify([credential]), { mode: 0o600 });
		try {
			await this.command(['import:credentials', `--input=${file}`]);
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** The "YetiShare sandbox" credential the example workflows use, for the sandbox's demo account. */
	async importSandboxCredential(
		sandbox: { baseUrl: string; demoAccount: { key1: string; key2: string } },
		settings: Record<string, unknown> = {},
	) {
		const { key1, key2 } = sandbox.demoAccount;
		await this.importCredential({
			id: 'yetishare-sandbox',
			name: 'YetiShare sandbox',
			type: 'yetiShareApi',
			data: {
				baseUrl: sandbox.baseUrl,
				authentication: 'apiKeys',
				apiKey1: key1,
				apiKey2: key2,
				timeout: 30,
				accessToken: '',
				accountId: '',
				...settings,
			},
		});
	}

	/** Imports workflows, naming this package's nodes as this n8n loads them (from `dist/`, or installed). */
	async importWorkflows(workflows: Workflow[]) {
		const fromBuild = this.environment.N8N_CUSTOM_EXTENSIONS !== undefined;
		const local = workflows.map((workflow) => ({
			...workflow,
			nodes: workflow.nodes.map((node) => ({
				...node,
				type: (fromBuild && LOCAL_TYPES[node.type]) || node.type,
			})),
		}));
		const file = join(this.userFolder, 'workflows.json');
		writeFileSync(file, JSON.stringify(local));
		await this.command(['import:workflow', `--input=${file}`]);
	}

	/**
	 * Marks a saved workflow active, for the next `n8n start` to run its trigger. 2.x activates a
	 * published version (`update:workflow --active` is deprecated there); 1.x has no versions and
	 * only the flag.
	 */
	async activate(workflowId: string) {
		const major = Number(this.runtime.version.split('.')[0]);
		await this.command(
			major >= 2
				? ['publish:workflow', `--id=${workflowId}`]
				: ['update:workflow', `--id=${workflowId}`, '--active=true'],
		);
	}

	/** Executes a saved workflow and returns n8n's record of the run. */
	async execute(workflowId: string, options: CommandOptions = {}): Promise<N8nRun> {
		const output = await this.command(['execute', `--id=${workflowId}`, '--rawOutput'], options);
		const run = printedRun(output);
		if (!run) throw new Error(`n8n printed no run:\n${output.slice(-2000)}`);
		return run;
	}

	/**
	 * As execute, but a workflow that failed resolves too, with its error in the record: n8n prints
	 * the run and then exits with code 1. A crash, a timeout or no run printed still rejects.
	 */
	async executeToTheEnd(workflowId: string, options: CommandOptions = {}): Promise<N8nRun> {
		try {
			return await this.execute(workflowId, options);
		} catch (error) {
			const run =
				error instanceof N8nCommandFailed && error.exitCode === 1
					? printedRun(error.stdout)
					: undefined;
			if (run?.status !== 'error') throw error;
			return run;
		}
	}
}

/**
 * The run `n8n execute --rawOutput` printed: indented JSON through n8n's logger, opening with "{"
 * ending a line and closing with "}" starting one, maybe with log text around it (a timestamp,
 * metadata, the error after a failed run).
 */
function printedRun(output: string): N8nRun | undefined {
	const opens = [...output.matchAll(/\{\n/g)].map((match) => match.index!);
	const closes = [...output.matchAll(/\n\}/g)].map((match) => match.index! + 2).reverse();
	for (const open of opens) {
		for (const close of closes.filter((end) => end > open)) {
			try {
				return JSON.parse(output.slice(open, close));
			} catch {
				// not this pair
			}
		}
	}
	return undefined;
}

/** A long-running n8n command, and what it prints once it is ready. */
export interface ServerCommand {
	args: string[];
	ready: RegExp;
}

/** `n8n start`: the editor, the REST API, webhooks and active workflows (in queue mode, the main process). */
export const MAIN: ServerCommand = { args: ['start'], ready: /Editor is now accessible/ };
/** `n8n worker`: a queue-mode worker that runs up to `concurrency` executions at once. */
export const worker = (concurrency: number): ServerCommand => ({
	args: ['worker', `--concurrency=${concurrency}`],
	ready: /n8n worker is now ready/,
});

/**
 * A running n8n process, `n8n start` unless told otherwise (`n8n worker`). `start()` resolves
 * once it says it is ready; what n8n printed is kept in `output` (standard output and error).
 */
export class N8nServer {
	private process?: ChildProcess;
	output = '';

	constructor(
		readonly cli: N8nCli,
		/** Each line n8n prints, as it comes (e.g. to show it to a user). */
		private readonly onOutput?: (chunk: string) => void,
		readonly kind: ServerCommand = MAIN,
	) {}

	get port() {
		return Number(this.cli.env.N8N_PORT ?? 5678);
	}
	get url() {
		return `http://localhost:${this.port}`;
	}
	get pid() {
		return this.process?.pid;
	}

	async start(timeoutMs = 180_000) {
		const child = spawn(
			this.cli.runtime.node,
			[...this.cli.runtime.nodeArgs, this.cli.runtime.n8n, ...this.kind.args],
			{ env: this.cli.environment, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		this.process = child;
		const started = this.output.length;
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(
				() =>
					reject(
						new Error(`n8n did not start within ${timeoutMs} ms:\n${this.output.slice(-4000)}`),
					),
				timeoutMs,
			);
			const take = (chunk: Buffer) => {
				const text = chunk.toString();
				this.output += text;
				this.onOutput?.(text);
				if (this.kind.ready.test(this.output.slice(started))) {
					clearTimeout(timer);
					resolve();
				}
			};
			child.stdout!.on('data', take);
			child.stderr!.on('data', take);
			child.on('exit', (code, signal) => {
				clearTimeout(timer);
				reject(
					new Error(
						`n8n ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before its editor was up:\n${this.output.slice(-4000)}`,
					),
				);
			});
		});
	}

	/** Stops n8n (SIGTERM, as Ctrl-C would; `SIGKILL` for a crash) and waits for it to exit. */
	async stop(signal: NodeJS.Signals = 'SIGTERM') {
		const child = this.process;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = once(child, 'exit');
		child.kill(signal);
		await exited;
	}

	/** Resolves when n8n exits by itself (not through `stop`), with its exit code. */
	exited(): Promise<number | null> {
		return once(this.process!, 'exit').then(([code]) => code as number | null);
	}
}

/**
 * The example workflows shipped in `examples/`. Each carries its own id, as short as the ids n8n
 * creates (16 characters): n8n saves a workflow's static data (a trigger's memory) only for ids
 * of at most 16 characters on 1.x, 21 on 2.x, and would otherwise forget it on every restart.
 */
export function exampleWorkflows(): Workflow[] {
	const folder = join(ROOT, 'examples');
	return readdirSync(folder)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Workflow;
			if ((workflow.id ?? '').length > 16)
				throw new Error(`examples/${file}: the id "${workflow.id}" is longer than 16 characters`);
			return workflow;
		});
}

/** One of the test workflows in `test/n8n/workflows/`, with `$FILES` standing for the folder it may use on disk. */
export function testWorkflow(file: string, files = ''): Workflow {
	return JSON.parse(
		readFileSync(join(ROOT, 'test/n8n/workflows', file), 'utf8').replaceAll('$FILES', files),
	) as Workflow;
}
