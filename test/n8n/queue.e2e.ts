/**
 * The package in n8n's queue mode, end to end: a main process and two workers (concurrency 10),
 * Redis and PostgreSQL started here, binary data in the database, the package installed as users
 * do: the packed tarball from a registry on loopback (registry.ts) through the main process's
 * Community Nodes installer, and reinstalled by each worker at its start
 * (N8N_REINSTALL_MISSING_PACKAGES). Executions reach the workers as they do for users: through production webhooks and
 * the trigger, both on the main process, which put them on the queue. What is checked is what
 * a user sees: the executions list (status, data), the files on the site.
 *
 * Set for this suite, and why:
 * - N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=101 (MiB; default 512): just above the 100 MiB round
 *   trip, so a file over the limit is 102 MiB rather than 513 MiB.
 * - QUEUE_WORKER_LOCK_DURATION=30000 (default 60000): a killed worker's job is released after
 *   30 s rather than 60 s; n8n handles it the same way.
 */
import { randomBytes } from 'crypto';
import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from '@jest/globals';

import { fileInfoWorkflow, uploadWorkflow, downloadWorkflow } from '../bench/n8n-workflows';
import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, outputOf, testWorkflow, type Workflow } from './cli';
import { expectEveryOperation } from './expectations';
import {
	loadOnOneCredential,
	QueueCluster,
	startedByWebhook,
	STARTUP_MS,
	type QueuedExecution,
} from './queue';
import { PACKAGE_NAME, packPackage } from './packed';
import { LocalRegistry, REGISTRY_HOST } from './registry';
import { ensureN8n } from './runtime';

const MiB = 1024 * 1024;
const LIMIT_MIB = 101;
const TRIGGER = 'ys-new-files';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / MiB).toFixed(0);

describe('the package in n8n 2.40.7 queue mode: a main process, two workers, Redis, PostgreSQL', () => {
	const sandbox = new SandboxServer();
	let registry: LocalRegistry;
	let releases = '';
	let cluster: QueueCluster;
	/** A file on the site larger than the database mode's limit. */
	let overLimit: { id: string; name: string };
	/** Files of the site, 50 lookups per execution under load. */
	let lookups: string[];

	async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 180_000) {
		for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(250))
			if (await condition()) return;
		const calls = sandbox.log
			.slice(-60)
			.map(
				(entry) =>
					`${new Date(entry.at).toISOString().slice(11, 19)} ${entry.endpoint ?? entry.path} ${entry.outcome}`,
			);
		throw new Error(
			`timed out waiting for ${what}; the site saw last:\n${calls.join('\n')}\nmain printed:\n${cluster.main.output.slice(-3000)}`,
		);
	}
	/** Calls the workflow's webhook and waits for the execution to finish. */
	async function run(path: string): Promise<QueuedExecution> {
		return await cluster.finished(await cluster.trigger(path));
	}
	const webhookWorkflow = (workflow: Workflow, id: string) => ({
		...startedByWebhook(workflow, id),
		id,
	});

	beforeAll(async () => {
		const setupStarted = Date.now();
		const runtime = await ensureN8n('2.40.7');
		await sandbox.start();
		registry = new LocalRegistry(runtime.node);
		await registry.start();
		releases = mkdtempSync(join(tmpdir(), 'yetishare-queue-release-'));
		registry.publish(packPackage(releases));
		cluster = new QueueCluster(runtime, {
			workers: 2,
			concurrency: 10,
			registry,
			env: {
				N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(LIMIT_MIB),
				QUEUE_WORKER_LOCK_DURATION: '30000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
				QUEUE_WORKER_STALLED_INTERVAL: '5000',
			},
		});
		await cluster.prepare();
		await cluster.installPackage();
		const site = { apiUrl: sandbox.apiUrl, key1: '', key2: '' };
		const big = sandbox.addFile(sandbox.demoAccount.id, {
			name: 'over-the-limit.bin',
			content: randomBytes(LIMIT_MIB * MiB + MiB),
		});
		overLimit = { id: big.id, name: big.filename };
		lookups = sandbox.state.files
			.filter(
				(file) =>
					file.accountId === sandbox.demoAccount.id &&
					file.status === 'active' &&
					file.id !== big.id,
			)
			.map((file) => file.id);
		const items = Array.from({ length: 50 }, (_, i) => lookups[i % lookups.length]);
		const webhooks = [
			webhookWorkflow(testWorkflow('all-operations.json'), 'q-all-ops'),
			webhookWorkflow(testWorkflow('round-trip.json', cluster.files), 'q-round-trip'),
			webhookWorkflow(downloadWorkflow('yetishare', site, overLimit.id), 'q-over-limit'),
			webhookWorkflow(fileInfoWorkflow('yetishare', site, 'q-load', items), 'q-load'),
			webhookWorkflow(
				uploadWorkflow('yetishare', site, join(cluster.files, 'killed.bin')),
				'q-killed',
			),
		];
		await cluster.cli.importSandboxCredential(sandbox);
		await cluster.cli.importWorkflows([
			...webhooks,
			...exampleWorkflows().filter((workflow) => workflow.id === TRIGGER),
		]);
		// published (active) workflows: their webhooks and the trigger run in production
		await Promise.all(
			[...webhooks.map((workflow) => workflow.id), TRIGGER].map((id) => cluster.cli.activate(id)),
		);
		await cluster.start();
		process.stdout.write(
			`queue mode: Redis, PostgreSQL, imports, a main process and two workers ready in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s\n`,
		);
	}, 2 * STARTUP_MS);
	afterAll(async () => {
		await cluster?.stop();
		await registry?.stop();
		await sandbox.stop();
		if (releases) rmSync(releases, { recursive: true, force: true });
	});

	/** Every trigger poll lists March (Invoices/2026/March); nothing else does. */
	const polls = () =>
		sandbox.log.filter(
			(entry) => entry.endpoint === 'folder/listing' && entry.params.parent_folder_id === '125',
		).length;
	/** The files the trigger's workflow looked up (its second node calls file/info once per emitted file). */
	const lookedUpByTrigger = async () => {
		const ids = await cluster.executionIds(TRIGGER);
		const runs = await Promise.all(ids.map((id) => cluster.execution(id)));
		return {
			runs,
			files: runs.flatMap((execution) =>
				outputOf(execution, 'New file in Invoices').map((item) => String(item.json.id)),
			),
		};
	};
	const march = () => sandbox.state.folders.find((folder) => folder.folderName === 'March')!;
	const invoices = () => sandbox.state.folders.find((folder) => folder.folderName === 'Invoices')!;
	let firstBatch: string[] = [];

	it('each worker installed the package from the registry at its start, as the main process had', async () => {
		for (const process of [cluster.main, ...cluster.workers]) {
			const installed = join(
				process.cli.userFolder,
				'.n8n/nodes/node_modules',
				PACKAGE_NAME,
				'package.json',
			);
			expect(JSON.parse(readFileSync(installed, 'utf8'))).toEqual(
				expect.objectContaining({ name: PACKAGE_NAME, version: '0.1.0' }),
			);
		}
		for (const worker of cluster.workers)
			expect(worker.output).toMatch(/Packages reinstalled successfully/);
		expect(registry.hosts(true)).toEqual([`${REGISTRY_HOST}:443`]);
	});

	it('the trigger polls on the main process and starts nothing at activation', async () => {
		await waitFor(() => polls() >= 1, 'the activation poll');
		expect(cluster.main.output).toMatch(
			/Poll trigger initiated for workflow "YetiShare: when a file is added to Invoices"/,
		);
		for (const worker of cluster.workers)
			expect(worker.output).not.toMatch(/Poll trigger initiated/);
		expect(await cluster.executionIds(TRIGGER)).toEqual([]);
		// the next poll (at most a minute away) runs while the scenarios below do
		firstBatch = [
			sandbox.addFile(sandbox.demoAccount.id, {
				name: 'q-inv-1.pdf',
				folderId: march().id,
				content: '1',
			}).id,
			sandbox.addFile(sandbox.demoAccount.id, {
				name: 'q-inv-2.pdf',
				folderId: march().id,
				content: '2',
			}).id,
			sandbox.addFile(sandbox.demoAccount.id, {
				name: 'q-top.pdf',
				folderId: invoices().id,
				content: '3',
			}).id,
		];
		sandbox.addFile(sandbox.demoAccount.id, { name: 'q-elsewhere.pdf', content: 'not watched' });
	});

	let killed = '';
	it('a worker killed with kill -9 mid-upload: the execution stays "running" while the queue holds its job', async () => {
		writeFileSync(join(cluster.files, 'killed.bin'), randomBytes(8 * MiB));
		// the site takes the upload and never answers: the worker is killed while the call is in flight
		sandbox.fail({ endpoint: 'file/upload' }, { hang: true });
		killed = await cluster.trigger('q-killed');
		await waitFor(
			() =>
				sandbox.log.some((entry) => entry.endpoint === 'file/upload' && entry.outcome === 'hung'),
			'the upload to reach the site',
		);
		const index = cluster.workerOf(killed);
		expect(index).toBeGreaterThanOrEqual(0);
		await cluster.workers[index].stop('SIGKILL');
		expect(sandbox.state.files.filter((file) => file.filename === 'killed.bin')).toHaveLength(0);
		expect((await cluster.execution(killed)).status).toBe('running');
		// back to two workers for what follows; the outcome is checked once the job's lock has expired
		await cluster.workers[index].start(STARTUP_MS);
	});

	it('runs every operation of the node once, on a worker', async () => {
		const execution = await run('q-all-ops');
		expect(execution.mode).toBe('webhook');
		expect(cluster.workerOf(execution.id)).toBeGreaterThanOrEqual(0);
		expectEveryOperation(execution, sandbox);
	});

	it('uploads 100 MiB and downloads it back byte for byte on a worker, binary data in the database', async () => {
		const original = randomBytes(100 * MiB);
		writeFileSync(join(cluster.files, 'original.bin'), original);
		const before = cluster.workers.map((worker) => QueueCluster.memory(worker.pid!));
		const execution = await run('q-round-trip');
		expect(execution.data.resultData.error).toBeUndefined();
		expect(execution.status).toBe('success');
		const index = cluster.workerOf(execution.id);
		expect(index).toBeGreaterThanOrEqual(0);
		const after = QueueCluster.memory(cluster.workers[index].pid!);

		const [uploaded] = outputOf(execution, 'Upload');
		const stored = sandbox.state.files.find((entry) => entry.id === String(uploaded.json.file_id))!;
		expect(stored.filename).toBe('original.bin');
		expect(sha256(readFileSync(stored.storagePath))).toBe(sha256(original));
		const downloaded = readFileSync(join(cluster.files, 'downloaded.bin'));
		expect(downloaded.length).toBe(original.length);
		expect(sha256(downloaded)).toBe(sha256(original));
		// the binary data lived in PostgreSQL, not on disk
		expect(outputOf(execution, 'Download')[0].binary?.data?.id).toMatch(/^database:/);

		process.stdout.write(
			`queue mode, 100 MiB up and back on worker ${index + 1}: peak RSS ${mib(after.peak)} MiB ` +
				`(before the run: RSS ${mib(before[index].now)} MiB, peak so far ${mib(before[index].peak)} MiB); ` +
				`execution ${((Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt)) / 1000).toFixed(1)} s\n`,
		);
	});

	it(`says what is wrong when a download is over the database mode's size limit (${LIMIT_MIB} MiB here)`, async () => {
		const downloads = sandbox.count('download');
		const execution = await run('q-over-limit');
		expect(cluster.workerOf(execution.id)).toBeGreaterThanOrEqual(0);
		expect(execution.status).toBe('error');
		const error = execution.data.resultData.error;
		expect(error.message).toContain(`"${overLimit.name}"`);
		expect(error.message).toContain(
			`exceeds the max size limit of ${LIMIT_MIB} MB set for \`database\` mode`,
		);
		expect(error.message).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
		// fetched once: a file that cannot be stored is not downloaded again
		expect(sandbox.count('download')).toBe(downloads + 1);
		process.stdout.write(
			`queue mode, a ${mib(LIMIT_MIB * MiB + MiB)} MiB download over the ${LIMIT_MIB} MiB limit: "${error.message}"\n`,
		);
	});

	it('20 executions of 50 items at once on one credential, every token dropped twice: no item fails', async () => {
		const load = await loadOnOneCredential(cluster, sandbox, {
			path: 'q-load',
			executions: 20,
			items: 50,
			node: 'File info',
			dropAfter: 300,
		});
		process.stdout.write(
			`queue mode, 20 executions × 50 items on 2 workers, every token dropped twice: ${load.failedItems} of ${load.items} items failed ` +
				`(${load.errors.length} executions: ${load.errors.join(' | ')}), /authorize ${load.authorize}, ` +
				`executions per worker ${load.perWorker.join('/')}, ${load.seconds.toFixed(1)} s\n`,
		);
		expect(load.droppedTwice).toBe(true);
		expect(load.perWorker.every((count) => count > 0)).toBe(true);
		expect(load.errors).toEqual([]);
		expect(load.failedItems).toBe(0);
		expect(load.answered).toEqual(
			Array.from({ length: 20 * 50 }, (_, i) => lookups[(i % 50) % lookups.length]),
		);
		// fewer sign-ins than executions: renewals do not grow with the work
		expect(load.authorize).toBeLessThan(20);
	});

	it('the killed execution ends failed, not running, and running it again makes one file', async () => {
		// n8n ends it one of two ways, whichever comes first: the main process, waiting on the job,
		// learns from the queue that it stalled (its lock expired); or the restarted worker's crash
		// recovery finds the execution unfinished in its event log (when that had reached the disk
		// before the kill) and marks it crashed
		const endings: Record<string, RegExp> = {
			error: /failed to be processed too many times and will no longer retry/,
			crashed: /Workflow did not finish, possible out-of-memory issue/,
		};
		const execution = await cluster.finished(killed, 120_000);
		const message = execution.data.resultData.error?.message;
		process.stdout.write(
			`queue mode, worker killed mid-upload: the execution ended "${execution.status}": ${message}\n`,
		);
		expect(Object.keys(endings)).toContain(execution.status);
		expect(message).toMatch(endings[execution.status]);
		// the queue lets the job go once its lock expires (30 s here, checked every 5 s); a crash recovery can come before that
		await waitFor(
			async () => (await cluster.redis.activeJobs()) === 0,
			"the queue to release the killed worker's job",
			90_000,
		);

		const again = await run('q-killed');
		expect(again.status).toBe('success');
		expect(
			sandbox.state.files.filter(
				(file) => file.filename === 'killed.bin' && file.status === 'active',
			),
		).toHaveLength(1);
		const uploads = sandbox.log.filter(
			(entry) =>
				entry.endpoint === 'file/upload' &&
				entry.outcome !== 'hung' &&
				entry.upload?.filename === 'killed.bin',
		);
		expect(uploads.map((entry) => entry.outcome)).toEqual(['success']);
	});

	it('the trigger starts one execution per new file on a worker, and loses none across a restart of the main process', async () => {
		await waitFor(
			async () => (await lookedUpByTrigger()).files.length >= firstBatch.length,
			'the poll after the first files were added',
		);
		const first = await lookedUpByTrigger();
		expect(first.files.sort()).toEqual([...firstBatch].sort());
		await Promise.all(first.runs.map((execution) => cluster.finished(execution.id)));
		for (const execution of first.runs) {
			expect(execution.mode).toBe('trigger');
			expect(cluster.workerOf(execution.id)).toBeGreaterThanOrEqual(0);
		}

		await cluster.main.stop();
		const whileStopped = [
			sandbox.addFile(sandbox.demoAccount.id, {
				name: 'q-late-1.pdf',
				folderId: march().id,
				content: '4',
			}).id,
			sandbox.addFile(sandbox.demoAccount.id, {
				name: 'q-late-2.pdf',
				folderId: invoices().id,
				content: '5',
			}).id,
		];
		await cluster.main.start(STARTUP_MS);
		await waitFor(
			async () =>
				(await lookedUpByTrigger()).files.length >= firstBatch.length + whileStopped.length,
			'the files added while the main process was stopped',
		);
		const second = await lookedUpByTrigger();
		expect(second.files.sort()).toEqual([...firstBatch, ...whileStopped].sort());
		const finished = await Promise.all(
			second.runs.map((execution) => cluster.finished(execution.id)),
		);
		for (const execution of finished) {
			expect(execution.status).toBe('success');
			expect(cluster.workerOf(execution.id)).toBeGreaterThanOrEqual(0);
		}
		// the workflow's own lookups: each file answered once. A worker may still hold a token that the
		// load test above had the site end; that call is refused, renewed and made again, never answered twice.
		const lookedUp = sandbox.log.filter(
			(entry) =>
				entry.endpoint === 'file/info' &&
				[...firstBatch, ...whileStopped].includes(entry.params.file_id),
		);
		const answered = lookedUp
			.filter((entry) => entry.outcome === 'success')
			.map((entry) => entry.params.file_id);
		expect(answered.sort()).toEqual([...firstBatch, ...whileStopped].sort());
		for (const refused of lookedUp.filter((entry) => entry.outcome !== 'success')) {
			expect(refused.message).toMatch(/Could not validate access_token/);
		}

		// one more poll after that: nothing new
		const pollsNow = polls();
		await waitFor(() => polls() > pollsNow, 'one more poll');
		await sleep(2000);
		expect((await cluster.executionIds(TRIGGER)).length).toBe(second.runs.length);
	});
});
