/**
 * `npm run bench`: upload and download generated files through the YetiShare node (inside n8n's
 * engine, binary data in filesystem mode) and, in the same run, with curl, against one sandbox
 * site in its own process. Prints wall time, MB/s and peak RSS per size, and the ratios.
 * Sizes in MiB can be given as arguments (default 64 256 1024). Each transfer runs RUNS times
 * (default 3), alternating node and curl; the table shows the median time and the highest RSS.
 *
 * LATENCY (ms a request, e.g. 50) and BANDWIDTH (bytes per second each way, e.g. 50M) put the
 * site at a distance, for the node and curl alike:
 *   LATENCY=50 BANDWIDTH=50M CANDIDATES= RUNS=1 npm run bench -- 1024
 *
 * A second table compares ways of building the upload's multipart body (multipart-candidates.ts),
 * each in its own process in every round, as ratios against the previous release's form-data body
 * measured in the same round. CANDIDATES=form-data,formdata-shape picks some; CANDIDATES= none.
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join, resolve } from 'path';
import { once } from 'events';

import { makeRandomFile, median, MiB, watchPeakRss } from './measure';
import { CANDIDATES } from './multipart-candidates';

const ROOT = resolve(__dirname, '../..');
const TS_NODE = [require.resolve('ts-node/dist/bin.js'), '--transpile-only'];
const RUNS = Math.max(1, Number(process.env.RUNS ?? 3));
const BODIES = (process.env.CANDIDATES ?? CANDIDATES.join(','))
	.split(',')
	.filter((name) => name !== '');
const REFERENCE_BODY = 'form-data';
/** Where the site is: the sandbox's --latency and --bandwidth. */
const DISTANCE = [
	...(process.env.LATENCY ? ['--latency', process.env.LATENCY] : []),
	...(process.env.BANDWIDTH ? ['--bandwidth', process.env.BANDWIDTH] : []),
];

interface Measure {
	ms: number;
	rssPeak: number;
	rssBefore?: number;
}

function run(
	command: string,
	args: string[],
	options: { pollRss?: boolean } = {},
): Promise<{ stdout: string; ms: number; rssPeak: number }> {
	return new Promise((resolvePromise, reject) => {
		const started = process.hrtime.bigint();
		const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
		let stdout = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		const rssPeak = options.pollRss ? watchPeakRss(child) : () => 0;
		child.on('error', reject);
		child.on('exit', (code) => {
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
			else resolvePromise({ stdout, ms, rssPeak: rssPeak() });
		});
	});
}

async function startSandbox(
	storage: string,
): Promise<{ baseUrl: string; key1: string; key2: string; stop: () => Promise<void> }> {
	const child = spawn(
		process.execPath,
		[...TS_NODE, 'test/sandbox/cli.ts', '--port', '0', '--storage', storage, ...DISTANCE],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
	);
	// keep reading what it prints (a closed pipe would kill it), until the demo keys are out
	const text = await new Promise<string>((resolveText, reject) => {
		let printed = '';
		child.stdout.on('data', (chunk) => {
			printed += chunk;
			if (/key2:\s+\S+/.test(printed)) resolveText(printed);
		});
		child.on('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
	});
	const baseUrl = /listening on (\S+)/.exec(text)![1];
	const key1 = /key1:\s+(\S+)/.exec(text)![1];
	const key2 = /key2:\s+(\S+)/.exec(text)![1];
	return {
		baseUrl,
		key1,
		key2,
		stop: async () => {
			child.kill('SIGINT');
			if (child.exitCode === null) await once(child, 'exit');
		},
	};
}

async function form(url: string, fields: Record<string, string>) {
	const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
	return (await response.json()) as { data: Record<string, string> };
}

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function main() {
	const sizes = process.argv
		.slice(2)
		.map(Number)
		.filter((n) => n > 0);
	const work = mkdtempSync(join(tmpdir(), 'yetishare-bench-'));
	const site = await startSandbox(join(work, 'site'));
	const rows: string[] = [];
	const bodyRows: string[] = [];
	try {
		for (const sizeMiB of sizes.length > 0 ? sizes : [64, 256, 1024]) {
			const file = join(work, `bench-${sizeMiB}.bin`);
			await makeRandomFile(file, sizeMiB * MiB);
			const bytes = statSync(file).size;

			const nodeArgs = ['--expose-gc', ...TS_NODE, 'test/bench/node-transfer.ts'];
			const api = `${site.baseUrl}/api/v2`;
			const samples: Record<'nodeUp' | 'nodeDown' | 'curlUp' | 'curlDown', Measure[]> = {
				nodeUp: [],
				nodeDown: [],
				curlUp: [],
				curlDown: [],
			};
			const bodies = new Map<string, Measure[]>(BODIES.map((name) => [name, []]));
			for (let round = 0; round < RUNS; round++) {
				const up = JSON.parse(
					(
						await run(process.execPath, [
							...nodeArgs,
							'upload',
							site.baseUrl,
							site.key1,
							site.key2,
							file,
						])
					).stdout,
				) as Measure & { fileId: string; bytes: number };
				if (up.bytes !== bytes) throw new Error(`upload stored ${up.bytes} of ${bytes} bytes`);
				const down = JSON.parse(
					(
						await run(process.execPath, [
							...nodeArgs,
							'download',
							site.baseUrl,
							site.key1,
							site.key2,
							up.fileId,
						])
					).stdout,
				) as Measure & { bytes: number };
				if (down.bytes !== bytes) throw new Error(`download gave ${down.bytes} of ${bytes} bytes`);

				const session = (await form(`${api}/authorize`, { key1: site.key1, key2: site.key2 })).data;
				const curlUp = await run(
					'curl',
					[
						'-sS',
						'-o',
						'/dev/null',
						'-F',
						`access_token=${session.access_token}`,
						'-F',
						`account_id=${session.account_id}`,
						'-F',
						'folder_id=',
						'-F',
						`upload_file=@${file}`,
						`${api}/file/upload`,
					],
					{ pollRss: true },
				);
				const link = (
					await form(`${api}/file/download`, {
						access_token: session.access_token,
						account_id: session.account_id,
						file_id: up.fileId,
					})
				).data.download_url;
				const curlDown = await run('curl', ['-sS', '-o', join(work, 'curl-download.bin'), link], {
					pollRss: true,
				});
				rmSync(join(work, 'curl-download.bin'), { force: true });
				samples.nodeUp.push(up);
				samples.nodeDown.push(down);
				samples.curlUp.push(curlUp);
				samples.curlDown.push(curlDown);
				// each round starts with another candidate, so that none always runs first
				for (let k = 0; k < BODIES.length; k++) {
					const name = BODIES[(k + round) % BODIES.length];
					const args = [
						'--expose-gc',
						...TS_NODE,
						'test/bench/multipart-candidates.ts',
						name,
						api,
						session.access_token,
						session.account_id,
						file,
					];
					const sent = JSON.parse((await run(process.execPath, args)).stdout) as Measure & {
						bytes: number;
					};
					if (sent.bytes !== bytes)
						throw new Error(`${name} stored ${sent.bytes} of ${bytes} bytes`);
					bodies.get(name)!.push(sent);
				}
			}
			rmSync(file, { force: true });
			const summary = (list: Measure[]): Measure => {
				const times = list.map((sample) => sample.ms).sort((a, b) => a - b);
				const worst = list.reduce((a, b) =>
					b.rssPeak - (b.rssBefore ?? 0) > a.rssPeak - (a.rssBefore ?? 0) ? b : a,
				);
				return {
					ms: times[Math.floor(times.length / 2)],
					rssPeak: worst.rssPeak,
					rssBefore: worst.rssBefore,
				};
			};
			const [up, down, curlUp, curlDown] = [
				samples.nodeUp,
				samples.nodeDown,
				samples.curlUp,
				samples.curlDown,
			].map(summary);

			for (const [direction, node, curl] of [
				['upload', up, curlUp],
				['download', down, curlDown],
			] as const) {
				const growth = node.rssPeak - (node.rssBefore ?? 0);
				rows.push(
					`| ${sizeMiB} MiB | ${direction} | ${(node.ms / 1000).toFixed(2)} s ` +
						`| ${mbps(bytes, node.ms).toFixed(0)} | ${mib(node.rssPeak)} | ${mib(growth)} ` +
						`| ${(curl.ms / 1000).toFixed(2)} s | ${mbps(bytes, curl.ms).toFixed(0)} ` +
						`| ${mib(curl.rssPeak)} ` +
						`| ${(mbps(bytes, node.ms) / mbps(bytes, curl.ms)).toFixed(2)} |`,
				);
				process.stderr.write(`${rows[rows.length - 1]}\n`);
			}
			const reference = bodies.get(REFERENCE_BODY);
			for (const [name, list] of bodies) {
				const best = summary(list);
				const ratios = reference
					? list.map((sample, round) => reference[round].ms / sample.ms)
					: [];
				const growths = list.map((sample) => sample.rssPeak - (sample.rssBefore ?? 0));
				bodyRows.push(
					`| ${sizeMiB} MiB | ${name} | ${(best.ms / 1000).toFixed(2)} s ` +
						`| ${mbps(bytes, best.ms).toFixed(0)} | ${mib(Math.max(...growths))} ` +
						`| ${ratios.length > 0 ? `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '–'} |`,
				);
				process.stderr.write(`${bodyRows[bodyRows.length - 1]}\n`);
			}
		}
	} finally {
		await site.stop();
		rmSync(work, { recursive: true, force: true });
	}
	const table = [
		'| size | direction | node: time | node: MB/s | node: peak RSS (MiB) ' +
			'| node: RSS growth (MiB) | curl: time | curl: MB/s | curl: peak RSS (MiB) ' +
			'| node ÷ curl throughput |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
	].join('\n');
	const bodyTable = [
		`| size | multipart body | time | MB/s | highest RSS growth (MiB) | throughput ÷ ${REFERENCE_BODY} (median of rounds, range) |`,
		'| --- | --- | --- | --- | --- | --- |',
		...bodyRows,
	].join('\n');
	process.stdout.write(
		`\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
			`${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}` +
			`${DISTANCE.length > 0 ? `; the site ${DISTANCE.join(' ')}` : ''}\n\n${table}\n`,
	);
	if (bodyRows.length > 0)
		process.stdout.write(
			`\nUpload bodies (n8n-core's engine, filesystem mode, file/upload only):\n\n${bodyTable}\n`,
		);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
