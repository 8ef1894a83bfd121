/**
 * `npm run faults`: the node under faults and load, inside n8n's engine against the sandbox.
 * Each scenario runs on a fresh site and prints items, failed items, /authorize calls against
 * their bound (drops + processes), calls repeated, what was created (and how many of those were
 * duplicates) and the time taken. The table goes to standard output and into RELIABILITY.md
 * (between its "faults" markers).
 */
import { randomBytes } from 'crypto';
import { keepInReliabilityReport } from './measure';
import { join } from 'path';
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { Engine } from '../harness';
import { SandboxServer } from '../sandbox/server';
import { credentialData } from '../setup';

const DIST = join(__dirname, '../../dist');
const { YetiShare } = require(
	join(DIST, 'nodes/YetiShare/YetiShare.node.js'),
) as typeof import('../../nodes/YetiShare/YetiShare.node');
const { YetiShareApi } = require(
	join(DIST, 'credentials/YetiShareApi.credentials.js'),
) as typeof import('../../credentials/YetiShareApi.credentials');
const NODE_TYPE = 'CUSTOM.yetiShare';
/** Node types of the package copies that stand for separate n8n processes (see processCopy). */
const PROCESS_TYPES = ['CUSTOM.yetiShareProcess0', 'CUSTOM.yetiShareProcess1'];
/** Tries of the scenario with several processes: sign-ins there depend on timing. */
const PROCESS_TRIES = 5;

interface Row {
	scenario: string;
	items: number;
	failed: number;
	authorize: number;
	/**
	 * Times the site ended the session: its token kills, plus one when the run starts with no live
	 * token. Sign-ins should stay within drops + processes (one per drop, one more per process).
	 */
	drops: number;
	processes: number;
	/** Calls of the endpoint under test beyond one per item. */
	repeated: number;
	created?: string;
	seconds: number;
}

interface Lab {
	sandbox: SandboxServer;
	engine: Engine;
	run(
		parameters: INodeParameters,
		items: INodeExecutionData[],
		credential?: IDataObject,
	): Promise<IDataObject[]>;
}

const root = { __rl: true, mode: 'id', value: 'root' };
const inFolder = (id: string) => ({ __rl: true, mode: 'id', value: id });
const plain = (count: number) => Array.from({ length: count }, (_, i) => ({ json: { i } }));

/**
 * A copy of the package as another n8n process loads it: its own session state (its own copy of
 * every module), sharing the engine's credential store as processes share n8n's database.
 */
function processCopy(): INodeType {
	for (const path of Object.keys(require.cache))
		if (path.startsWith(`${DIST}/`)) delete require.cache[path];
	const copy = require(
		join(DIST, 'nodes/YetiShare/YetiShare.node.js'),
	) as typeof import('../../nodes/YetiShare/YetiShare.node');
	return new copy.YetiShare();
}

/** One execution of the node `type` with this credential; the items' output. */
async function execute(
	engine: Engine,
	type: string,
	parameters: INodeParameters,
	items: INodeExecutionData[],
	credential: { id: string; name: string },
) {
	const result = await engine.run({
		node: { type, typeVersion: 1, parameters, credentials: { yetiShareApi: credential } },
		items,
		onError: 'continueRegularOutput',
	});
	if (result.error) throw new Error(result.error.message);
	return result.items.map((item) => item.json);
}

/** Every scenario here starts on a new credential, with no token: its first sign-in is a drop. */
async function scenario(
	lab: Lab,
	name: string,
	endpoint: string,
	body: () => Promise<{ items: number; outputs: IDataObject[]; created?: string }>,
): Promise<Row> {
	lab.sandbox.reset();
	const started = Date.now();
	const { items, outputs, created } = await body();
	const seconds = (Date.now() - started) / 1000;
	return {
		scenario: name,
		items,
		failed: outputs.filter((output) => output.error).length,
		authorize: lab.sandbox.count('authorize'),
		drops: 1 + lab.sandbox.tokenKills,
		processes: 1,
		repeated: Math.max(
			0,
			lab.sandbox.log.filter(
				(entry) => (entry.endpoint ?? (entry.kind === 'download' ? 'download' : '')) === endpoint,
			).length - items,
		),
		created,
		seconds,
	};
}

/** How many of the named files exist, and how many more than one each. */
function createdFiles(sandbox: SandboxServer, names: string[]): string {
	return counted(
		names.map(
			(name) =>
				sandbox.state.files.filter((file) => file.filename === name && file.status === 'active')
					.length,
		),
		'files',
	);
}

/** "n/total <what>, d duplicates, m missing" from how many of each expected thing exist. */
function counted(counts: number[], what: string): string {
	const duplicates = counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0);
	const missing = counts.filter((count) => count === 0).length;
	return `${counts.length - missing}/${counts.length} ${what}, ${duplicates} duplicates, ${missing} missing`;
}

async function folderCreates(lab: Lab, prefix: string) {
	const outputs = await lab.run(
		{
			resource: 'folder',
			operation: 'create',
			parentFolder: root,
			folderName: `={{ "${prefix}-" + $json.i }}`,
		},
		plain(10),
	);
	const made = Array.from(
		{ length: 10 },
		(_, i) =>
			lab.sandbox.state.folders.filter((folder) => folder.folderName === `${prefix}-${i}`).length,
	);
	return { items: 10, outputs, created: counted(made, 'folders') };
}

async function uploads(lab: Lab, count: number, prefix: string, credential?: IDataObject) {
	const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}.bin`);
	const items = await Promise.all(
		names.map(
			async (fileName) =>
				await lab.engine.binaryItem(randomBytes(64 * 1024), {
					fileName,
					mimeType: 'application/octet-stream',
				}),
		),
	);
	const outputs = await lab.run(
		{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
		items,
		credential,
	);
	return { items: count, outputs, created: createdFiles(lab.sandbox, names) };
}

/**
 * Two n8n processes at once on one credential, 200 file/info items each, the stored token
 * dropped once midway (as `npm run faults:n8n` does with real n8n), tried PROCESS_TRIES times:
 * sign-ins there depend on timing, so the row gives the worst try and lists them all. With
 * `lateSignInMs`, every second /authorize acts at once and is answered that much later, as a
 * loaded n8n gets and saves its token late: sign-ins that cross land in the store in either order.
 */
async function processesAtOnce(lab: Lab, lateSignInMs = 0, items = 200): Promise<Row> {
	const { sandbox, engine } = lab;
	const tries: Row[] = [];
	for (let attempt = 0; attempt < PROCESS_TRIES; attempt++) {
		sandbox.reset();
		// a few ms away, so that the calls of the two processes interleave
		sandbox.configure({ latencyMs: 2, latencyJitterMs: 3 });
		const credential = engine.credentials.add(
			'yetiShareApi',
			'processes',
			credentialData(sandbox, { timeout: 5 }),
		);
		// a token stored, signed in by an earlier run (of neither process), as after everyday use
		await execute(
			engine,
			NODE_TYPE,
			{ resource: 'account', operation: 'get' },
			plain(1),
			credential,
		);
		const before = { authorize: sandbox.count('authorize'), log: sandbox.log.length };
		sandbox.killTokensAfter(items);
		if (lateSignInMs)
			sandbox.fail(
				{ endpoint: 'authorize', times: 1000, every: 2 },
				{ slowMs: lateSignInMs, afterSite: true },
			);
		const started = Date.now();
		const outputs = await Promise.all(
			PROCESS_TYPES.map(async (type, p) => {
				const file = sandbox.addFile(sandbox.demoAccount.id, {
					name: `process-${p}.txt`,
					content: `${p}`,
				});
				return await execute(
					engine,
					type,
					{
						resource: 'file',
						operation: 'get',
						fileId: { __rl: true, mode: 'id', value: file.id },
					},
					plain(items),
					credential,
				);
			}),
		);
		const calls = sandbox.log
			.slice(before.log)
			.filter((entry) => entry.endpoint === 'file/info').length;
		tries.push({
			scenario: '',
			items: PROCESS_TYPES.length * items,
			failed: outputs.flat().filter((output) => output.error).length,
			authorize: sandbox.count('authorize') - before.authorize,
			drops: sandbox.tokenKills,
			processes: PROCESS_TYPES.length,
			repeated: calls - PROCESS_TYPES.length * items,
			seconds: (Date.now() - started) / 1000,
		});
	}
	const over = (row: Row) => row.authorize - row.drops - row.processes;
	const worst = tries.reduce((a, b) =>
		over(b) > over(a) || (over(b) === over(a) && b.failed > a.failed) ? b : a,
	);
	return {
		...worst,
		scenario:
			`${PROCESS_TYPES.length} processes (copies of the package, one credential store) ` +
			`× ${items} items at once, the stored token dropped once midway` +
			`${lateSignInMs ? `, every 2nd /authorize answered ${lateSignInMs} ms late` : ''}: ` +
			`the worst of ${PROCESS_TRIES} tries ` +
			`(/authorize per try: ${tries.map((row) => row.authorize).join(', ')})`,
		failed: Math.max(...tries.map((row) => row.failed)),
		seconds: tries.reduce((sum, row) => sum + row.seconds, 0) / tries.length,
	};
}

async function main() {
	const sandbox = new SandboxServer();
	await sandbox.start();
	const processes = Object.fromEntries(PROCESS_TYPES.map((type) => [type, processCopy()]));
	const engine = new Engine({
		nodeTypes: { [NODE_TYPE]: new YetiShare(), ...processes },
		credentialTypes: [new YetiShareApi()],
		binaryMode: 'filesystem',
	});
	await engine.init();
	const lab: Lab = {
		sandbox,
		engine,
		async run(parameters, items, data = {}) {
			return await execute(
				engine,
				NODE_TYPE,
				parameters,
				items,
				engine.credentials.add(
					'yetiShareApi',
					'faults',
					credentialData(sandbox, { timeout: 5, ...data }),
				),
			);
		},
	};
	const folderInfo = { resource: 'folder', operation: 'get', folderId: inFolder('123') };
	const rows: Row[] = [];
	try {
		rows.push(
			await scenario(lab, 'token killed after 40 calls', 'folder/info', async () => {
				sandbox.killTokensAfter(40);
				return { items: 100, outputs: await lab.run(folderInfo, plain(100)) };
			}),
		);
		rows.push(
			await scenario(
				lab,
				'two executions, one credential, in parallel',
				'folder/info',
				async () => {
					const credential = engine.credentials.add(
						'yetiShareApi',
						'shared',
						credentialData(sandbox, { timeout: 5 }),
					);
					const one = async () =>
						await execute(engine, NODE_TYPE, folderInfo, plain(100), credential);
					const [a, b] = await Promise.all([one(), one()]);
					return { items: 200, outputs: [...a, ...b] };
				},
			),
		);
		rows.push(await processesAtOnce(lab));
		rows.push(await processesAtOnce(lab, 300));
		rows.push(
			await scenario(lab, '429 with Retry-After: 1 on every 5th call', 'folder/info', async () => {
				sandbox.fail(
					{ endpoint: 'folder/info', times: 10, every: 5 },
					{ status: 429, retryAfter: '1' },
				);
				return { items: 50, outputs: await lab.run(folderInfo, plain(50)) };
			}),
		);
		rows.push(
			await scenario(
				lab,
				'429 without Retry-After, 3 in a row (backoff)',
				'folder/info',
				async () => {
					sandbox.fail({ endpoint: 'folder/info', times: 3 }, { status: 429 });
					return { items: 50, outputs: await lab.run(folderInfo, plain(50)) };
				},
			),
		);
		rows.push(
			await scenario(lab, '429 for good, Max Retry Wait 5 s', 'folder/info', async () => {
				sandbox.fail({ endpoint: 'folder/info', times: 1000 }, { status: 429, retryAfter: '2' });
				return { items: 3, outputs: await lab.run(folderInfo, plain(3), { maxRetryWait: 5 }) };
			}),
		);
		rows.push(
			await scenario(
				lab,
				'502 or a dropped connection on every 4th listing',
				'folder/listing',
				async () => {
					sandbox.fail({ endpoint: 'folder/listing', times: 6, every: 4 }, { status: 502 });
					sandbox.fail({ endpoint: 'folder/listing', times: 6, every: 4 }, { close: true });
					return {
						items: 50,
						outputs: await lab.run(
							{
								resource: 'folder',
								operation: 'getMany',
								parentFolder: inFolder('123'),
								returnAll: true,
							},
							plain(50),
						),
					};
				},
			),
		);
		rows.push(
			await scenario(
				lab,
				'hung site, timeout 1 s, Max Retry Wait 3 s',
				'account/info',
				async () => {
					sandbox.fail({ endpoint: 'account/info', times: 1000 }, { hang: true });
					return {
						items: 2,
						outputs: await lab.run({ resource: 'account', operation: 'get' }, plain(2), {
							timeout: 1,
							maxRetryWait: 3,
						}),
					};
				},
			),
		);
		// Every create, on a site that gives every field and on one that gives only what the
		// reference shows with no dates at all (the check must not lean on dates).
		for (const fields of ['full', 'undated'] as const) {
			const label = (text: string) => `${text} (sandbox fields: ${fields})`;
			const on = () => sandbox.configure({ fields });
			rows.push(
				await scenario(
					lab,
					label('uploads: every 2nd answer lost after the site stored the file (502, HTML page)'),
					'file/upload',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'file/upload', times: 10, every: 2 },
							{ status: 502, afterSite: true },
						);
						return await uploads(lab, 20, 'lost');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('uploads: every 2nd connection reset after the site stored the file'),
					'file/upload',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'file/upload', times: 10, every: 2 },
							{ close: true, afterSite: true },
						);
						return await uploads(lab, 20, 'reset');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('uploads: every 4th timed out while the site stored the file'),
					'file/upload',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'file/upload', times: 5, every: 4 },
							{ hang: true, afterSite: true },
						);
						return await uploads(lab, 20, 'slow', { timeout: 1 });
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('uploads: every 2nd cut before the site stored the file'),
					'file/upload',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'file/upload', times: 10, every: 2 },
							{ cutAfterBytes: 16 * 1024 },
						);
						return await uploads(lab, 20, 'cut');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('uploads: every 2nd answered 502 before the site acted'),
					'file/upload',
					async () => {
						on();
						sandbox.fail({ endpoint: 'file/upload', times: 10, every: 2 }, { status: 502 });
						return await uploads(lab, 20, 'refused');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('copies: every 2nd answer lost after the site copied'),
					'file/copy',
					async () => {
						on();
						const originals = Array.from({ length: 10 }, (_, i) =>
							sandbox.addFile(sandbox.demoAccount.id, {
								name: `c-${i}.txt`,
								folderId: '128',
								content: `copy ${i}`,
							}),
						);
						sandbox.fail(
							{ endpoint: 'file/copy', times: 5, every: 2 },
							{ status: 504, afterSite: true },
						);
						const outputs = await lab.run(
							{
								resource: 'file',
								operation: 'copy',
								fileId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
								destinationFolder: root,
							},
							originals.map((file) => ({ json: { id: file.id } })),
						);
						const copies = originals.map(
							(original) =>
								sandbox.state.files.filter(
									(file) =>
										file.filename === original.filename &&
										file.folderId === null &&
										file.status === 'active',
								).length,
						);
						return { items: 10, outputs, created: counted(copies, 'copies') };
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('folder creates: every 2nd answer lost after the site made the folder'),
					'folder/create',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'folder/create', times: 5, every: 2 },
							{ close: true, afterSite: true },
						);
						return await folderCreates(lab, 'made');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label('folder creates: every 2nd answered 502 before the site acted'),
					'folder/create',
					async () => {
						on();
						sandbox.fail({ endpoint: 'folder/create', times: 5, every: 2 }, { status: 502 });
						return await folderCreates(lab, 'second');
					},
				),
			);
			rows.push(
				await scenario(
					lab,
					label(
						'Create Missing Folders (2 per item): every 2nd answer lost after the site made the folder',
					),
					'file/upload',
					async () => {
						on();
						sandbox.fail(
							{ endpoint: 'folder/create', times: 10, every: 2 },
							{ status: 502, afterSite: true },
						);
						const items = await Promise.all(
							Array.from({ length: 10 }, async (_, i) => ({
								...(await lab.engine.binaryItem(randomBytes(1024), {
									fileName: `leaf-${i}.bin`,
									mimeType: 'application/octet-stream',
								})),
								json: { i },
							})),
						);
						const outputs = await lab.run(
							{
								resource: 'file',
								operation: 'upload',
								binaryPropertyName: 'data',
								parentFolder: {
									__rl: true,
									mode: 'path',
									value: '={{ "tree-" + $json.i + "/leaf" }}',
								},
								options: { createMissingFolders: true },
							},
							items,
						);
						const made = Array.from({ length: 10 }, (_, i) => {
							const trees = sandbox.state.folders.filter(
								(folder) => folder.folderName === `tree-${i}`,
							);
							const leaves = sandbox.state.folders.filter(
								(folder) =>
									folder.folderName === 'leaf' && trees.some((tree) => tree.id === folder.parentId),
							);
							return [trees.length, leaves.length];
						}).flat();
						return {
							items: 10,
							outputs,
							created: `${counted(made, 'folders')}; ${createdFiles(
								sandbox,
								Array.from({ length: 10 }, (_, i) => `leaf-${i}.bin`),
							)}`,
						};
					},
				),
			);
		}
		rows.push(
			await scenario(lab, 'downloads: every 2nd cut off midway', 'download', async () => {
				const files = Array.from({ length: 10 }, (_, i) =>
					sandbox.addFile(sandbox.demoAccount.id, {
						name: `d-${i}.bin`,
						content: randomBytes(256 * 1024),
					}),
				);
				sandbox.fail({ endpoint: 'download', times: 5, every: 2 }, { cutAfterBytes: 64 * 1024 });
				const outputs = await lab.run(
					{
						resource: 'file',
						operation: 'download',
						fileId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
						binaryPropertyName: 'data',
					},
					files.map((file) => ({ json: { id: file.id } })),
				);
				return { items: 10, outputs };
			}),
		);
	} finally {
		await engine.close();
		await sandbox.stop();
	}

	const table = [
		'| scenario | items | failed items | /authorize | drops + processes | calls repeated | created | seconds |',
		'| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
		...rows.map(
			(row) =>
				`| ${row.scenario} | ${row.items} | ${row.failed} | ${row.authorize} ` +
				`| ${row.drops} + ${row.processes} = ${row.drops + row.processes} ` +
				`| ${row.repeated} | ${row.created ?? ''} | ${row.seconds.toFixed(1)} |`,
		),
	].join('\n');
	const over = rows.filter((row) => row.authorize > row.drops + row.processes);
	process.stdout.write(
		`${table}\n/authorize over drops + processes: ${over.length ? over.map((row) => row.scenario).join('; ') : 'none'}\n`,
	);
	const stamp =
		`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run faults\` ` +
		`(n8n-core's engine, sandbox on loopback). "drops + processes" bounds /authorize: ` +
		`a drop is each time the site ended the session (a token kill, or no token at the start), ` +
		`and each costs one sign-in; each process may sign in once more, ` +
		`when its sign-in and another's cross.`;
	keepInReliabilityReport('faults', stamp, table);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
