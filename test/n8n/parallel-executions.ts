/**
 * Two `n8n execute` processes at once on one credential, as two overlapping workflows of one
 * n8n, or two n8n instances on one database: each lists a folder of its own and reads every
 * file in it (one file/info call per item). The sandbox holds both listings until both have
 * arrived, so the two processes really meet the site together, whatever their start-up times
 * (on a loaded machine, tens of seconds apart).
 * Used by the end-to-end suite (one try) and by `npm run faults` (ten).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { SandboxServer } from '../sandbox/server';
import { N8nCli, type N8nRun, type Workflow } from './cli';
import { installPacked } from './packed';
import { INSTALLED_PACKAGES_ONLY, type N8nRuntime } from './runtime';

export type SessionScenario = 'dead at the start' | 'dropped midway';

export interface ParallelRow {
	version: string;
	scenario: SessionScenario;
	/** Items over both executions. */
	items: number;
	failed: number;
	authorize: number;
	/** How often the sandbox killed every token during the run. */
	drops: number;
	/** Whether the two executions' calls interleaved (the run proves nothing otherwise). */
	overlapped: boolean;
	seconds: number;
	/** What n8n recorded as the error of each failed execution. */
	errors: string[];
}

const READER = 'Get each file';

function workflow(id: string, folderId: string): Workflow {
	const credentials = { yetiShareApi: { id: 'yetishare-sandbox', name: 'YetiShare sandbox' } };
	return {
		id,
		name: `Parallel reader ${id}`,
		nodes: [
			{
				id: `${id}-1`,
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: `${id}-2`,
				name: 'List the folder',
				type: 'n8n-nodes-yetishare.yetiShare',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'folder',
					operation: 'getMany',
					parentFolder: { __rl: true, mode: 'id', value: folderId },
					include: 'files',
					returnAll: true,
				},
				credentials,
			},
			{
				id: `${id}-3`,
				name: READER,
				type: 'n8n-nodes-yetishare.yetiShare',
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					resource: 'file',
					operation: 'get',
					fileId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				},
				credentials,
			},
		],
		connections: {
			Start: { main: [[{ node: 'List the folder', type: 'main', index: 0 }]] },
			'List the folder': { main: [[{ node: READER, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

export class ParallelExecutions {
	private readonly cli: N8nCli;
	private readonly home: string;
	private readonly readers: Array<{ workflowId: string; fileIds: Set<string> }> = [];

	/** `port`: the first of four ports the two processes may open (2.x opens a task broker). */
	constructor(
		readonly runtime: N8nRuntime,
		private readonly sandbox: SandboxServer,
		private readonly port: number,
		readonly itemsPerExecution = 200,
		/** Where the credential points: the sandbox itself, or a web stack in front of it. */
		private readonly baseUrl = sandbox.baseUrl,
	) {
		this.home = mkdtempSync(join(tmpdir(), 'n8n-parallel-'));
		this.cli = new N8nCli(runtime, this.home, INSTALLED_PACKAGES_ONLY);
	}

	/** Installs the packed package, imports the credential and the two workflows, and gives each its folder of files. */
	async setUp() {
		await installPacked(this.home);
		// a long timeout: a listing may wait at the sandbox's gate while the other n8n starts up
		await this.cli.importSandboxCredential(this.sandbox, { timeout: 300, baseUrl: this.baseUrl });
		const account = this.sandbox.demoAccount.id;
		const workflows: Workflow[] = [];
		for (const name of ['a', 'b']) {
			const folder = this.sandbox.addFolder(account, { name: `Parallel ${name}` });
			const fileIds = new Set<string>();
			for (let i = 0; i < this.itemsPerExecution; i++) {
				fileIds.add(
					this.sandbox.addFile(account, {
						name: `${name}-${i}.txt`,
						folderId: folder.id,
						content: `${name}${i}`,
					}).id,
				);
			}
			const workflowId = `ys-parallel-${name}`;
			this.readers.push({ workflowId, fileIds });
			workflows.push(workflow(workflowId, folder.id));
		}
		await this.cli.importWorkflows(workflows);
		// one run so that n8n holds a token with the credential, as after everyday use
		const warmUp = await this.execute(0, this.readers[0].workflowId);
		if (warmUp.status !== 'success')
			throw new Error(`The warm-up run failed: ${JSON.stringify(warmUp.data.resultData.error)}`);
	}

	private async execute(index: number, workflowId: string): Promise<N8nRun> {
		// each process its own ports: 2.x's `n8n execute` opens a task broker
		const port = this.port + 2 * index;
		const cli = new N8nCli(this.runtime, this.home, {
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(port + 1),
			...INSTALLED_PACKAGES_ONLY,
		});
		try {
			return await cli.execute(workflowId);
		} finally {
			this.cli.transcript += cli.transcript;
		}
	}

	/** One try: both workflows at once, with the token dead at the start or dropped midway. */
	async run(scenario: SessionScenario): Promise<ParallelRow> {
		const { sandbox } = this;
		if (scenario === 'dead at the start') sandbox.killTokens();
		// about two drops while both run (each run makes one call per item, plus its listing)
		if (scenario === 'dropped midway')
			sandbox.killTokensEvery(Math.round((2 * this.itemsPerExecution) / 3));
		const killsBefore = sandbox.tokenKills;
		const authorizeBefore = sandbox.count('authorize');
		const logStart = sandbox.log.length;
		sandbox.gate('folder/listing', 2, 'parent_folder_id');
		const started = Date.now();
		const runs = await Promise.all(
			this.readers.map((reader, index) => this.execute(index, reader.workflowId)),
		);
		const seconds = (Date.now() - started) / 1000;
		sandbox.keepTokens();

		let failed = 0;
		const errors: string[] = [];
		for (const run of runs) {
			const done = (run.data.resultData.runData[READER]?.[0]?.data?.main?.[0] ?? []).filter(
				(item) => !item.json.error,
			).length;
			failed += this.itemsPerExecution - done;
			if (run.data.resultData.error) errors.push(String(run.data.resultData.error.message));
		}
		// the log index of each reader's file/info calls
		const calls = this.readers.map((reader) =>
			sandbox.log
				.map((entry, index) => ({ entry, index }))
				.filter(
					({ entry, index }) =>
						index >= logStart &&
						entry.endpoint === 'file/info' &&
						reader.fileIds.has(String(entry.params.file_id)),
				)
				.map(({ index }) => index),
		);
		const [a, b] = calls;
		const overlapped =
			a.length > 0 && b.length > 0 && a[0] < b[b.length - 1] && b[0] < a[a.length - 1];
		return {
			version: this.runtime.version,
			scenario,
			items: 2 * this.itemsPerExecution,
			failed,
			authorize: sandbox.count('authorize') - authorizeBefore,
			drops: sandbox.tokenKills - killsBefore,
			overlapped,
			seconds,
			errors,
		};
	}

	/** Everything the n8n processes printed. */
	get transcript() {
		return this.cli.transcript;
	}

	tearDown() {
		rmSync(this.home, { recursive: true, force: true });
	}
}
