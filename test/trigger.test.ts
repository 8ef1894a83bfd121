import { createHash } from 'crypto';
import { createServer, type ServerResponse, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { describe, expect, it } from '@jest/globals';

import { YetiShareApi } from '../credentials/YetiShareApi.credentials';
import { YetiShareTrigger } from '../nodes/YetiShareTrigger/YetiShareTrigger.node';
import { YetiShare } from '../nodes/YetiShare/YetiShare.node';
import { Engine } from './harness';
import { credentialData, folderById, NODE_TYPE } from './setup';
import { SandboxServer } from './sandbox/server';

const TRIGGER = 'CUSTOM.yetiShareTrigger';

describe('YetiShare Trigger', () => {
	const sandbox = new SandboxServer();
	let engine: Engine;
	let credential: { id: string; name: string };
	const demo = () => sandbox.demoAccount.id;

	beforeAll(async () => {
		await sandbox.start();
		engine = new Engine({
			nodeTypes: { [TRIGGER]: new YetiShareTrigger(), [NODE_TYPE]: new YetiShare() },
			credentialTypes: [new YetiShareApi()],
		});
		await engine.init();
	});
	beforeEach(() => {
		sandbox.reset();
		credential = engine.credentials.add('yetiShareApi', 'sandbox', credentialData(sandbox));
	});
	afterAll(async () => {
		await engine.close();
		await sandbox.stop();
	});

	const trigger = (parameters: IDataObject) => ({
		type: TRIGGER,
		parameters: parameters as any,
		credentials: { yetiShareApi: credential },
	});
	const ids = (items: INodeExecutionData[][] | null) =>
		(items?.[0] ?? []).map((item) => String(item.json.id));

	it('500 files arriving over 5 polls, in subfolders and with equal timestamps, are each emitted once; none at activation', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Inbox' });
		const subfolders = [
			sandbox.addFolder(demo(), { name: 'A', parentId: watched.id }),
			sandbox.addFolder(demo(), { name: 'B', parentId: watched.id }),
		];
		const elsewhere = sandbox.addFolder(demo(), { name: 'Elsewhere' });
		sandbox.addFile(demo(), { name: 'already-there.txt', folderId: watched.id, content: 'old' });
		const node = trigger({
			event: 'fileAdded',
			folder: folderById(watched.id),
			options: { includeSubfolders: true },
		});

		const activation = await engine.poll({ node });
		expect(activation.error).toBeUndefined();
		expect(activation.items).toBeNull();
		let staticData = activation.staticData;

		const expected: string[] = [];
		const emitted: string[] = [];
		for (let round = 0; round < 5; round++) {
			for (let n = 0; n < 100; n++) {
				const where = [watched.id, subfolders[0].id, subfolders[1].id][n % 3];
				// the fixture gives added files one timestamp per second at most: many share one
				expected.push(
					sandbox.addFile(demo(), {
						name: `r${round}-${n}.txt`,
						folderId: where,
						content: `${round}/${n}`,
					}).id,
				);
			}
			sandbox.addFile(demo(), {
				name: `outside-${round}.txt`,
				folderId: elsewhere.id,
				content: 'no',
			});
			sandbox.addFile(demo(), {
				name: `trashed-${round}.txt`,
				folderId: watched.id,
				content: 'no',
				status: 'trash',
			});
			const listingsBefore = sandbox.count('folder/listing');
			const poll = await engine.poll({ node, staticData });
			expect(poll.error).toBeUndefined();
			// one listing per watched folder, nothing else
			expect(sandbox.count('folder/listing') - listingsBefore).toBe(3);
			emitted.push(...ids(poll.items));
			staticData = poll.staticData;
		}
		expect(emitted.sort()).toEqual(expected.sort());
		expect(new Set(emitted).size).toBe(500);

		const quiet = await engine.poll({ node, staticData });
		expect(quiet.items).toBeNull();
	});

	it('after a restart, files that arrived while n8n was stopped are emitted once, nothing repeated', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Drop' });
		const node = trigger({ event: 'fileAdded', folder: folderById(watched.id) });
		let staticData = (await engine.poll({ node })).staticData;
		const first = sandbox.addFile(demo(), { name: 'one.txt', folderId: watched.id, content: '1' });
		const beforeStop = await engine.poll({ node, staticData });
		expect(ids(beforeStop.items)).toEqual([first.id]);
		// what n8n saved with that execution, through its database (JSON)
		const saved = JSON.parse(JSON.stringify(beforeStop.staticData));

		const whileStopped = [
			sandbox.addFile(demo(), { name: 'two.txt', folderId: watched.id, content: '2' }).id,
			sandbox.addFile(demo(), { name: 'three.txt', folderId: watched.id, content: '3' }).id,
		];
		await engine.close();
		engine = new Engine({
			nodeTypes: { [TRIGGER]: new YetiShareTrigger(), [NODE_TYPE]: new YetiShare() },
			credentialTypes: [new YetiShareApi()],
		});
		await engine.init();
		credential = engine.credentials.add('yetiShareApi', 'sandbox', credentialData(sandbox));

		const afterRestart = await engine.poll({
			node: trigger({ event: 'fileAdded', folder: folderById(watched.id) }),
			staticData: saved,
		});
		expect(ids(afterRestart.items).sort()).toEqual(whileStopped.sort());
		staticData = afterRestart.staticData;
		const next = await engine.poll({
			node: trigger({ event: 'fileAdded', folder: folderById(watched.id) }),
			staticData,
		});
		expect(next.items).toBeNull();
	});

	it('Folder Added with a name filter, and Download File', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Projects' });
		const folders = trigger({
			event: 'folderAdded',
			folder: folderById(watched.id),
			options: { name: 'client-*' },
		});
		let folderState = (await engine.poll({ node: folders })).staticData;
		sandbox.addFolder(demo(), { name: 'client-acme', parentId: watched.id });
		sandbox.addFolder(demo(), { name: 'internal', parentId: watched.id });
		const poll = await engine.poll({ node: folders, staticData: folderState });
		expect(poll.items![0].map((item) => item.json.folderName)).toEqual(['client-acme']);
		expect(poll.items![0][0].json.type).toBe('folder');
		folderState = poll.staticData;

		const files = trigger({
			event: 'fileAdded',
			folder: folderById(watched.id),
			options: { download: true },
		});
		const fileState = (await engine.poll({ node: files })).staticData;
		sandbox.addFile(demo(), { name: 'brief.txt', folderId: watched.id, content: 'the brief' });
		const withFile = await engine.poll({ node: files, staticData: fileState });
		expect((await engine.binaryBuffer(withFile.items![0][0])).toString()).toBe('the brief');
	});

	it("Folder Added never emits a folder's password hash, when the listing carries one", async () => {
		sandbox.configure({ listingPasswords: true });
		const watched = sandbox.addFolder(demo(), { name: 'Shared' });
		const node = trigger({ event: 'folderAdded', folder: folderById(watched.id) });
		const { staticData } = await engine.poll({ node });
		const hash = createHash('md5').update('hunter2').digest('hex');
		sandbox.addFolder(demo(), { name: 'locked', parentId: watched.id, accessPassword: hash });
		sandbox.addFolder(demo(), { name: 'open', parentId: watched.id });
		const poll = await engine.poll({ node, staticData });
		expect(poll.items![0].map((item) => [item.json.folderName, item.json.hasPassword])).toEqual([
			['locked', true],
			['open', false],
		]);
		expect(JSON.stringify(poll.items)).not.toContain(hash);
	});

	it('a manual test returns the newest match as a sample and leaves the state alone', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Samples' });
		sandbox.addFile(demo(), { name: 'older.txt', folderId: watched.id, content: 'o' });
		const newest = sandbox.addFile(demo(), {
			name: 'newest.txt',
			folderId: watched.id,
			content: 'n',
		});
		const node = trigger({ event: 'fileAdded', folder: folderById(watched.id) });
		const seeded = (await engine.poll({ node })).staticData;
		const manual = await engine.poll({ node, staticData: seeded, mode: 'manual' });
		expect(ids(manual.items)).toEqual([newest.id]);
		expect(manual.staticData).toEqual(seeded);
	});

	it('a failing poll leaves the state unchanged, and the next one catches up', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Flaky' });
		// retries off, so the outage outlasts the poll
		const noRetries = engine.credentials.add(
			'yetiShareApi',
			'no retries',
			credentialData(sandbox, { maxRetryWait: 0 }),
		);
		const node = {
			...trigger({ event: 'fileAdded', folder: folderById(watched.id) }),
			credentials: { yetiShareApi: noRetries },
		};
		const seeded = (await engine.poll({ node })).staticData;
		const added = sandbox.addFile(demo(), {
			name: 'during-outage.txt',
			folderId: watched.id,
			content: 'x',
		});
		sandbox.fail({ endpoint: 'folder/listing' }, { status: 502 });
		const failed = await engine.poll({ node, staticData: seeded });
		expect(failed.error?.message).toMatch(/HTTP 502/);
		expect(failed.staticData).toEqual(seeded);
		const recovered = await engine.poll({ node, staticData: failed.staticData });
		expect(ids(recovered.items)).toEqual([added.id]);
	});

	it('a watched folder that was deleted gives a clear error', async () => {
		const watched = sandbox.addFolder(demo(), { name: 'Doomed' });
		const node = trigger({ event: 'fileAdded', folder: folderById(watched.id) });
		const seeded = (await engine.poll({ node })).staticData;
		sandbox.state.folders.find((folder) => folder.id === watched.id)!.status = 'trash';
		const poll = await engine.poll({ node, staticData: seeded });
		expect(poll.error?.message).toMatch(
			/The watched folder \(ID \d+\) no longer exists on the site/,
		);
	});

	describe('Remote Upload Finished', () => {
		let origin: Server;
		let originUrl: string;
		const held = new Map<string, ServerResponse>();

		beforeAll(async () => {
			origin = createServer((request, response) => {
				if (request.url?.startsWith('/missing')) return void response.writeHead(404).end('missing');
				held.set(request.url!, response); // answered when the test releases it
			});
			await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
			originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
		});
		afterAll(async () => {
			for (const response of held.values()) response.destroy();
			origin.closeAllConnections();
			await new Promise((resolve) => origin.close(resolve));
		});

		async function schedule(path: string): Promise<number> {
			const run = await engine.run({
				node: {
					type: NODE_TYPE,
					parameters: {
						resource: 'file',
						operation: 'uploadFromUrl',
						url: `${originUrl}${path}`,
						parentFolder: folderById('root'),
						waitForCompletion: false,
					},
					credentials: { yetiShareApi: credential },
				},
			});
			return run.items[0].json.scheduled_item_id as number;
		}
		async function release(path: string, id: number, status = 200) {
			for (let wait = 0; !held.has(path) && wait < 100; wait++)
				await new Promise((resolve) => setTimeout(resolve, 20));
			held.get(path)!.writeHead(status, { 'content-type': 'text/plain' }).end(`body of ${path}`);
			held.delete(path);
			await settle(id);
		}
		async function settle(id: number) {
			for (let wait = 0; wait < 200; wait++) {
				const item = sandbox.state.scheduledItems.find((entry) => entry.id === id);
				if (item && ['complete', 'failed'].includes(item.status)) return;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			throw new Error(`scheduled item ${id} did not finish`);
		}

		it.each([false, true])(
			'ids completing at different polls are emitted once each (Include Failed: %s)',
			async (includeFailed) => {
				// each answers only when released below, so each finishes at a known poll
				const [a, b, bad] = [
					await schedule('/a.txt'),
					await schedule('/b.txt'),
					await schedule('/gone.txt'),
				];
				const node = trigger({
					event: 'remoteUploadFinished',
					scheduledItemIds: `${a}, ${b}, ${bad}`,
					options: { includeFailed },
				});
				const activation = await engine.poll({ node });
				expect(activation.items).toBeNull();
				let staticData = activation.staticData;

				await release('/gone.txt', bad, 404);
				await release('/a.txt', a);
				const first = await engine.poll({ node, staticData });
				const firstIds = (first.items?.[0] ?? []).map((item) => item.json.scheduled_item_id);
				expect(firstIds.sort()).toEqual(includeFailed ? [a, bad].sort() : [a]);
				staticData = first.staticData;
				if (includeFailed)
					expect(
						first.items![0].find((item) => item.json.scheduled_item_id === bad)!.json.failed,
					).toBe(true);

				const statusCalls = sandbox.count('file/url_upload_status');
				const nothingYet = await engine.poll({ node, staticData });
				expect(nothingYet.items).toBeNull();
				// only the unfinished id is asked about
				expect(sandbox.count('file/url_upload_status') - statusCalls).toBe(1);
				staticData = nothingYet.staticData;

				await release('/b.txt', b);
				const second = await engine.poll({ node, staticData });
				expect(second.items![0].map((item) => item.json.scheduled_item_id)).toEqual([b]);
				expect(second.items![0][0].json.status).toBe('complete');
				const after = await engine.poll({ node, staticData: second.staticData });
				expect(after.items).toBeNull();
			},
		);
	});
});

describe('YetiShare Trigger on a site without URL uploads', () => {
	const sandbox = new SandboxServer({ revision: 'older' });
	let engine: Engine;
	beforeAll(async () => {
		await sandbox.start();
		engine = new Engine({
			nodeTypes: { [TRIGGER]: new YetiShareTrigger() },
			credentialTypes: [new YetiShareApi()],
		});
		await engine.init();
	});
	afterAll(async () => {
		await engine.close();
		await sandbox.stop();
	});

	it('says so at activation', async () => {
		const credential = engine.credentials.add('yetiShareApi', 'sandbox', credentialData(sandbox));
		const poll = await engine.poll({
			node: {
				type: TRIGGER,
				parameters: { event: 'remoteUploadFinished', scheduledItemIds: '51' },
				credentials: { yetiShareApi: credential },
			},
		});
		expect(poll.error?.message).toMatch(
			/This site does not offer URL uploads, so there is nothing to watch/,
		);
	});
});
