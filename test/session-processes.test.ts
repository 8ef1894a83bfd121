import { describe, expect, it, jest } from '@jest/globals';
import type { IDataObject, INodeType } from 'n8n-workflow';

import { YetiShareApi } from '../credentials/YetiShareApi.credentials';
import { Engine } from './harness';
import { SandboxServer } from './sandbox/server';
import { credentialData, items } from './setup';

/**
 * Several n8n processes on one credential: each process is its own copy of the package (its own
 * in-process session state, loaded apart with jest.isolateModules), and all share n8n's credential
 * store, as processes share n8n's database. The site is a few milliseconds away, so the
 * executions really overlap.
 */
describe('the session token across processes', () => {
	const sandbox = new SandboxServer({ latencyMs: 3, latencyJitterMs: 4 });
	const PROCESSES = 4;
	const EXECUTIONS_PER_PROCESS = 2;
	const ITEMS = 100;
	let engine: Engine;

	beforeAll(async () => {
		const nodeTypes: Record<string, INodeType> = {};
		for (let p = 0; p < PROCESSES; p++) {
			jest.isolateModules(() => {
				const { YetiShare } =
					require('../nodes/YetiShare/YetiShare.node') as typeof import('../nodes/YetiShare/YetiShare.node');
				nodeTypes[`CUSTOM.yetiShare${p}`] = new YetiShare();
			});
		}
		await sandbox.start();
		engine = new Engine({ nodeTypes, credentialTypes: [new YetiShareApi()] });
		await engine.init();
	});
	afterAll(async () => {
		await engine?.close();
		await sandbox.stop();
	});
	beforeEach(() => sandbox.reset());
	const addCredential = () =>
		engine.credentials.add('yetiShareApi', 'YetiShare sandbox', credentialData(sandbox));

	/**
	 * Every execution of every process at once, each reading the files of its own folder, with
	 * `inFlight` items in flight in each execution (the node's default unless given).
	 */
	async function runEverywhere(credential: { id: string; name: string }, inFlight?: number) {
		const runs: Array<Promise<IDataObject[]>> = [];
		for (let p = 0; p < PROCESSES; p++) {
			for (let e = 0; e < EXECUTIONS_PER_PROCESS; e++) {
				const folder = sandbox.addFolder(sandbox.demoAccount.id, { name: `p${p}e${e}` });
				const file = sandbox.addFile(sandbox.demoAccount.id, {
					name: `p${p}e${e}.txt`,
					folderId: folder.id,
					content: 'x',
				});
				runs.push(
					engine
						.run({
							node: {
								type: `CUSTOM.yetiShare${p}`,
								typeVersion: 1,
								parameters: {
									resource: 'file',
									operation: 'get',
									fileId: { __rl: true, mode: 'id', value: '={{ $json.file }}' },
									...(inFlight ? { requestsInParallel: inFlight } : {}),
								},
								credentials: { yetiShareApi: credential },
							},
							items: items(ITEMS, () => ({ file: file.id })),
							onError: 'continueRegularOutput',
						})
						.then((result) => result.items.map((item) => item.json)),
				);
			}
		}
		return await Promise.all(runs);
	}

	function expectEveryItemDone(outputs: IDataObject[][]) {
		for (const output of outputs) {
			expect(output).toHaveLength(ITEMS);
			expect(output.filter((entry) => entry.error)).toEqual([]);
		}
	}

	it('a stored token that died while idle is renewed at most once per process, and no item fails', async () => {
		const credential = addCredential();
		await runEverywhere(credential);
		sandbox.killTokens();
		const before = sandbox.count('authorize');
		expectEveryItemDone(await runEverywhere(credential));
		const renewals = sandbox.count('authorize') - before;
		process.stdout.write(
			`dead at the start: ${PROCESSES} processes × ${EXECUTIONS_PER_PROCESS} executions × ${ITEMS} items, ${renewals} /authorize\n`,
		);
		expect(renewals).toBeGreaterThanOrEqual(1);
		expect(renewals).toBeLessThanOrEqual(PROCESSES);
	});

	it(
		'two processes sign in at the same moment and the later sign-in lands late: ' +
			'the one it overtook waits for its token, two sign-ins in all',
		async () => {
			// A token stored dead, a credential new to both processes (so both wait alike), each process
			// reading its own file: the gate makes both meet the dead token at the same moment.
			const credential = engine.credentials.add(
				'yetiShareApi',
				'Overtaken',
				credentialData(sandbox, {
					accessToken: 'D'.repeat(128),
					accountId: sandbox.demoAccount.id,
				}),
			);
			const files = [0, 1].map(
				(p) =>
					sandbox.addFile(sandbox.demoAccount.id, { name: `overtaken-${p}.txt`, content: 'x' }).id,
			);
			sandbox.gate('file/info', 2, 'file_id');
			// Each /authorize acts at once and is answered late, as under load: the first 100 ms later,
			// so the other process signs in too (without jitter both wait the same moment, and even
			// 100 ms apart they would); the second, which ends the first's session at once, 600 ms
			// later, well after the first process met its own token dead.
			sandbox.fail({ endpoint: 'authorize' }, { slowMs: 100, afterSite: true });
			sandbox.fail({ endpoint: 'authorize' }, { slowMs: 600, afterSite: true });
			const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
			try {
				const outputs = await Promise.all(
					files.map(async (file, p) => {
						const result = await engine.run({
							node: {
								type: `CUSTOM.yetiShare${p}`,
								typeVersion: 1,
								parameters: {
									resource: 'file',
									operation: 'get',
									fileId: { __rl: true, mode: 'id', value: file },
								},
								credentials: { yetiShareApi: credential },
							},
							items: items(ITEMS),
							onError: 'continueRegularOutput',
						});
						return result.items.map((item) => item.json);
					}),
				);
				expectEveryItemDone(outputs);
			} finally {
				random.mockRestore();
			}
			expect(sandbox.count('authorize')).toBe(2);
		},
	);

	it(
		'tokens dropped again and again mid-run: no item fails, ' +
			'and /authorize grows with the drops, not with items or executions',
		async () => {
			const credential = addCredential();
			await runEverywhere(credential);
			const before = sandbox.count('authorize');
			// A drop every 150 calls, with 4 × 2 executions of 5 items in flight: the site ends the session
			// about every fourth round trip of everyone. (With 50 in flight each, 400 calls at once, it
			// would end it before a round trip is over, and no renewal could keep up: a site that bad is
			// told apart by the error "ended the session again after 5 renewals".)
			sandbox.killTokensEvery(150);
			expectEveryItemDone(await runEverywhere(credential, 5));
			const drops = sandbox.tokenKills;
			const renewals = sandbox.count('authorize') - before;
			process.stdout.write(`dropped ${drops} times: ${renewals} /authorize\n`);
			expect(drops).toBeGreaterThanOrEqual(4);
			expect(renewals).toBeLessThanOrEqual(drops * PROCESSES);
		},
	);
});
