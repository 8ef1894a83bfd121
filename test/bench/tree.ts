/**
 * `npm run bench:tree`: the package at real distances, inside n8n's engine (the built package, as
 * n8n loads it), against a sandbox site that answers every request after a fixed delay.
 *
 * - Items in flight: ITEMS file/info items at 0, 50 and 150 ms a call, and at 150 ms plus up to
 *   30 ms of jitter (a site whose answers do not all take the same time), with Requests in
 *   Parallel at 5 and at the default, and one at a time on loopback, beside the ideal (items ×
 *   mean latency ÷ Requests in Parallel; a run starts with 5 in flight, so the ideal is out of
 *   its reach).
 * - Walks of a big account at 50 ms a call: a trigger poll with Include Subfolders, a folder
 *   picker's first page, and a path lookup five levels down, on 200 folders (10,000 files), 2,000
 *   folders (10,000 files) and 2,000 folders (100,000 files): time and calls, to show how each
 *   grows with folders and that files do not add calls; and File → Search there, over every
 *   folder and with a Limit that stops the walk early.
 *
 * Prints a table and keeps it in BENCHMARKS.md ("Real latency and big accounts"); `--no-write`
 * leaves the file alone.
 *
 *   ITEMS=300 npm run bench:tree -- --no-write
 */
import { cpus } from 'os';
import { join } from 'path';

import { Engine } from '../harness';
import { SandboxServer } from '../sandbox/server';
import { keepInReport } from './measure';

const DIST = join(__dirname, '../../dist');
const { YetiShare } = require(
	join(DIST, 'nodes/YetiShare/YetiShare.node.js'),
) as typeof import('../../nodes/YetiShare/YetiShare.node');
const { YetiShareTrigger } = require(
	join(DIST, 'nodes/YetiShareTrigger/YetiShareTrigger.node.js'),
) as typeof import('../../nodes/YetiShareTrigger/YetiShareTrigger.node');
const { YetiShareApi } = require(
	join(DIST, 'credentials/YetiShareApi.credentials.js'),
) as typeof import('../../credentials/YetiShareApi.credentials');
const { LISTINGS_IN_PARALLEL } = require(
	join(DIST, 'nodes/YetiShare/shared/tree.js'),
) as typeof import('../../nodes/YetiShare/shared/tree');
const { DEFAULT_REQUESTS_IN_PARALLEL } = require(
	join(DIST, 'nodes/YetiShare/execution/parallel.js'),
) as typeof import('../../nodes/YetiShare/execution/parallel');

const NODE = 'CUSTOM.yetiShare';
const TRIGGER = 'CUSTOM.yetiShareTrigger';
const ITEMS = Number(process.env.ITEMS ?? 1000);
const WALK_LATENCY_MS = 50;

interface Site {
	sandbox: SandboxServer;
	engine: Engine;
	credential: { id: string; name: string };
}

async function openSite(latencyMs: number, latencyJitterMs = 0): Promise<Site> {
	const sandbox = new SandboxServer({ latencyMs, latencyJitterMs });
	await sandbox.start();
	const engine = new Engine({
		nodeTypes: { [NODE]: new YetiShare(), [TRIGGER]: new YetiShareTrigger() },
		credentialTypes: [new YetiShareApi()],
	});
	await engine.init();
	const demo = sandbox.demoAccount;
	const credential = engine.credentials.add('yetiShareApi', 'bench', {
		baseUrl: sandbox.baseUrl,
		authentication: 'apiKeys',
		apiKey1: demo.key1,
		apiKey2: demo.key2,
		accessToken: '',
		accountId: '',
	});
	// signed in before anything is timed
	const signIn = await engine.run({
		node: {
			type: NODE,
			parameters: { resource: 'account', operation: 'get' },
			credentials: { yetiShareApi: credential },
		},
	});
	if (signIn.error) throw new Error(signIn.error.message);
	return { sandbox, engine, credential };
}

async function closeSite(site: Site) {
	await site.engine.close();
	await site.sandbox.stop();
}

/** Runs `work` and says how long it took and how many calls of each kind reached the site. */
async function measure(site: Site, work: () => Promise<void>) {
	site.sandbox.clearLog();
	const started = process.hrtime.bigint();
	await work();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	return { ms, listings: site.sandbox.count('folder/listing'), calls: site.sandbox.log.length };
}

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

async function itemsInFlight(): Promise<string[]> {
	const rows = [
		'| latency a call | Requests in Parallel | items | time (s) | ideal (s) | time ÷ ideal | peak calls at the site |',
		'| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
	];
	for (const [latencyMs, jitterMs] of [
		[0, 0],
		[50, 0],
		[150, 0],
		[150, 30],
	]) {
		const site = await openSite(latencyMs, jitterMs);
		const distance = jitterMs ? `${latencyMs}–${latencyMs + jitterMs} ms` : `${latencyMs} ms`;
		try {
			const file = site.sandbox.addFile(site.sandbox.demoAccount.id, {
				name: 'asked-about.txt',
				content: 'x',
			});
			for (const inFlight of latencyMs === 0
				? [1, 5, DEFAULT_REQUESTS_IN_PARALLEL]
				: [5, DEFAULT_REQUESTS_IN_PARALLEL]) {
				const node = {
					type: NODE,
					parameters: {
						resource: 'file',
						operation: 'get',
						fileId: { __rl: true, mode: 'id', value: file.id },
						requestsInParallel: inFlight,
					},
					credentials: { yetiShareApi: site.credential },
				};
				const input = Array.from({ length: ITEMS }, () => ({ json: {} }));
				let failed = 0;
				const { ms } = await measure(site, async () => {
					const run = await site.engine.run({ node, items: input });
					if (run.error || run.items.length !== ITEMS) failed = ITEMS - run.items.length || ITEMS;
				});
				if (failed) throw new Error(`${failed} items failed at ${distance}, ${inFlight} in flight`);
				const ideal = (ITEMS * (latencyMs + jitterMs / 2)) / inFlight;
				rows.push(
					`| ${distance} ` +
						`| ${inFlight}${inFlight === DEFAULT_REQUESTS_IN_PARALLEL ? ' (default)' : ''} ` +
						`| ${ITEMS} | ${seconds(ms)} | ${latencyMs ? seconds(ideal) : '–'} ` +
						`| ${latencyMs ? (ms / ideal).toFixed(2) : '–'} ` +
						`| ${site.sandbox.peakInFlight('file/info')} |`,
				);
				process.stderr.write(`${rows[rows.length - 1]}\n`);
			}
		} finally {
			await closeSite(site);
		}
	}
	return rows;
}

async function walks(): Promise<{ rows: string[]; changeRows: string[] }> {
	const changeRows = [
		`| account (under one folder) | File Changed poll: s | listings | state: bytes ` +
			`| bytes a file | activation: s |`,
		'| --- | ---: | ---: | ---: | ---: | ---: |',
	];
	const rows = [
		`| account (under one folder) | trigger poll, Include Subfolders: s | listings ` +
			`| folder picker, first page: s | listings | path lookup, 5 levels: s | listings ` +
			`| File → Search, every folder: s | listings | File → Search, Limit 10: s | listings |`,
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
	];
	for (const size of [
		{ folders: 200, files: 10_000 },
		{ folders: 2_000, files: 10_000 },
		{ folders: 2_000, files: 100_000 },
	]) {
		const site = await openSite(WALK_LATENCY_MS);
		try {
			const demo = site.sandbox.demoAccount.id;
			const top = site.sandbox.addFolder(demo, { name: 'Big' });
			const levels = site.sandbox.seedTree(demo, { ...size, depth: 5, parentId: top.id });
			const deepest = levels[4][levels[4].length - 1];
			const path = ['Big', ...pathOf(site.sandbox, deepest.id, top.id)].join('/');

			const trigger = {
				type: TRIGGER,
				parameters: {
					event: 'fileAdded',
					folder: { __rl: true, mode: 'id', value: top.id },
					options: { includeSubfolders: true },
				},
				credentials: { yetiShareApi: site.credential },
			};
			const activation = await site.engine.poll({ node: trigger });
			if (activation.error) throw new Error(activation.error.message);
			site.sandbox.addFile(demo, { name: 'new.txt', folderId: deepest.id, content: 'new' });
			let found = 0;
			const poll = await measure(site, async () => {
				const result = await site.engine.poll({ node: trigger, staticData: activation.staticData });
				if (result.error) throw new Error(result.error.message);
				found = result.items?.[0].length ?? 0;
			});
			if (found !== 1) throw new Error(`the poll found ${found} new files, not 1`);
			changeRows.push(await changeWatch(site, size, top.id, deepest.id));

			const pickerNode = {
				type: NODE,
				parameters: { resource: 'folder', operation: 'get' },
				credentials: { yetiShareApi: site.credential },
			};
			const picker = await measure(
				site,
				async () =>
					void (await site.engine.listSearch({ node: pickerNode, method: 'searchFolders' })),
			);

			const lookup = await measure(site, async () => {
				const run = await site.engine.run({
					node: {
						type: NODE,
						parameters: {
							resource: 'folder',
							operation: 'get',
							folderId: { __rl: true, mode: 'path', value: path },
						},
						credentials: { yetiShareApi: site.credential },
					},
				});
				if (run.error || String(run.items[0].json.id) !== deepest.id)
					throw new Error(`the path lookup failed: ${run.error?.message}`);
			});
			const search = (name: string, limit?: number) =>
				measure(site, async () => {
					const parameters = {
						resource: 'file',
						operation: 'search',
						name,
						parentFolder: { __rl: true, mode: 'id', value: top.id },
						...(limit ? { limit } : { returnAll: true }),
					};
					const run = await site.engine.run({
						node: { type: NODE, parameters, credentials: { yetiShareApi: site.credential } },
					});
					if (run.error || run.items.length !== (limit ?? 1))
						throw new Error(
							`the search for ${name} found ${run.items.length}: ${run.error?.message}`,
						);
				});
			const everywhere = await search('new.txt');
			const firstTen = await search('seeded-*', 10);
			rows.push(
				`| ${size.folders.toLocaleString('en')} folders, ` +
					`${size.files.toLocaleString('en')} files ` +
					`| ${seconds(poll.ms)} | ${poll.listings} | ${seconds(picker.ms)} | ${picker.listings} ` +
					`| ${seconds(lookup.ms)} | ${lookup.listings} ` +
					`| ${seconds(everywhere.ms)} | ${everywhere.listings} ` +
					`| ${seconds(firstTen.ms)} | ${firstTen.listings} |`,
			);
			process.stderr.write(`${rows[rows.length - 1]}\n`);
		} finally {
			await closeSite(site);
		}
	}
	return { rows, changeRows };
}

/**
 * File Changed over the whole tree with Include Subfolders: activation (what it remembers), then a
 * poll that finds one renamed file at the bottom. The state is what n8n writes into the row.
 */
async function changeWatch(
	site: Site,
	size: { folders: number; files: number },
	topId: string,
	deepestId: string,
): Promise<string> {
	const node = {
		type: TRIGGER,
		parameters: {
			event: 'fileChanged',
			folder: { __rl: true, mode: 'id', value: topId },
			options: { includeSubfolders: true },
		},
		credentials: { yetiShareApi: site.credential },
	};
	let staticData = {};
	let bytes = 0;
	const activation = await measure(site, async () => {
		const result = await site.engine.poll({ node });
		if (result.error) throw new Error(result.error.message);
		staticData = JSON.parse(JSON.stringify(result.staticData));
		bytes = Buffer.byteLength(JSON.stringify(result.nodeStaticData));
	});
	const renamed = site.sandbox.state.files.find((file) => file.folderId === deepestId)!;
	renamed.filename = `renamed-${renamed.filename}`;
	let found = 0;
	const poll = await measure(site, async () => {
		const result = await site.engine.poll({ node, staticData });
		if (result.error) throw new Error(result.error.message);
		found = result.items?.[0].length ?? 0;
	});
	if (found !== 1) throw new Error(`the File Changed poll found ${found} changes, not 1`);
	const row =
		`| ${size.folders.toLocaleString('en')} folders, ${size.files.toLocaleString('en')} files ` +
		`| ${seconds(poll.ms)} | ${poll.listings} | ${bytes.toLocaleString('en')} ` +
		`| ${(bytes / size.files).toFixed(1)} | ${seconds(activation.ms)} |`;
	process.stderr.write(`${row}\n`);
	return row;
}

/** Folder names from below `topId` down to `folderId`. */
function pathOf(sandbox: SandboxServer, folderId: string, topId: string): string[] {
	const names: string[] = [];
	for (let id: string | null = folderId; id && id !== topId; ) {
		const folder = sandbox.state.folders.find((candidate) => candidate.id === id)!;
		names.unshift(folder.folderName);
		id = folder.parentId;
	}
	return names;
}

async function main() {
	const stamp =
		`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
		`${cpus().length} cores (${cpus()[0]?.model.trim()}); ` +
		`sandbox on loopback with a delay per request (fixed, or with the jitter shown)`;
	const inFlight = await itemsInFlight();
	const { rows: walked, changeRows } = await walks();
	const text = [
		`Run of ${stamp}.`,
		'',
		`**Items in flight**: ${ITEMS} File → Get items, one call each.`,
		'',
		...inFlight,
		'',
		`**Walks of a big account** at ${WALK_LATENCY_MS} ms a call ` +
			`(five levels, each twice the one above; ${LISTINGS_IN_PARALLEL} listings at once). ` +
			`The poll is the second one after activation, one new file at the bottom; ` +
			`the path lookup is Folder → Get by path of the last folder of the fifth level. ` +
			`The searches start at the big folder: one for the new file's name ` +
			`(Return All, so every folder is listed), ` +
			`one for the first 10 seeded files ("seeded-*", Limit 10: the walk stops once it has them).`,
		'',
		...walked,
		'',
		`**Watching for changes** (the trigger's File Changed, Include Subfolders, over the same ` +
			`trees at ${WALK_LATENCY_MS} ms a call): the poll after activation finds one renamed ` +
			`file at the bottom; the state is the trigger's static data as n8n stores it (JSON).`,
		'',
		...changeRows,
	].join('\n');
	process.stdout.write(`${text}\n`);
	if (!process.argv.includes('--no-write'))
		keepInReport(
			'BENCHMARKS.md',
			'bench:tree',
			text,
			'## Real latency and big accounts (`npm run bench:tree`)',
		);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
