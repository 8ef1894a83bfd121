/**
 * `npm run bench:n8n`: the YetiShare node against n8n's own HTTP Request node, in a real n8n
 * 2.40.7 (binary data in filesystem mode), both talking to one sandbox site in this process.
 * Every execution is one `n8n execute` process, whose peak RSS is sampled from /proc. Measures
 * a 1 GiB upload and download, the /authorize calls of 20 executions of a 50-item workflow, and
 * 1,000 `file/info` items, on loopback and again with the site LATENCIES ms away (default 50,150),
 * and at a site shaped like a server with a pool of PHP workers (SITE_WORKERS, default 5x20),
 * there also with the node's Requests in Parallel at its maximum; then the download again over a
 * link (50 ms, LINK_MBPS MB/s each way, default 100), curl beside each download;
 * RUNS rounds (default 3), alternating which client goes first.
 * Then the same site behind its real web stack, nginx and PHP-FPM (test/sandbox/web-stack.ts):
 * 1,000 `file/info` items with PHP-FPM's pool of 5 and nginx giving up on PHP after STACK_TIMEOUT
 * (default 2s), with what each client got (nginx's 502s and 504s, failed items), and a
 * STACK_SIZE_MIB (default 100) upload and download, curl beside each, with what nginx and PHP
 * kept on the site's disk meanwhile. STACK_ONLY=1 runs only these.
 * Prints tables and writes the figures into the section "Real n8n" of BENCHMARKS.md.
 *
 *   npm run bench:n8n
 *   STACK_ONLY=1 npm run bench:n8n   # only the rows at nginx and PHP-FPM (a few minutes)
 *   RUNS=1 AUTH_EXECUTIONS=2 SIZE_MIB=64 npm run bench:n8n -- --no-write   # a quick try; BENCHMARKS.md untouched
 *   PROFILE_DIR=/tmp/profiles npm run bench:n8n -- --no-write   # and a CPU profile of every n8n process
 */
import { execFile, execFileSync } from 'child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	readlinkSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'fs';
import { cpus, loadavg, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { promisify } from 'util';

import { N8nCli, N8nCommandFailed, type N8nRun, type Workflow } from '../n8n/cli';
import { DEFAULT_N8N_VERSION, ensureN8n, ROOT, type N8nRuntime } from '../n8n/runtime';
import { DEFAULT_REQUESTS_IN_PARALLEL } from '../../nodes/YetiShare/execution/parallel';
import { requestsInParallelField } from '../../nodes/YetiShare/shared/descriptions';
import { SandboxServer, type SandboxFixture } from '../sandbox/server';
import { WebStack, type WebStackSettings } from '../sandbox/web-stack';
import { keepInReport, makeRandomFile, md5OfFile, median, MiB, watchPeakRss } from './measure';
import {
	downloadWorkflow,
	fileInfoWorkflow,
	idleWorkflow,
	MEASURED_NODE,
	uploadWorkflow,
	type Client,
	type SiteAccess,
} from './n8n-workflows';

const RUNS = Math.max(1, Number(process.env.RUNS ?? 3));
const SIZE_MIB = Number(process.env.SIZE_MIB ?? 1024);
const CLIENTS: Client[] = ['yetishare', 'http'];
/** The ports this bench may use: n8n's task broker listens even during `n8n execute`. */
const N8N_PORT = 5760;
const BROKER_PORT = 5761;
const AUTH_EXECUTIONS = Math.max(1, Number(process.env.AUTH_EXECUTIONS ?? 20));
const AUTH_ITEMS = 50;
const INFO_ITEMS = 1000;
/** Delays per call (ms) at which the 1,000 file/info items run again, as over a real network. */
const LATENCIES = (process.env.LATENCIES ?? '50,150')
	.split(',')
	.filter((value) => value.trim() !== '')
	.map(Number);
/**
 * A site shaped like a real server, for the same calls: 150 ms away, serving SITE_WORKERS
 * (`<workers>x<ms>`, default 5x20: PHP-FPM's default pool of 5, 20 ms a call) at once.
 */
const SITE_WORKERS = /^(\d+)x(\d+)$/.exec(process.env.SITE_WORKERS ?? '5x20');
const WORKER_SITE = SITE_WORKERS
	? { latencyMs: 150, workers: Number(SITE_WORKERS[1]), workMs: Number(SITE_WORKERS[2]) }
	: undefined;

/** Where the 1,000 file/info calls run again: a sandbox setting, how a row names it, and the least time it allows. */
interface Distance {
	key: string;
	label: string;
	settings: { latencyMs: number; workers?: number; workMs?: number };
	/** The ideal with `inFlight` items in flight: the waits shared among them, or the site's workers' time if that is more. */
	ideal(inFlight: number): number;
}

const DISTANCES: Distance[] = [
	...LATENCIES.map((latencyMs) => ({
		key: `info@${latencyMs}`,
		label: `${latencyMs} ms a call`,
		settings: { latencyMs },
		ideal: (inFlight: number) => (INFO_ITEMS * latencyMs) / inFlight,
	})),
	...(WORKER_SITE
		? [
				{
					key: 'info@workers',
					label: `${WORKER_SITE.latencyMs} ms a call, the site serving ${WORKER_SITE.workers} at once, ${WORKER_SITE.workMs} ms each`,
					settings: WORKER_SITE,
					ideal: (inFlight: number) =>
						Math.max(
							(INFO_ITEMS * WORKER_SITE.latencyMs) / inFlight,
							(INFO_ITEMS * WORKER_SITE.workMs) / WORKER_SITE.workers,
						),
				},
			]
		: []),
];
/** The node's Requests in Parallel at its maximum, measured beside the default at each latency. */
const MOST_IN_PARALLEL = Number(requestsInParallelField.typeOptions?.maxValue);
/** The link of the second download: a site 50 ms away whose file bytes move at LINK_MBPS MB/s each way. */
const LINK = {
	latencyMs: 50,
	bandwidthBytesPerSecond: Math.round(Number(process.env.LINK_MBPS ?? 100) * 1e6),
};

/** STACK_ONLY=1: only the rows at the site's web stack. */
const STACK_ONLY = process.env.STACK_ONLY === '1';
/**
 * The site's web stack in front of the same sandbox, as the end-to-end suite sets it up: PHP-FPM's
 * pool of 5 (Debian's default), nginx answering 504 once it has waited STACK_TIMEOUT on PHP, and
 * the body limits raised above the transfers' file.
 */
const STACK_SETTINGS: Partial<WebStackSettings> = {
	maxChildren: 5,
	pm: 'static',
	fastcgiReadTimeout: process.env.STACK_TIMEOUT ?? '2s',
	postMaxSize: '2G',
	uploadMaxFilesize: '2G',
	clientMaxBodySize: '2g',
};
/** The script's own time per API call at the stack (the sandbox's workMs), so that the pool is busy. */
const STACK_WORK_MS = 20;
const STACK_SIZE_MIB = Number(process.env.STACK_SIZE_MIB ?? 100);

/** The HTTP Request workflows sign in as an account of their own: the site keeps one live token per account. */
function benchFixture(): SandboxFixture {
	const fixture = JSON.parse(
		readFileSync(join(ROOT, 'test/sandbox/fixture.json'), 'utf8'),
	) as SandboxFixture;
	const demo = fixture.accounts.find((account) => account.id === fixture.demoAccountId)!;
	const key = (seed: string) => seed.repeat(64).slice(0, 64);
	fixture.accounts.push({
		...demo,
		id: '158699',
		username: 'http-request',
		email: 'http-request@sandbox.example',
		key1: key('Http1'),
		key2: key('Http2'),
	});
	return fixture;
}

interface Sample {
	/** The measured node's run (ms), as n8n timed it. */
	nodeMs: number;
	/** The execution from start to finish (ms), as n8n timed it. */
	executionMs: number;
	/** The `n8n execute` process from spawn to exit (ms): n8n's start-up included. */
	processMs: number;
	/** Peak RSS of the n8n process (bytes). */
	peakRss: number;
	run: N8nRun;
	/** What else a part counted during the execution (failed items, nginx's 504s, bytes on the site's disk…). */
	counts?: Record<string, number>;
}

class Bench {
	readonly samples = new Map<string, Sample[]>();

	constructor(
		private readonly cli: N8nCli,
		private readonly binaryStore: string,
	) {}

	/** Runs a saved workflow in its own `n8n execute` process; fails on a failed execution. */
	async execute(workflowId: string, measuredNode?: string, key?: string): Promise<Sample> {
		let peak = () => 0;
		let started = process.hrtime.bigint();
		const attempt = () => {
			started = process.hrtime.bigint();
			return this.cli.execute(workflowId, {
				timeoutMs: 900_000,
				onSpawn: (child) => (peak = watchPeakRss(child)),
			});
		};
		// Others run n8n on this machine too; a process killed from outside (a signal) is run again, once.
		const run = await attempt().catch((error: Error) => {
			if (!(error instanceof N8nCommandFailed && error.signal !== null && !error.timedOut))
				throw error;
			process.stderr.write(`  ${workflowId}: ${error.message.split('\n')[0]}; running it again\n`);
			return attempt();
		});
		const processMs = Number(process.hrtime.bigint() - started) / 1e6;
		if (run.status !== 'success' || run.data.resultData.error) {
			throw new Error(
				`${workflowId} failed: ${JSON.stringify(run.data.resultData.error ?? run.status).slice(0, 2000)}`,
			);
		}
		const sample: Sample = {
			nodeMs: measuredNode
				? (run.data.resultData.runData[measuredNode]?.[0]?.executionTime ?? NaN)
				: NaN,
			executionMs: Date.parse(run.stoppedAt) - Date.parse(run.startedAt),
			processMs,
			peakRss: peak(),
			run,
		};
		if (key) {
			if (!this.samples.has(key)) this.samples.set(key, []);
			this.samples.get(key)!.push(sample);
		}
		process.stderr.write(
			`  ${workflowId}: node ${seconds(sample.nodeMs)}, ` +
				`execution ${seconds(sample.executionMs)}, ` +
				`process ${seconds(processMs)}, peak RSS ${mib(sample.peakRss)} MiB\n`,
		);
		return sample;
	}

	/** Where n8n keeps a binary item's bytes (filesystem mode). */
	binaryPath(binary: { id?: string }): string {
		if (!binary.id?.startsWith('filesystem-v2:'))
			throw new Error(
				`Not in the filesystem binary store: ${JSON.stringify(binary).slice(0, 300)}`,
			);
		return join(this.binaryStore, binary.id.slice('filesystem-v2:'.length));
	}

	/** Drops what the executions left in the binary store (1 GiB each for the transfers). */
	clearBinaryStore() {
		rmSync(join(this.binaryStore, 'workflows'), { recursive: true, force: true });
	}
}

const times = (count: number) => (count === 1 ? 'once' : `${count} times`);
const seconds = (ms: number) => (Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(2)} s`);
const mib = (bytes: number) => (bytes / MiB).toFixed(0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function output(run: N8nRun, node: string) {
	return run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
}

/** The file name in a file/info answer: HTTP Request keeps the site's whole JSON, the node its `data`. */
const fileNameOf = (item: { json: any }, client: Client) =>
	client === 'http' ? item.json.data?.filename : item.json.filename;

/** Round r runs the clients in this order: who goes first alternates. */
const order = (round: number): Client[] => (round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse());

/** The id of a saved workflow: `bench-<name>-ys` or `bench-<name>-http`. */
const workflowId = (name: string, client: Client) =>
	`bench-${name}-${client === 'yetishare' ? 'ys' : 'http'}`;

interface Row {
	label: string;
	yetishare: string;
	http: string;
	ratio: string;
}

/** The median of per-round values, with their range in brackets when there was more than one round. */
function spread(values: number[], format: (value: number) => string): string {
	return values.length > 1
		? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`
		: format(median(values));
}

const twoPlaces = (value: number) => value.toFixed(2);

/**
 * A row from both clients' samples: medians, and YetiShare ÷ HTTP Request per round (their median,
 * and range). `httpKey` names HTTP Request's samples where they were taken under another key.
 */
function row(
	bench: Bench,
	label: string,
	key: string,
	pick: (sample: Sample) => number,
	format: (value: number) => string,
	httpKey = key,
): Row {
	const [ys, http] = [`${key}:yetishare`, `${httpKey}:http`].map((name) =>
		bench.samples.get(name)!.map(pick),
	);
	const ratios = ys.map((value, round) => value / http[round]);
	return {
		label,
		yetishare: format(median(ys)),
		http: format(median(http)),
		ratio: spread(ratios, twoPlaces),
	};
}

/** A row of what each client's executions counted (median of the rounds, range in brackets); no ratio: counts are often 0. */
function countRow(
	bench: Bench,
	label: string,
	key: string,
	pick: (sample: Sample) => number,
	format: (value: number) => string = String,
): Row {
	const [yetishare, http] = CLIENTS.map((client) =>
		spread(bench.samples.get(`${key}:${client}`)!.map(pick), format),
	);
	return { label, yetishare, http, ratio: '–' };
}

const TABLE_HEAD = [
	'| measurement | YetiShare node | HTTP Request | YetiShare ÷ HTTP Request |',
	'| --- | --- | --- | --- |',
];
const table = (rows: Row[]) =>
	[
		...TABLE_HEAD,
		...rows.map((r) => `| ${r.label} | ${r.yetishare} | ${r.http} | ${r.ratio} |`),
	].join('\n');

/** n8n and the machine, for the figures' first line. */
function machine(runtime: N8nRuntime): string {
	return (
		`n8n ${runtime.version} on Node ${nodeVersion(runtime.node)}, ` +
		`${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ` +
		`${(totalmem() / 1024 ** 3).toFixed(0)} GiB`
	);
}

/** What the bench's parts share: n8n, the site, and each client's account and files. */
interface Context {
	runtime: N8nRuntime;
	cli: N8nCli;
	bench: Bench;
	sandbox: SandboxServer;
	fixture: SandboxFixture;
	/** The site as the HTTP Request workflows (and curl) reach it, with that account's keys. */
	site: SiteAccess;
	accountOf: Record<Client, string>;
	/** Files for file/info, the same number in each account (a client sees only its own). */
	infoIds: Record<Client, string[]>;
	/** The folder n8n's file nodes may read. */
	files: string;
	/** n8n doing nothing (a Manual Trigger alone): the baseline of the others' memory. */
	idle: Sample;
	write: boolean;
}

async function main() {
	const write = !process.argv.includes('--no-write');
	const runtime = await ensureN8n(DEFAULT_N8N_VERSION);
	const work = mkdtempSync(join(tmpdir(), 'yetishare-bench-n8n-'));
	const cleanUp = () => rmSync(work, { recursive: true, force: true });
	process.once('SIGINT', () => {
		cleanUp();
		process.exit(130);
	});
	const files = join(work, 'files');
	const home = join(work, 'n8n');
	mkdirSync(files);
	mkdirSync(home);
	const fixture = benchFixture();
	const sandbox = new SandboxServer({ fixture, storageDir: join(work, 'site') });
	const stack = new WebStack(sandbox, STACK_SETTINGS);
	try {
		await sandbox.start();
		// started before anything is measured: a machine without nginx or PHP-FPM fails now, not after an hour
		await stack.start();
		const binaryStore = join(home, '.n8n/storage');
		const cli = new N8nCli(runtime, home, {
			N8N_PORT: String(N8N_PORT),
			N8N_RUNNERS_BROKER_PORT: String(BROKER_PORT),
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_BINARY_DATA_STORAGE_PATH: binaryStore,
			// n8n 2.x lets the file nodes read only below this folder (default ~/.n8n-files)
			N8N_RESTRICT_FILE_ACCESS_TO: files,
			// PROFILE_DIR=<folder>: every n8n process writes a CPU profile there, to open in Chrome's DevTools
			...(process.env.PROFILE_DIR
				? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.PROFILE_DIR}` }
				: {}),
		});
		const bench = new Bench(cli, binaryStore);
		const httpAccount = fixture.accounts.find((account) => account.username === 'http-request')!;
		const site: SiteAccess = {
			apiUrl: sandbox.apiUrl,
			key1: httpAccount.key1,
			key2: httpAccount.key2,
		};
		const accountOf: Record<Client, string> = {
			yetishare: sandbox.demoAccount.id,
			http: httpAccount.id,
		};
		const infoIds = Object.fromEntries(
			CLIENTS.map((client) => [
				client,
				Array.from(
					{ length: INFO_ITEMS },
					(_, i) =>
						sandbox.addFile(accountOf[client], { name: `info-${i}.txt`, content: `file ${i}\n` })
							.id,
				),
			]),
		) as Record<Client, string[]>;

		await cli.importWorkflows([idleWorkflow()]);
		process.stderr.write('n8n doing nothing (a Manual Trigger alone):\n');
		const idle = await bench.execute('bench-idle');

		const context: Context = {
			runtime,
			cli,
			bench,
			sandbox,
			fixture,
			site,
			accountOf,
			infoIds,
			files,
			idle,
			write,
		};
		if (!STACK_ONLY) await atSandbox(context);
		await atWebStack(context, stack);
	} finally {
		await stack.stop();
		await sandbox.stop();
		cleanUp();
	}
}

/** The rows against the sandbox itself: n8n talks to it directly. */
async function atSandbox(context: Context) {
	const { runtime, cli, bench, sandbox, fixture, site, accountOf, infoIds, files, idle } = context;
	const authorizations = (client: Client) =>
		sandbox.log.filter(
			(entry) =>
				entry.endpoint === 'authorize' &&
				entry.outcome === 'success' &&
				entry.accountId === accountOf[client],
		).length;

	// The upload limit of the accounts' package: 1 GiB exactly, so 1 GiB is the largest file allowed.
	const size = Math.min(Math.round(SIZE_MIB * MiB), packageLimit(sandbox, fixture));

	await cli.importSandboxCredential(sandbox);
	const input = join(files, 'bench-input.bin');
	await cli.importWorkflows([
		...CLIENTS.flatMap((client) => [
			uploadWorkflow(client, site, input),
			fileInfoWorkflow(client, site, 'bench-auth', infoIds[client].slice(0, AUTH_ITEMS)),
			fileInfoWorkflow(client, site, 'bench-info', infoIds[client]),
		]),
		fileInfoWorkflow('yetishare', site, 'bench-info-most', infoIds.yetishare, MOST_IN_PARALLEL),
	]);

	process.stderr.write(
		`/authorize over ${AUTH_EXECUTIONS} executions of ${AUTH_ITEMS} items (the credential starts without a token):\n`,
	);
	const authorizedBefore = Object.fromEntries(
		CLIENTS.map((client) => [client, authorizations(client)]),
	);
	for (let execution = 0; execution < AUTH_EXECUTIONS; execution++) {
		for (const client of order(execution)) {
			const sample = await bench.execute(
				workflowId('auth', client),
				MEASURED_NODE.info,
				`auth:${client}`,
			);
			if (output(sample.run, MEASURED_NODE.info).length !== AUTH_ITEMS)
				throw new Error(`${client}: not ${AUTH_ITEMS} items`);
		}
	}
	const authorized = Object.fromEntries(
		CLIENTS.map((client) => [client, authorizations(client) - authorizedBefore[client]]),
	) as Record<Client, number>;

	process.stderr.write(`${INFO_ITEMS.toLocaleString('en-US')} × file/info:\n`);
	for (let round = 0; round < RUNS; round++) {
		for (const client of order(round)) {
			const sample = await bench.execute(
				workflowId('info', client),
				MEASURED_NODE.info,
				`info:${client}`,
			);
			const answers = output(sample.run, MEASURED_NODE.info);
			if (
				answers.length !== INFO_ITEMS ||
				answers.some((item, i) => fileNameOf(item, client) !== `info-${i}.txt`)
			) {
				throw new Error(`${client}: file/info did not give the ${INFO_ITEMS} files in order`);
			}
		}
	}

	// The same 1,000 calls with the site some distance away: the node keeps up to Requests in
	// Parallel items in flight (starting with 5), HTTP Request sends every item at once.
	for (const distance of DISTANCES) {
		sandbox.configure(distance.settings);
		process.stderr.write(`${INFO_ITEMS.toLocaleString('en-US')} × file/info, ${distance.label}:\n`);
		for (let round = 0; round < RUNS; round++) {
			for (const client of order(round)) {
				const sample = await bench.execute(
					workflowId('info', client),
					MEASURED_NODE.info,
					`${distance.key}:${client}`,
				);
				if (output(sample.run, MEASURED_NODE.info).length !== INFO_ITEMS)
					throw new Error(`${client}: not ${INFO_ITEMS} answers at ${distance.label}`);
			}
			// and the node with the most in flight its option allows, in the same round
			const most = await bench.execute(
				workflowId('info-most', 'yetishare'),
				MEASURED_NODE.info,
				`${distance.key}+most:yetishare`,
			);
			if (output(most.run, MEASURED_NODE.info).length !== INFO_ITEMS)
				throw new Error(
					`yetishare: not ${INFO_ITEMS} answers at ${distance.label}, ${MOST_IN_PARALLEL} in flight`,
				);
		}
	}
	sandbox.configure({ latencyMs: 0, workers: 0, workMs: 0 });

	process.stderr.write(`Writing a ${mib(size)} MiB file…\n`);
	const inputMd5 = await makeRandomFile(input, size);
	process.stderr.write(
		`Upload of ${mib(size)} MiB (read from disk into n8n's binary store, then sent):\n`,
	);
	const uploaded = await uploadRounds(context, 'upload', { size, md5: inputMd5 });
	rmSync(input, { force: true });

	await cli.importWorkflows(
		CLIENTS.map((client) => downloadWorkflow(client, site, uploaded[client])),
	);
	const download = { workflow: 'download', site, fileId: uploaded.http, md5: inputMd5 };
	process.stderr.write(`Download of ${mib(size)} MiB into n8n's binary store:\n`);
	const curlDownloads = await downloadRounds(context, { ...download, key: 'download' });
	const linkMBps = LINK.bandwidthBytesPerSecond / 1e6;
	process.stderr.write(
		`Download of ${mib(size)} MiB, the site ${LINK.latencyMs} ms away at ${linkMBps} MB/s:\n`,
	);
	sandbox.configure(LINK);
	const curlLinkDownloads = await downloadRounds(context, { ...download, key: 'download-link' });
	sandbox.configure({ latencyMs: 0, bandwidthBytesPerSecond: 0 });

	const size1 = sizeLabel(size);
	const info = INFO_ITEMS.toLocaleString('en-US');
	const rows: Row[] = [
		row(bench, `${size1} upload: the Upload node`, 'upload', (s) => s.nodeMs, seconds),
		row(bench, `${size1} upload: whole execution`, 'upload', (s) => s.executionMs, seconds),
		row(bench, `${size1} upload: peak RSS of n8n (MiB)`, 'upload', (s) => s.peakRss, mib),
		row(bench, `${size1} download: the Download node`, 'download', (s) => s.nodeMs, seconds),
		row(bench, `${size1} download: whole execution`, 'download', (s) => s.executionMs, seconds),
		row(bench, `${size1} download: peak RSS of n8n (MiB)`, 'download', (s) => s.peakRss, mib),
		curlRow(
			`${size1} download: the Download node ÷ curl's time (curl: ${seconds(median(curlDownloads))})`,
			bench,
			'download',
			curlDownloads,
		),
		row(
			bench,
			`${size1} download, ${LINK.latencyMs} ms away at ${linkMBps} MB/s: the Download node`,
			'download-link',
			(s) => s.nodeMs,
			seconds,
		),
		curlRow(
			`${size1} download, ${LINK.latencyMs} ms away at ${linkMBps} MB/s: ` +
				`the Download node ÷ curl's time (curl: ${seconds(median(curlLinkDownloads))})`,
			bench,
			'download-link',
			curlLinkDownloads,
		),
		{
			label: `/authorize calls in ${AUTH_EXECUTIONS} executions × ${AUTH_ITEMS} items`,
			yetishare: String(authorized.yetishare),
			http: String(authorized.http),
			ratio: (authorized.yetishare / authorized.http).toFixed(2),
		},
		row(
			bench,
			`${AUTH_ITEMS} × file/info: whole execution (median of ${AUTH_EXECUTIONS})`,
			'auth',
			(s) => s.executionMs,
			seconds,
		),
		row(bench, `${info} × file/info: whole execution`, 'info', (s) => s.executionMs, seconds),
		row(bench, `${info} × file/info: the File info node`, 'info', (s) => s.nodeMs, seconds),
		row(bench, `${info} × file/info: peak RSS of n8n (MiB)`, 'info', (s) => s.peakRss, mib),
		...DISTANCES.flatMap((distance) =>
			[DEFAULT_REQUESTS_IN_PARALLEL, MOST_IN_PARALLEL].map((inFlight) =>
				row(
					bench,
					`${info} × file/info, ${distance.label}: the File info node, Requests in Parallel ` +
						`${inFlight}${inFlight === DEFAULT_REQUESTS_IN_PARALLEL ? ' (default)' : ''} ` +
						`(ideal: ${seconds(distance.ideal(inFlight))})`,
					inFlight === DEFAULT_REQUESTS_IN_PARALLEL ? distance.key : `${distance.key}+most`,
					(s) => s.nodeMs,
					seconds,
					distance.key,
				),
			),
		),
	];
	const executions = (client: Client) =>
		[...bench.samples.entries()]
			.filter(([key]) => key.endsWith(`:${client}`))
			.reduce((sum, [, list]) => sum + list.length, 0);
	const startUp = median(
		[...bench.samples.values()].flat().map((s) => s.processMs - s.executionMs),
	);
	const figures = [
		`Measured ${today()}: ${machine(runtime)}, loopback unless a row says otherwise; ` +
			`${RUNS} rounds (${AUTH_EXECUTIONS} executions for /authorize); times and RSS are medians, the ratio is the median of the ` +
			`per-round ratios (their range in brackets).`,
		'',
		table(rows),
		'',
		`Over the whole run (${executions('yetishare')} executions with the YetiShare node, ${executions('http')} with HTTP Request), ` +
			`the YetiShare credential signed in ${times(authorizations('yetishare'))}, ` +
			`the HTTP Request workflows ${times(authorizations('http'))}. ` +
			`n8n alone (a Manual Trigger, nothing else) peaks at ${mib(idle.peakRss)} MiB; an \`n8n execute\` process spends a median ` +
			`${seconds(startUp)} starting and stopping around the execution (not in the figures above).`,
	].join('\n');
	process.stdout.write(`\n${figures}\n`);
	if (context.write) writeSection(figures);
}

/**
 * The rows at the site's real web stack: the same sandbox behind nginx and PHP-FPM, every API call
 * parsed by PHP and every download proxied by nginx. The YetiShare credential's Base URL becomes
 * nginx's from here on.
 */
async function atWebStack(context: Context, stack: WebStack) {
	const { runtime, cli, bench, sandbox, fixture, accountOf, infoIds, files, idle } = context;
	const load = [loadavg()[0]];
	const site: SiteAccess = { ...context.site, apiUrl: stack.apiUrl };
	const size = Math.min(Math.round(STACK_SIZE_MIB * MiB), packageLimit(sandbox, fixture));
	const input = join(files, 'stack-input.bin');
	await cli.importSandboxCredential({ baseUrl: stack.baseUrl, demoAccount: sandbox.demoAccount });
	await cli.importWorkflows(
		CLIENTS.flatMap((client) => [
			// each failed item is counted rather than ending the execution: on its own, HTTP Request stops the workflow at the first 504
			throughStack(
				fileInfoWorkflow(client, site, 'bench-info', infoIds[client]),
				MEASURED_NODE.info,
			),
			throughStack(uploadWorkflow(client, site, input)),
		]),
	);
	const { fastcgiReadTimeout, maxChildren, pm } = stack.options;
	const at = `through nginx, PHP-FPM's pool of ${maxChildren} at ${STACK_WORK_MS} ms a call, fastcgi_read_timeout ${fastcgiReadTimeout}`;

	process.stderr.write(`${INFO_ITEMS.toLocaleString('en-US')} × file/info ${at}:\n`);
	sandbox.configure({ workMs: STACK_WORK_MS });
	try {
		for (let round = 0; round < RUNS; round++) {
			for (const client of order(round)) {
				const since = Date.now();
				const sample = await bench.execute(
					workflowId('stack-info', client),
					MEASURED_NODE.info,
					`stack-info:${client}`,
				);
				const answered = output(sample.run, MEASURED_NODE.info).filter(
					(item) => item.json.error === undefined && fileNameOf(item, client) !== undefined,
				).length;
				sample.counts = {
					failed: INFO_ITEMS - answered,
					502: stack.count('file/info', { since, status: 502 }),
					504: stack.count('file/info', { since, status: 504 }),
					atSite: await settled(sandbox, 'file/info', since),
				};
				process.stderr.write(`    ${JSON.stringify(sample.counts)}\n`);
			}
		}
	} finally {
		sandbox.configure({ workMs: 0 });
	}

	// nginx and PHP keep the body on the site's disk: what they held is measured around every transfer
	const onDisk = async (run: () => Promise<Sample>) => {
		const { result, disk } = await onSiteDisk(stack, run);
		result.counts = disk;
		return result;
	};
	process.stderr.write(`Writing a ${mib(size)} MiB file…\n`);
	const md5 = await makeRandomFile(input, size);
	process.stderr.write(`Upload of ${mib(size)} MiB ${at}:\n`);
	const curlUploads: Array<{ ms: number; disk: SiteDisk }> = [];
	const uploaded = await uploadRounds(context, 'stack-upload', { size, md5 }, onDisk, async () => {
		const { result, disk } = await onSiteDisk(stack, () => curlUpload(site, input));
		rmSync(storedInput(sandbox, accountOf.http, result.fileId, { size, md5 }, 'curl').storagePath, {
			force: true,
		});
		curlUploads.push({ ms: result.ms, disk });
	});
	rmSync(input, { force: true });

	await cli.importWorkflows(
		CLIENTS.map((client) => throughStack(downloadWorkflow(client, site, uploaded[client]))),
	);
	process.stderr.write(`Download of ${mib(size)} MiB ${at}:\n`);
	const curlDownloads = await downloadRounds(
		context,
		{ workflow: 'stack-download', key: 'stack-download', site, fileId: uploaded.http, md5 },
		onDisk,
	);
	load.push(loadavg()[0]);

	const info = `${INFO_ITEMS.toLocaleString('en-US')} × file/info`;
	const upload = `${sizeLabel(size)} upload`;
	const download = `${sizeLabel(size)} download`;
	const byCurl = {
		ms: curlUploads.map((curl) => curl.ms),
		disk: curlUploads.map((curl) => curl.disk),
	};
	const rows: Row[] = [
		row(bench, `${info}: the File info node`, 'stack-info', (s) => s.nodeMs, seconds),
		countRow(bench, `${info}: failed items`, 'stack-info', (s) => s.counts!.failed),
		countRow(bench, `${info}: answered 504 by nginx`, 'stack-info', (s) => s.counts![504]),
		countRow(bench, `${info}: answered 502 by nginx`, 'stack-info', (s) => s.counts![502]),
		countRow(
			bench,
			`${info}: calls PHP handed to the site (504s included)`,
			'stack-info',
			(s) => s.counts!.atSite,
		),
		row(bench, `${upload}: the Upload node`, 'stack-upload', (s) => s.nodeMs, seconds),
		row(bench, `${upload}: peak RSS of n8n (MiB)`, 'stack-upload', (s) => s.peakRss, mib),
		countRow(
			bench,
			`${upload}: peak RSS of n8n above n8n alone (MiB)`,
			'stack-upload',
			(s) => s.peakRss - idle.peakRss,
			mib,
		),
		curlRow(
			`${upload}: the Upload node ÷ curl's time (curl: ${seconds(median(byCurl.ms))})`,
			bench,
			'stack-upload',
			byCurl.ms,
		),
		diskRow(
			`${upload}: on the site's disk at once, at most (MiB): nginx's body file + PHP's upload file (curl: ${diskCell(byCurl.disk)})`,
			bench,
			'stack-upload',
		),
		row(bench, `${download}: the Download node`, 'stack-download', (s) => s.nodeMs, seconds),
		row(bench, `${download}: peak RSS of n8n (MiB)`, 'stack-download', (s) => s.peakRss, mib),
		curlRow(
			`${download}: the Download node ÷ curl's time (curl: ${seconds(median(curlDownloads))})`,
			bench,
			'stack-download',
			curlDownloads,
		),
		diskRow(
			`${download}: on the site's disk at once, at most (MiB): nginx's temporary file of the response`,
			bench,
			'stack-download',
		),
	];
	const figures = [
		`Measured ${today()}: ${machine(runtime)}, load average ${load.map((value) => value.toFixed(1)).join(' at the start, ')} at the end; ` +
			`every call through nginx, PHP-FPM's pool of ${maxChildren} (pm ${pm}), ` +
			`fastcgi_read_timeout ${fastcgiReadTimeout}, the script's own time ` +
			`${STACK_WORK_MS} ms a call for file/info. ${RUNS} rounds; ` +
			`times and RSS are medians, counts the median of the rounds and the ratio the ` +
			`median of the per-round ratios (their range in brackets). n8n alone peaks at ${mib(idle.peakRss)} MiB.`,
		'',
		table(rows),
	].join('\n');
	process.stdout.write(`\n${figures}\n`);
	if (context.write)
		keepInReport(
			'BENCHMARKS.md',
			'bench:n8n stack',
			figures,
			"### At the site's web stack: nginx and PHP-FPM",
		);
}

/** The largest file the accounts' package allows (the bench's accounts share one). */
function packageLimit(sandbox: SandboxServer, fixture: SandboxFixture): number {
	return Number(
		fixture.levels.find((level) => level.id === sandbox.state.accounts[0].level_id)!.package
			.max_upload_size,
	);
}

const sizeLabel = (bytes: number) =>
	bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${mib(bytes)} MiB`;
const today = () => new Date().toISOString().slice(0, 10);

/**
 * A bench workflow sent to the web stack (the HTTP Request variant was built with the stack's
 * address, the YetiShare node takes it from the credential): saved as `bench-stack-…`, and the
 * `continuing` node outputs a failed item as an item with an error instead of ending the run.
 */
function throughStack(workflow: Workflow, continuing?: string): Workflow {
	return {
		...workflow,
		id: String(workflow.id).replace(/^bench-/, 'bench-stack-'),
		name: `${workflow.name} through nginx`,
		nodes: workflow.nodes.map((node) =>
			node.name === continuing ? { ...node, onError: 'continueRegularOutput' } : node,
		),
	};
}

/**
 * Waits until the site has had no new call of `endpoint` for a second and has answered every one
 * that arrived since `since`; resolves how many arrived. PHP works through the calls nginx gave up
 * on after the client has its 504s: the next execution must not meet them.
 */
async function settled(sandbox: SandboxServer, endpoint: string, since: number): Promise<number> {
	const calls = () =>
		sandbox.log.filter((entry) => entry.endpoint === endpoint && entry.at >= since);
	let seen = -1;
	for (
		let quietSince = Date.now(), deadline = Date.now() + 120_000;
		Date.now() < deadline;
		await sleep(100)
	) {
		const now = calls();
		if (now.length !== seen) [seen, quietSince] = [now.length, Date.now()];
		else if (Date.now() - quietSince >= 1000 && now.every((entry) => entry.endedAt !== undefined))
			break;
	}
	return seen;
}

/** The file an upload stored at the site, checked to be the input byte for byte (its size and MD5). */
function storedInput(
	sandbox: SandboxServer,
	accountId: string,
	fileId: string,
	input: { size: number; md5: string },
	who: string,
) {
	const stored = sandbox.state.files.find(
		(file) => file.id === fileId && file.accountId === accountId,
	);
	if (!stored || stored.fileSize !== input.size || stored.md5 !== input.md5) {
		throw new Error(
			`${who}: the site holds ${stored ? `${stored.fileSize} bytes, MD5 ${stored.md5}` : 'no file'} instead of the input`,
		);
	}
	return stored;
}

/**
 * RUNS rounds of both clients' upload workflows (`bench-<name>-…`, samples under `name`), each
 * checked at the site, and `afterRound` at the end of each round; `measure` wraps every execution.
 * One upload per client stays, for the downloads; resolves their file ids.
 */
async function uploadRounds(
	context: Context,
	name: string,
	input: { size: number; md5: string },
	measure = (run: () => Promise<Sample>) => run(),
	afterRound = async () => {},
): Promise<Record<Client, string>> {
	const { bench, sandbox, accountOf } = context;
	const uploaded: Partial<Record<Client, string>> = {};
	for (let round = 0; round < RUNS; round++) {
		for (const client of order(round)) {
			const sample = await measure(() =>
				bench.execute(workflowId(name, client), MEASURED_NODE.upload, `${name}:${client}`),
			);
			const [item] = output(sample.run, MEASURED_NODE.upload);
			const fileId = String(client === 'http' ? item.json.data?.[0]?.file_id : item.json.file_id);
			const stored = storedInput(sandbox, accountOf[client], fileId, input, client);
			// one upload per client stays for the downloads; the others are not needed
			if (uploaded[client]) rmSync(stored.storagePath, { force: true });
			else uploaded[client] = fileId;
			bench.clearBinaryStore();
		}
		await afterRound();
	}
	return uploaded as Record<Client, string>;
}

/**
 * RUNS rounds of both clients' download workflows (`bench-<workflow>-…`, samples under `key`),
 * each checked by the MD5 of the file in n8n's binary store, each round with curl fetching the
 * file `fileId` from `site`: a plain client's time. `measure` wraps every execution. Resolves
 * curl's times.
 */
async function downloadRounds(
	context: Context,
	{
		workflow,
		key,
		site,
		fileId,
		md5,
	}: { workflow: string; key: string; site: SiteAccess; fileId: string; md5: string },
	measure = (run: () => Promise<Sample>) => run(),
): Promise<number[]> {
	const { bench, files } = context;
	const curlTimes: number[] = [];
	for (let round = 0; round < RUNS; round++) {
		for (const client of order(round)) {
			const sample = await measure(() =>
				bench.execute(workflowId(workflow, client), MEASURED_NODE.download, `${key}:${client}`),
			);
			const binary = output(sample.run, MEASURED_NODE.download)[0]?.binary?.data;
			const path = bench.binaryPath(binary ?? {});
			const got = existsSync(path) ? await md5OfFile(path) : 'no file';
			if (got !== md5)
				throw new Error(`${client}: the downloaded file's MD5 is ${got}, not ${md5}`);
			bench.clearBinaryStore();
		}
		curlTimes.push(await curlDownload(site, fileId, join(files, 'curl-download.bin')));
	}
	return curlTimes;
}

/** An API call as a plain client makes it (form fields in, the answer's `data` out). */
async function siteCall(
	site: SiteAccess,
	endpoint: string,
	fields: Record<string, string>,
): Promise<Record<string, any>> {
	return (
		(await (
			await fetch(`${site.apiUrl}/${endpoint}`, {
				method: 'POST',
				body: new URLSearchParams(fields),
			})
		).json()) as { data: Record<string, any> }
	).data;
}

/** Signs in as the HTTP Request workflows' account (which signs in again at every execution anyway). */
async function signIn(site: SiteAccess): Promise<{ access_token: string; account_id: string }> {
	const { access_token, account_id } = await siteCall(site, 'authorize', {
		key1: site.key1,
		key2: site.key2,
	});
	return { access_token, account_id };
}

/** Runs curl; resolves its output and wall time (ms). Not execFileSync: the site runs in this process and must keep answering. */
async function curl(args: string[]): Promise<{ stdout: string; ms: number }> {
	const started = process.hrtime.bigint();
	const { stdout } = await promisify(execFile)('curl', ['-sS', ...args]);
	return { stdout, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Downloads the file with curl: a download link from file/download, then a GET into `target`. Returns curl's wall time in ms. */
async function curlDownload(site: SiteAccess, fileId: string, target: string): Promise<number> {
	const { download_url: link } = await siteCall(site, 'file/download', {
		...(await signIn(site)),
		file_id: fileId,
	});
	const { ms } = await curl(['-o', target, link]);
	rmSync(target, { force: true });
	return ms;
}

/**
 * Uploads the file with curl as a browser form would (`-F upload_file=@…` after the session
 * fields). Resolves curl's wall time (ms) and the file's id.
 */
async function curlUpload(site: SiteAccess, path: string): Promise<{ ms: number; fileId: string }> {
	const session = await signIn(site);
	const fields = { ...session, folder_id: '' };
	const { stdout, ms } = await curl([
		...Object.entries(fields).flatMap(([name, value]) => ['-F', `${name}=${value}`]),
		'-F',
		`upload_file=@${path}`,
		`${site.apiUrl}/file/upload`,
	]);
	const fileId = (JSON.parse(stdout) as { data?: Array<{ file_id?: string | number }> }).data?.[0]
		?.file_id;
	if (fileId === undefined) throw new Error(`curl's upload failed: ${stdout.slice(0, 500)}`);
	return { ms, fileId: String(fileId) };
}

/** A row of each client's time as a multiple of curl's, per round (curl measured in the same round). */
function curlRow(label: string, bench: Bench, key: string, curlTimes: number[]): Row {
	const [yetishare, http] = CLIENTS.map((client) =>
		spread(
			(bench.samples.get(`${key}:${client}`) ?? []).map(
				(sample, round) => sample.nodeMs / curlTimes[round],
			),
			twoPlaces,
		),
	);
	return { label, yetishare, http, ratio: '–' };
}

/** What nginx and PHP held on the site's disk at most (bytes): each, and both at one moment. */
interface SiteDisk extends Record<string, number> {
	nginx: number;
	php: number;
	together: number;
}

/** Both at once, then each (medians of the rounds), in MiB. */
function diskCell(disks: SiteDisk[]): string {
	const at = (pick: (disk: SiteDisk) => number) => mib(median(disks.map(pick)));
	return `${at((disk) => disk.together)} (nginx ${at((disk) => disk.nginx)}, PHP ${at((disk) => disk.php)})`;
}

function diskRow(label: string, bench: Bench, key: string): Row {
	const [yetishare, http] = CLIENTS.map((client) =>
		diskCell(bench.samples.get(`${key}:${client}`)!.map((sample) => sample.counts as SiteDisk)),
	);
	return { label, yetishare, http, ratio: '–' };
}

/**
 * What the stack keeps on the site's disk while `run` runs, sampled every 20 ms: nginx's temporary
 * files (a request body beyond client_body_buffer_size, a response beyond the proxy's buffers)
 * and PHP's upload files. nginx unlinks its temporary files as soon as it opens them, so they are
 * found through the open files of nginx's and PHP-FPM's processes; PHP's are also listed in its
 * upload_tmp_dir (and sys_temp_dir).
 */
async function onSiteDisk<T>(
	stack: WebStack,
	run: () => Promise<T>,
): Promise<{ result: T; disk: SiteDisk }> {
	const root = `${stack.path}/`;
	const quietly = <V>(read: () => V, otherwise: V): V => {
		try {
			return read();
		} catch {
			return otherwise;
		}
	};
	// the masters' pid files, and their children: nginx's worker, PHP-FPM's pool
	const masters = ['nginx.pid', 'php-fpm.pid'].map((file) =>
		readFileSync(join(root, file), 'utf8').trim(),
	);
	const parentOf = (pid: string) =>
		quietly(
			() => /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
			undefined,
		);
	const pids = [
		...masters,
		...readdirSync('/proc').filter(
			(entry) => /^\d+$/.test(entry) && masters.includes(parentOf(entry) ?? ''),
		),
	];
	const disk: SiteDisk = { nginx: 0, php: 0, together: 0 };
	const sample = () => {
		// by inode: PHP's upload file is both open and listed
		const held = new Map<string, { path: string; size: number }>();
		const add = (path: string, statPath = path) =>
			quietly(() => {
				const stat = statSync(statPath);
				held.set(`${stat.dev}:${stat.ino}`, { path, size: stat.size });
			}, undefined);
		for (const pid of pids) {
			for (const fd of quietly(() => readdirSync(`/proc/${pid}/fd`), [])) {
				const target = quietly(() => readlinkSync(`/proc/${pid}/fd/${fd}`), '');
				if (target.startsWith(root)) add(target, `/proc/${pid}/fd/${fd}`);
			}
		}
		for (const folder of ['php-uploads', 'tmp'])
			for (const file of quietly(() => readdirSync(join(root, folder)), []))
				add(join(root, folder, file));
		const now = { nginx: 0, php: 0 };
		for (const { path, size } of held.values()) {
			if (path.startsWith(`${root}nginx/`)) now.nginx += size;
			else if (path.startsWith(`${root}php-uploads/`) || path.startsWith(`${root}tmp/`))
				now.php += size;
		}
		disk.nginx = Math.max(disk.nginx, now.nginx);
		disk.php = Math.max(disk.php, now.php);
		disk.together = Math.max(disk.together, now.nginx + now.php);
	};
	const timer = setInterval(sample, 20);
	try {
		return { result: await run(), disk };
	} finally {
		clearInterval(timer);
	}
}

function nodeVersion(node: string): string {
	return execFileSync(node, ['--version']).toString().trim().replace(/^v/, '');
}

const HEADING = '## Real n8n (`npm run bench:n8n`)';
const START = '<!-- bench:n8n figures: written by npm run bench:n8n -->';
const END = '<!-- end of bench:n8n figures -->';

/**
 * Puts the figures into BENCHMARKS.md between the markers of the "Real n8n" section, keeping the
 * rest of the file (the section's own words included); adds the section if it is missing.
 */
function writeSection(figures: string) {
	const path = join(ROOT, 'BENCHMARKS.md');
	const text = readFileSync(path, 'utf8');
	const block = `${START}\n${figures}\n${END}`;
	const start = text.indexOf(START);
	const end = text.indexOf(END);
	const updated =
		start >= 0 && end > start
			? `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
			: `${text.trimEnd()}\n\n${HEADING}\n\n${block}\n`;
	writeFileSync(path, updated);
	process.stderr.write(`Figures written to ${path}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
