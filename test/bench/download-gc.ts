/**
 * `npm run bench:gc`: why a download in a real n8n is slower than curl on loopback, without n8n.
 * A plain Node script (Node 24, n8n's runtime) downloads SIZE_MIB MiB over HTTP from this process
 * into a file the way n8n's filesystem binary store writes a response stream
 * (`fs.promises.writeFile(path, response)`), once with a small heap and once with HEAP_MIB MiB of
 * objects kept alive, about what an n8n process holds; and again with the chunks gathered into
 * 4 MiB blocks first. Each run counts V8's full collections during the download (`--trace-gc`).
 * curl fetches the same file in every round. Prints a table (medians of RUNS rounds, default 3)
 * and keeps it in BENCHMARKS.md; `--no-write` leaves the file alone.
 *
 *   npm run bench:gc
 *   RUNS=1 SIZE_MIB=256 npm run bench:gc -- --no-write
 */
import { execFile } from 'child_process';
import { createReadStream, mkdtempSync, rmSync } from 'fs';
import { createServer, type Server } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../n8n/runtime';
import { keepInReport, makeRandomFile, median, MiB } from './measure';

const RUNS = Math.max(1, Number(process.env.RUNS ?? 3));
const SIZE_MIB = Number(process.env.SIZE_MIB ?? 1024);
const HEAP_MIB = Number(process.env.HEAP_MIB ?? 200);

/** The client: argv = url, target, MiB of live objects, 'stream' or 'blocks'. Prints "ms <time>". */
const CLIENT = `
const http = require('http'), fsp = require('fs/promises');
const [url, target, heapMiB, how] = process.argv.slice(1);
globalThis.kept = [];
for (let i = 0; i < Number(heapMiB) * 8192; i++) kept.push({ a: i, b: 'x' + i, c: [i] });
async function* blocks(source, size) {
	let block = Buffer.allocUnsafe(size), filled = 0;
	for await (const chunk of source) {
		for (let at = 0; at < chunk.length; ) {
			const n = Math.min(chunk.length - at, size - filled);
			chunk.copy(block, filled, at, at + n);
			filled += n; at += n;
			if (filled === size) { yield block; filled = 0; }
		}
	}
	if (filled) yield block.subarray(0, filled);
}
console.log('download starts');
const started = process.hrtime.bigint();
http.get(url, async (response) => {
	await fsp.writeFile(target, how === 'blocks' ? blocks(response, 4 << 20) : response);
	console.log('ms', Number(process.hrtime.bigint() - started) / 1e6);
});
`;

interface Case {
	label: string;
	heapMiB: number;
	how: 'stream' | 'blocks';
}

const CASES: Case[] = [
	{ label: 'response stream, small heap', heapMiB: 0, how: 'stream' },
	{ label: `response stream, ${HEAP_MIB} MiB of live objects`, heapMiB: HEAP_MIB, how: 'stream' },
	{ label: `4 MiB blocks, ${HEAP_MIB} MiB of live objects`, heapMiB: HEAP_MIB, how: 'blocks' },
];

async function main() {
	const runtime = await ensureN8n(DEFAULT_N8N_VERSION);
	const work = mkdtempSync(join(tmpdir(), 'yetishare-bench-gc-'));
	const source = join(work, 'source.bin');
	const target = join(work, 'target.bin');
	let server: Server | undefined;
	try {
		process.stderr.write(`Writing a ${SIZE_MIB} MiB file…\n`);
		await makeRandomFile(source, SIZE_MIB * MiB);
		server = createServer((_request, response) => {
			response.writeHead(200, { 'content-length': SIZE_MIB * MiB });
			createReadStream(source).pipe(response);
		});
		await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
		const address = server.address();
		const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
		const run = promisify(execFile);

		const times = new Map<string, number[]>();
		const collections = new Map<string, number[]>();
		const keep = (map: Map<string, number[]>, key: string, value: number) =>
			map.set(key, [...(map.get(key) ?? []), value]);
		for (let round = 0; round < RUNS; round++) {
			// the cases in a different order each round, curl first
			const started = process.hrtime.bigint();
			await run('curl', ['-sS', '-o', target, url]);
			keep(times, 'curl', Number(process.hrtime.bigint() - started) / 1e6);
			for (const item of round % 2 === 0 ? CASES : [...CASES].reverse()) {
				const { stdout } = await run(
					runtime.node,
					['--trace-gc', '-e', CLIENT, url, target, String(item.heapMiB), item.how],
					{ maxBuffer: 64 * MiB },
				);
				const during = stdout.slice(stdout.indexOf('download starts'));
				const ms = Number(/^ms ([\d.]+)$/m.exec(during)?.[1]);
				if (!Number.isFinite(ms))
					throw new Error(`${item.label}: no time in\n${stdout.slice(-2000)}`);
				keep(times, item.label, ms);
				keep(collections, item.label, (during.match(/Mark-Compact/g) ?? []).length);
				process.stderr.write(`  ${item.label}: ${(ms / 1000).toFixed(2)} s\n`);
			}
			rmSync(target, { force: true });
		}

		const curl = median(times.get('curl')!);
		const lines = [
			`Run of ${new Date().toISOString().slice(0, 10)}: ${SIZE_MIB} MiB over loopback ` +
				`into a file, Node ${(await run(runtime.node, ['--version'])).stdout.trim()}, ` +
				`medians of ${RUNS} rounds; curl: ${(curl / 1000).toFixed(2)} s.`,
			'',
			'| client | time | ÷ curl | full collections during the download |',
			'| --- | ---: | ---: | ---: |',
			...CASES.map((item) => {
				const ms = median(times.get(item.label)!);
				return `| ${item.label} | ${(ms / 1000).toFixed(2)} s | ${(ms / curl).toFixed(2)} | ${median(collections.get(item.label)!)} |`;
			}),
		];
		process.stdout.write(`\n${lines.join('\n')}\n`);
		if (!process.argv.includes('--no-write'))
			keepInReport('BENCHMARKS.md', 'bench:gc', lines.join('\n'));
	} finally {
		server?.close();
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
