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
 * Prints a table and writes the figures into the section "Real n8n" of BENCHMARKS.md.
 *
 *   npm run bench:n8n
 *   RUNS=1 AUTH_EXECUTIONS=2 SIZE_MIB=64 npm run bench:n8n -- --no-write   # a quick try; BENCHMARKS.md untouched
 *   PROFILE_DIR=/tmp/profiles npm run bench:n8n -- --no-write   # and a CPU profile of every n8n process
 */
import { execFile, execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { promisify } from 'util';

import { N8nCli, type N8nRun } from '../n8n/cli';
import { DEFAULT_N8N_VERSION, ensureN8n, ROOT } from '../n8n/runtime';
import { DEFAULT_REQUESTS_IN_PARALLEL } from '../../nodes/YetiShare/shared/parallel';
import { requestsInParallelField } from '../../nodes/YetiShare/shared/descriptions';
import { SandboxServer, type SandboxFixture } from '../sandbox/server';
import { makeRandomFile, md5OfFile, median, MiB, watchPeakRss } from './measure';
import { downloadWorkflow, fileInfoWorkflow, idleWorkflow, MEASURED_NODE, uploadWorkflow, type Client, type SiteAccess } from './n8n-workflows';

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
const LATENCIES = (process.env.LATENCIES ?? '50,150').split(',').filter((value) => value.trim() !== '').map(Number);
/**
 * A site shaped like a real server, for the same calls: 150 ms away, serving SITE_WORKERS
 * (`<workers>x<ms>`, default 5x20: PHP-FPM's default pool of 5, 20 ms a call) at once.
 */
const SITE_WORKERS = /^(\d+)x(\d+)$/.exec(process.env.SITE_WORKERS ?? '5x20');
const WORKER_SITE = SITE_WORKERS ? { latencyMs: 150, workers: Number(SITE_WORKERS[1]), workMs: Number(SITE_WORKERS[2]) } : undefined;

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
					ideal: (inFlight: number) => Math.max((INFO_ITEMS * WORKER_SITE.latencyMs) / inFlight, (INFO_ITEMS * WORKER_SITE.workMs) / WORKER_SITE.workers),
				},
			]
		: []),
];
/** The node's Requests in Parallel at its maximum, measured beside the default at each latency. */
const MOST_IN_PARALLEL = Number(requestsInParallelField.typeOptions?.maxValue);
/** The link of the second download: a site 50 ms away whose file bytes move at LINK_MBPS MB/s each way. */
const LINK = { latencyMs: 50, bandwidthBytesPerSecond: Math.round(Number(process.env.LINK_MBPS ?? 100) * 1e6) };

/** The HTTP Request workflows sign in as an account of their own: the site keeps one live token per account. */
function benchFixture(): SandboxFixture {
	const fixture = JSON.parse(readFileSync(join(ROOT, 'test/sandbox/fixture.json'), 'utf8')) as SandboxFixture;
	const demo = fixture.accounts.find((account) => account.id === fixture.demoAccountId)!;
	const key = (seed: string) => seed.repeat(64).slice(0, 64);
	fixture.accounts.push({ ...demo, id: '158699', username: 'http-request', email: 'http-request@sandbox.example', key1: key('Http1'), key2: key('Http2') });
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
			return this.cli.execute(workflowId, { timeoutMs: 900_000, onSpawn: (child) => (peak = watchPeakRss(child)) });
		};
		// Others run n8n on this machine too; a process killed from outside (a signal) is run again, once.
		const run = await attempt().catch((error: Error) => {
			if (!/exited with SIG/.test(error.message)) throw error;
			process.stderr.write(`  ${workflowId}: ${error.message.split('\n')[0]}; running it again\n`);
			return attempt();
		});
		const processMs = Number(process.hrtime.bigint() - started) / 1e6;
		if (run.status !== 'success' || run.data.resultData.error) {
			throw new Error(`${workflowId} failed: ${JSON.stringify(run.data.resultData.error ?? run.status).slice(0, 2000)}`);
		}
		const sample: Sample = {
			nodeMs: measuredNode ? (run.data.resultData.runData[measuredNode]?.[0]?.executionTime ?? NaN) : NaN,
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
			`  ${workflowId}: node ${seconds(sample.nodeMs)}, execution ${seconds(sample.executionMs)}, process ${seconds(processMs)}, peak RSS ${mib(sample.peakRss)} MiB\n`,
		);
		return sample;
	}

	/** Where n8n keeps a binary item's bytes (filesystem mode). */
	binaryPath(binary: { id?: string }): string {
		if (!binary.id?.startsWith('filesystem-v2:')) throw new Error(`Not in the filesystem binary store: ${JSON.stringify(binary).slice(0, 300)}`);
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

function output(run: N8nRun, node: string) {
	return run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
}

/** Round r runs the clients in this order: who goes first alternates. */
const order = (round: number): Client[] => (round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse());

interface Row {
	label: string;
	yetishare: string;
	http: string;
	ratio: string;
}

/**
 * A row from both clients' samples: medians, and YetiShare ÷ HTTP Request per round (their median,
 * and range). `httpKey` names HTTP Request's samples where they were taken under another key.
 */
function row(bench: Bench, label: string, key: string, pick: (sample: Sample) => number, format: (value: number) => string, httpKey = key): Row {
	const [ys, http] = [`${key}:yetishare`, `${httpKey}:http`].map((name) => bench.samples.get(name)!.map(pick));
	const ratios = ys.map((value, round) => value / http[round]);
	const spread = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '';
	return { label, yetishare: format(median(ys)), http: format(median(http)), ratio: `${median(ratios).toFixed(2)}${spread}` };
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
	try {
		await sandbox.start();
		const binaryStore = join(home, '.n8n/storage');
		const cli = new N8nCli(runtime, home, {
			N8N_PORT: String(N8N_PORT),
			N8N_RUNNERS_BROKER_PORT: String(BROKER_PORT),
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_BINARY_DATA_STORAGE_PATH: binaryStore,
			// n8n 2.x lets the file nodes read only below this folder (default ~/.n8n-files)
			N8N_RESTRICT_FILE_ACCESS_TO: files,
			// PROFILE_DIR=<folder>: every n8n process writes a CPU profile there, to open in Chrome's DevTools
			...(process.env.PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.PROFILE_DIR}` } : {}),
		});
		const bench = new Bench(cli, binaryStore);
		const httpAccount = fixture.accounts.find((account) => account.username === 'http-request')!;
		const site: SiteAccess = { apiUrl: sandbox.apiUrl, key1: httpAccount.key1, key2: httpAccount.key2 };
		const accountOf: Record<Client, string> = { yetishare: sandbox.demoAccount.id, http: httpAccount.id };
		const authorizations = (client: Client) =>
			sandbox.log.filter((entry) => entry.endpoint === 'authorize' && entry.outcome === 'success' && entry.accountId === accountOf[client]).length;

		// The upload limit of the accounts' package: 1 GiB exactly, so 1 GiB is the largest file allowed.
		const limit = Number(fixture.levels.find((level) => level.id === sandbox.state.accounts[0].level_id)!.package.max_upload_size);
		const size = Math.min(Math.round(SIZE_MIB * MiB), limit);
		// Files for file/info, the same number in each account (a client sees only its own).
		const infoIds = Object.fromEntries(
			CLIENTS.map((client) => [
				client,
				Array.from({ length: INFO_ITEMS }, (_, i) => sandbox.addFile(accountOf[client], { name: `info-${i}.txt`, content: `file ${i}\n` }).id),
			]),
		) as Record<Client, string[]>;

		await cli.importSandboxCredential(sandbox);
		const input = join(files, 'bench-input.bin');
		await cli.importWorkflows([
			idleWorkflow(),
			...CLIENTS.flatMap((client) => [
				uploadWorkflow(client, site, input),
				fileInfoWorkflow(client, site, 'bench-auth', infoIds[client].slice(0, AUTH_ITEMS)),
				fileInfoWorkflow(client, site, 'bench-info', infoIds[client]),
			]),
			fileInfoWorkflow('yetishare', site, 'bench-info-most', infoIds.yetishare, MOST_IN_PARALLEL),
		]);
		const workflowId = (name: string, client: Client) => `bench-${name}-${client === 'yetishare' ? 'ys' : 'http'}`;

		process.stderr.write('n8n doing nothing (a Manual Trigger alone):\n');
		const idle = await bench.execute('bench-idle');

		process.stderr.write(`/authorize over ${AUTH_EXECUTIONS} executions of ${AUTH_ITEMS} items (the credential starts without a token):\n`);
		const authorizedBefore = Object.fromEntries(CLIENTS.map((client) => [client, authorizations(client)]));
		for (let execution = 0; execution < AUTH_EXECUTIONS; execution++) {
			for (const client of order(execution)) {
				const sample = await bench.execute(workflowId('auth', client), MEASURED_NODE.info, `auth:${client}`);
				if (output(sample.run, MEASURED_NODE.info).length !== AUTH_ITEMS) throw new Error(`${client}: not ${AUTH_ITEMS} items`);
			}
		}
		const authorized = Object.fromEntries(CLIENTS.map((client) => [client, authorizations(client) - authorizedBefore[client]])) as Record<Client, number>;

		process.stderr.write(`${INFO_ITEMS.toLocaleString('en-US')} × file/info:\n`);
		for (let round = 0; round < RUNS; round++) {
			for (const client of order(round)) {
				const sample = await bench.execute(workflowId('info', client), MEASURED_NODE.info, `info:${client}`);
				const answers = output(sample.run, MEASURED_NODE.info);
				const filename = (item: { json: any }) => (client === 'http' ? item.json.data?.filename : item.json.filename);
				if (answers.length !== INFO_ITEMS || answers.some((item, i) => filename(item) !== `info-${i}.txt`)) {
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
					const sample = await bench.execute(workflowId('info', client), MEASURED_NODE.info, `${distance.key}:${client}`);
					if (output(sample.run, MEASURED_NODE.info).length !== INFO_ITEMS) throw new Error(`${client}: not ${INFO_ITEMS} answers at ${distance.label}`);
				}
				// and the node with the most in flight its option allows, in the same round
				const most = await bench.execute(workflowId('info-most', 'yetishare'), MEASURED_NODE.info, `${distance.key}+most:yetishare`);
				if (output(most.run, MEASURED_NODE.info).length !== INFO_ITEMS) throw new Error(`yetishare: not ${INFO_ITEMS} answers at ${distance.label}, ${MOST_IN_PARALLEL} in flight`);
			}
		}
		sandbox.configure({ latencyMs: 0, workers: 0, workMs: 0 });

		process.stderr.write(`Writing a ${mib(size)} MiB file…\n`);
		const inputMd5 = await makeRandomFile(input, size);
		process.stderr.write(`Upload of ${mib(size)} MiB (read from disk into n8n's binary store, then sent):\n`);
		const uploaded: Partial<Record<Client, string>> = {};
		for (let round = 0; round < RUNS; round++) {
			for (const client of order(round)) {
				const sample = await bench.execute(workflowId('upload', client), MEASURED_NODE.upload, `upload:${client}`);
				const [item] = output(sample.run, MEASURED_NODE.upload);
				const fileId = String(client === 'http' ? item.json.data?.[0]?.file_id : item.json.file_id);
				const stored = sandbox.state.files.find((file) => file.id === fileId && file.accountId === accountOf[client]);
				if (!stored || stored.fileSize !== size || stored.md5 !== inputMd5) {
					throw new Error(`${client}: the site holds ${stored ? `${stored.fileSize} bytes, MD5 ${stored.md5}` : 'no file'} instead of the input`);
				}
				// one upload per client stays for the downloads; the others are not needed
				if (uploaded[client]) rmSync(stored.storagePath, { force: true });
				else uploaded[client] = fileId;
				bench.clearBinaryStore();
			}
		}
		rmSync(input, { force: true });

		await cli.importWorkflows(CLIENTS.map((client) => downloadWorkflow(client, site, uploaded[client]!)));
		/** RUNS rounds of both downloads, each round with curl fetching the same file from the same site: a plain client's time. */
		const downloads = async (key: string) => {
			const curlTimes: number[] = [];
			for (let round = 0; round < RUNS; round++) {
				for (const client of order(round)) {
					const sample = await bench.execute(workflowId('download', client), MEASURED_NODE.download, `${key}:${client}`);
					const binary = output(sample.run, MEASURED_NODE.download)[0]?.binary?.data;
					const path = bench.binaryPath(binary ?? {});
					const md5 = existsSync(path) ? await md5OfFile(path) : 'no file';
					if (md5 !== inputMd5) throw new Error(`${client}: the downloaded file's MD5 is ${md5}, not ${inputMd5}`);
					bench.clearBinaryStore();
				}
				curlTimes.push(await curlDownload(site, uploaded.http!, join(files, 'curl-download.bin')));
			}
			return curlTimes;
		};
		process.stderr.write(`Download of ${mib(size)} MiB into n8n's binary store:\n`);
		const curlDownloads = await downloads('download');
		const linkMBps = LINK.bandwidthBytesPerSecond / 1e6;
		process.stderr.write(`Download of ${mib(size)} MiB, the site ${LINK.latencyMs} ms away at ${linkMBps} MB/s:\n`);
		sandbox.configure(LINK);
		const curlLinkDownloads = await downloads('download-link');
		sandbox.configure({ latencyMs: 0, bandwidthBytesPerSecond: 0 });

		const size1 = size % (1024 * MiB) === 0 ? `${size / (1024 * MiB)} GiB` : `${mib(size)} MiB`;
		const info = INFO_ITEMS.toLocaleString('en-US');
		const rows: Row[] = [
			row(bench, `${size1} upload: the Upload node`, 'upload', (s) => s.nodeMs, seconds),
			row(bench, `${size1} upload: whole execution`, 'upload', (s) => s.executionMs, seconds),
			row(bench, `${size1} upload: peak RSS of n8n (MiB)`, 'upload', (s) => s.peakRss, mib),
			row(bench, `${size1} download: the Download node`, 'download', (s) => s.nodeMs, seconds),
			row(bench, `${size1} download: whole execution`, 'download', (s) => s.executionMs, seconds),
			row(bench, `${size1} download: peak RSS of n8n (MiB)`, 'download', (s) => s.peakRss, mib),
			curlRow(`${size1} download: the Download node ÷ curl's time (curl: ${seconds(median(curlDownloads))})`, bench.samples.get('download:yetishare') ?? [], bench.samples.get('download:http') ?? [], curlDownloads),
			row(bench, `${size1} download, ${LINK.latencyMs} ms away at ${linkMBps} MB/s: the Download node`, 'download-link', (s) => s.nodeMs, seconds),
			curlRow(
				`${size1} download, ${LINK.latencyMs} ms away at ${linkMBps} MB/s: the Download node ÷ curl's time (curl: ${seconds(median(curlLinkDownloads))})`,
				bench.samples.get('download-link:yetishare') ?? [],
				bench.samples.get('download-link:http') ?? [],
				curlLinkDownloads,
			),
			{
				label: `/authorize calls in ${AUTH_EXECUTIONS} executions × ${AUTH_ITEMS} items`,
				yetishare: String(authorized.yetishare),
				http: String(authorized.http),
				ratio: (authorized.yetishare / authorized.http).toFixed(2),
			},
			row(bench, `${AUTH_ITEMS} × file/info: whole execution (median of ${AUTH_EXECUTIONS})`, 'auth', (s) => s.executionMs, seconds),
			row(bench, `${info} × file/info: whole execution`, 'info', (s) => s.executionMs, seconds),
			row(bench, `${info} × file/info: the File info node`, 'info', (s) => s.nodeMs, seconds),
			row(bench, `${info} × file/info: peak RSS of n8n (MiB)`, 'info', (s) => s.peakRss, mib),
			...DISTANCES.flatMap((distance) =>
				[DEFAULT_REQUESTS_IN_PARALLEL, MOST_IN_PARALLEL].map((inFlight) =>
					row(
						bench,
						`${info} × file/info, ${distance.label}: the File info node, Requests in Parallel ${inFlight}${inFlight === DEFAULT_REQUESTS_IN_PARALLEL ? ' (default)' : ''} (ideal: ${seconds(distance.ideal(inFlight))})`,
						inFlight === DEFAULT_REQUESTS_IN_PARALLEL ? distance.key : `${distance.key}+most`,
						(s) => s.nodeMs,
						seconds,
						distance.key,
					),
				),
			),
		];
		const table = [
			'| measurement | YetiShare node | HTTP Request | YetiShare ÷ HTTP Request |',
			'| --- | --- | --- | --- |',
			...rows.map((r) => `| ${r.label} | ${r.yetishare} | ${r.http} | ${r.ratio} |`),
		].join('\n');
		const executions = (client: Client) => [...bench.samples.entries()].filter(([key]) => key.endsWith(`:${client}`)).reduce((sum, [, list]) => sum + list.length, 0);
		const startUp = median([...bench.samples.values()].flat().map((s) => s.processMs - s.executionMs));
		const figures = [
			`Measured ${new Date().toISOString().slice(0, 10)}: n8n ${runtime.version} on Node ${nodeVersion(runtime.node)}, ` +
				`${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, loopback unless a row says otherwise; ` +
				`${RUNS} rounds (${AUTH_EXECUTIONS} executions for /authorize); times and RSS are medians, the ratio is the median of the ` +
				`per-round ratios (their range in brackets).`,
			'',
			table,
			'',
			`Over the whole run (${executions('yetishare')} executions with the YetiShare node, ${executions('http')} with HTTP Request), ` +
				`the YetiShare credential signed in ${times(authorizations('yetishare'))}, the HTTP Request workflows ${times(authorizations('http'))}. ` +
				`n8n alone (a Manual Trigger, nothing else) peaks at ${mib(idle.peakRss)} MiB; an \`n8n execute\` process spends a median ` +
				`${seconds(startUp)} starting and stopping around the execution (not in the figures above).`,
		].join('\n');
		process.stdout.write(`\n${figures}\n`);
		if (write) writeSection(figures);
	} finally {
		await sandbox.stop();
		cleanUp();
	}
}

/**
 * Downloads the file with curl: a download link from file/download (signed in as the HTTP Request
 * workflows' account, which signs in again at every execution anyway), then a GET into `target`.
 * Returns curl's wall time in ms.
 */
async function curlDownload(site: SiteAccess, fileId: string, target: string): Promise<number> {
	const call = async (endpoint: string, fields: Record<string, string>) =>
		((await (await fetch(`${site.apiUrl}/${endpoint}`, { method: 'POST', body: new URLSearchParams(fields) })).json()) as { data: Record<string, string> }).data;
	const session = await call('authorize', { key1: site.key1, key2: site.key2 });
	const { download_url: link } = await call('file/download', { access_token: session.access_token, account_id: session.account_id, file_id: fileId });
	const started = process.hrtime.bigint();
	// not execFileSync: the site runs in this process and must keep answering
	await promisify(execFile)('curl', ['-sS', '-o', target, link]);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	rmSync(target, { force: true });
	return ms;
}

/** A row of each client's time as a multiple of curl's, per round (curl measured in the same round). */
function curlRow(label: string, yetishare: Sample[], http: Sample[], curl: number[]): Row {
	const times = (samples: Sample[]) => samples.map((sample, round) => sample.nodeMs / curl[round]);
	const show = (ratios: number[]) => (ratios.length > 1 ? `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : median(ratios).toFixed(2));
	return { label, yetishare: show(times(yetishare)), http: show(times(http)), ratio: '–' };
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
