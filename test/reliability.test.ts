/**
 * What the node does when the site, its proxy or the network fails: which calls are repeated,
 * how long it waits, and that nothing is created twice or lost.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from '@jest/globals';

import type { SandboxFault } from './sandbox/server';
import { folderById, items, useWorld, type World } from './setup';

const root = folderById('root');
const demo = (world: World) => world.sandbox.demoAccount.id;
const fileById = (id: string) => ({ __rl: true, mode: 'id', value: id });
const getFolder = (id: string) => ({
	resource: 'folder',
	operation: 'get',
	folderId: folderById(id),
});

/** When each call to `endpoint` reached the site, ms since the first. */
function arrivals(world: World, endpoint: string): number[] {
	const times = world.sandbox.log
		.filter((entry) => entry.endpoint === endpoint)
		.map((entry) => entry.at);
	return times.map((at) => at - times[0]);
}
const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]);

async function upload(
	world: World,
	bytes: Buffer,
	fileName: string,
	credential = world.credential,
) {
	const item = await world.engine.binaryItem(bytes, {
		fileName,
		mimeType: 'application/octet-stream',
	});
	return await world.run(
		{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
		{ items: [item], credential, continueOnFail: true },
	);
}
const filesNamed = (world: World, name: string) =>
	world.sandbox.state.files.filter((file) => file.filename === name && file.status === 'active');

describe('rate limits (HTTP 429)', () => {
	const world = useWorld({});

	it('waits as long as Retry-After says, in seconds, and then succeeds', async () => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Busy' });
		world.sandbox.fail({ endpoint: 'folder/info', times: 2 }, { status: 429, retryAfter: '1' });
		const run = await world.run(getFolder(folder.id));
		expect(run.error).toBeUndefined();
		expect(run.json[0].folderName).toBe('Busy');
		const waits = gaps(arrivals(world, 'folder/info'));
		expect(waits).toHaveLength(2);
		for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(950);
	});

	it('waits until the date Retry-After gives', async () => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Busy' });
		const until = new Date(world.clock.now() + 3000);
		world.sandbox.fail(
			{ endpoint: 'folder/info' },
			{ status: 429, retryAfter: until.toUTCString() },
		);
		const run = await world.run(getFolder(folder.id));
		expect(run.error).toBeUndefined();
		const calls = world.sandbox.log.filter((entry) => entry.endpoint === 'folder/info');
		// HTTP dates have whole seconds
		expect(calls[1].at).toBeGreaterThanOrEqual(Math.floor(until.getTime() / 1000) * 1000 - 50);
	});

	it('without Retry-After, backs off exponentially with jitter', async () => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Busy' });
		world.sandbox.fail({ endpoint: 'folder/info', times: 3 }, { status: 429 });
		const run = await world.run(getFolder(folder.id));
		expect(run.error).toBeUndefined();
		const [first, second, third] = gaps(arrivals(world, 'folder/info'));
		// about 1, 2 and 4 s, each between half and all of that
		expect(first).toBeGreaterThanOrEqual(450);
		expect(first).toBeLessThan(1500);
		expect(second).toBeGreaterThanOrEqual(950);
		expect(second).toBeLessThan(2600);
		expect(third).toBeGreaterThanOrEqual(1950);
	});

	it('gives up with a clear error once the wait would pass Max Retry Wait', async () => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Busy' });
		world.sandbox.fail({ endpoint: 'folder/info', times: 50 }, { status: 429, retryAfter: '2' });
		const credential = world.addCredential({ maxRetryWait: 5 });
		const started = world.clock.now();
		const run = await world.run(getFolder(folder.id), {
			credential,
			items: items(2),
			continueOnFail: true,
		});
		// 2 s, 2 s, then a third 2 s would pass 5 s: three calls per item, and each item fails alone
		expect(run.json).toHaveLength(2);
		expect(run.json[0].error).toMatch(
			/The site is rate-limiting requests \(HTTP 429\): folder\/info was refused, tried 3 times \[item 0\]/,
		);
		expect(run.json[1].error).toMatch(/\[item 1\]/);
		expect(world.sandbox.count('folder/info')).toBe(6);
		expect(world.clock.now() - started).toBeLessThan(15_000);
	});

	it('does not wait at all when the site asks for more than Max Retry Wait', async () => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Busy' });
		world.sandbox.fail({ endpoint: 'folder/info' }, { status: 429, retryAfter: '3600' });
		const started = world.clock.now();
		const run = await world.run(getFolder(folder.id));
		expect(run.error?.message).toMatch(/rate-limiting/);
		expect(run.error?.description).toMatch(
			/would have waited 3600 s, beyond the credential's "Max Retry Wait \(Seconds\)"/,
		);
		expect(world.sandbox.count('folder/info')).toBe(1);
		expect(world.clock.now() - started).toBeLessThan(3000);
	});

	it('applies to /authorize too', async () => {
		world.sandbox.fail({ endpoint: 'authorize' }, { status: 429, retryAfter: '1' });
		const run = await world.run({ resource: 'account', operation: 'get' });
		expect(run.error).toBeUndefined();
		expect(world.sandbox.count('authorize')).toBe(2);
	});
});

describe('server errors, timeouts and dropped connections on calls safe to repeat', () => {
	const world = useWorld({});

	it.each([
		['HTTP 502 from the proxy', { status: 502 }],
		['HTTP 503', { status: 503 }],
		['a dropped connection', { close: true as const }],
		['an answer lost after the site acted', { status: 504, afterSite: true }],
	])('%s: retried, and the item succeeds', async (_what, fault) => {
		const folder = world.sandbox.addFolder(demo(world), { name: 'Flaky' });
		world.sandbox.fail({ endpoint: 'folder/listing', times: 2 }, fault);
		const run = await world.run({
			resource: 'folder',
			operation: 'getMany',
			folderId: folderById(folder.id),
			returnAll: true,
		});
		expect(run.error).toBeUndefined();
		expect(world.sandbox.count('folder/listing')).toBe(3);
	});

	it('a hung site: each attempt ends at the timeout, and the call succeeds when the site answers again', async () => {
		world.sandbox.fail({ endpoint: 'account/info' }, { hang: true });
		const run = await world.run(
			{ resource: 'account', operation: 'get' },
			{ credential: world.addCredential({ timeout: 1 }) },
		);
		expect(run.error).toBeUndefined();
		expect(run.json[0].username).toBe(world.sandbox.demoAccount.username);
	});

	it('a site that stays hung: each item fails within about Timeout + Max Retry Wait', async () => {
		const credential = world.addCredential({ timeout: 1, maxRetryWait: 3 });
		await world.run({ resource: 'account', operation: 'get' }, { credential }); // signs in, so only the hung calls are timed
		world.sandbox.fail({ endpoint: 'account/info', times: 100 }, { hang: true });
		const started = world.clock.now();
		const run = await world.run(
			{ resource: 'account', operation: 'get' },
			{ credential, items: items(2), continueOnFail: true },
		);
		const seconds = (world.clock.now() - started) / 1000;
		expect(run.json).toHaveLength(2);
		for (const [index, item] of run.json.entries()) {
			expect(item.error).toMatch(
				new RegExp(
					`The site kept failing \\(the site did not answer in time\\): account/info was tried \\d times \\[item ${index}\\]`,
				),
			);
		}
		// Timeout (1 s) + Max Retry Wait (3 s) per item. Counting only the waits between
		// attempts took 4.5 to 6 s an item (three 1 s attempts).
		expect(seconds).toBeLessThan(2 * (1 + 3));
	});

	it('a slow site that answers within the timeout works, after a hung attempt too', async () => {
		const credential = world.addCredential({ timeout: 2, maxRetryWait: 3 });
		world.sandbox.fail({ endpoint: 'account/info' }, { hang: true });
		world.sandbox.fail({ endpoint: 'account/info', times: 5 }, { slowMs: 1500 });
		const run = await world.run(
			{ resource: 'account', operation: 'get' },
			{ credential, items: items(3) },
		);
		expect(run.error).toBeUndefined();
		expect(run.json.map((item) => item.username)).toEqual(
			Array(3).fill(world.sandbox.demoAccount.username),
		);
		// one hung attempt, then three slow answers, one per item, each waited for in full
		const calls = world.sandbox.log.filter((entry) => entry.endpoint === 'account/info');
		expect(calls.map((entry) => entry.outcome)).toEqual(['hung', 'success', 'success', 'success']);
		for (const call of calls.slice(1)) expect(call.endedAt! - call.at).toBeGreaterThanOrEqual(1450);
	});

	it.each([
		['hung', { hang: true as const }],
		['dropped', { close: true as const }],
	])('sign-in (/authorize) %s once: retried, and the item succeeds', async (_what, fault) => {
		world.sandbox.fail({ endpoint: 'authorize' }, fault);
		const run = await world.run(
			{ resource: 'account', operation: 'get' },
			{ credential: world.addCredential({ timeout: 1 }) },
		);
		expect(run.error).toBeUndefined();
		expect(world.sandbox.count('authorize')).toBe(2);
	});

	it('a download answered 503 is tried again', async () => {
		const file = world.sandbox.addFile(demo(world), { name: 'busy.txt', content: 'whole' });
		world.sandbox.fail({ endpoint: 'download' }, { status: 503, retryAfter: '1' });
		const run = await world.run({
			resource: 'file',
			operation: 'download',
			fileId: fileById(file.id),
			binaryPropertyName: 'data',
		});
		expect(run.error).toBeUndefined();
		expect((await world.engine.binaryBuffer(run.items[0], 'data')).toString()).toBe('whole');
	});

	it('an API error is not repeated: the site answered, and would answer the same', async () => {
		const run = await world.run(getFolder('987654'));
		expect(run.error?.message).toMatch(/Could not find folder/);
		expect(world.sandbox.count('folder/info')).toBe(1);
	});
});

// n8n keeps binary data on disk (filesystem) or in the item (default): the node checks what was stored in both
describe.each(['filesystem', 'default'] as const)(
	'downloads cut off, binary data mode "%s"',
	(binaryMode) => {
		const world = useWorld({ binaryMode });

		it('a download cut off is started over, and the file arrives whole', async () => {
			const content = randomBytes(512 * 1024);
			const file = world.sandbox.addFile(demo(world), { name: 'cut.bin', content });
			world.sandbox.fail({ endpoint: 'download', times: 2 }, { cutAfterBytes: 100_000 });
			const run = await world.run({
				resource: 'file',
				operation: 'download',
				fileId: fileById(file.id),
				binaryPropertyName: 'data',
			});
			expect(run.error).toBeUndefined();
			expect((await world.engine.binaryBuffer(run.items[0], 'data')).equals(content)).toBe(true);
			expect(world.sandbox.log.filter((entry) => entry.kind === 'download')).toHaveLength(3);
		});

		it('a download cut off every time fails the item and says the transfer was cut off', async () => {
			const file = world.sandbox.addFile(demo(world), {
				name: 'cut.bin',
				content: randomBytes(512 * 1024),
			});
			world.sandbox.fail({ endpoint: 'download', times: 100 }, { cutAfterBytes: 100_000 });
			const run = await world.run(
				{
					resource: 'file',
					operation: 'download',
					fileId: fileById(file.id),
					binaryPropertyName: 'data',
				},
				{ credential: world.addCredential({ maxRetryWait: 1 }), continueOnFail: true },
			);
			expect(run.json[0].error).toMatch(
				/The site kept failing \(the transfer was cut off\): the download was tried \d+ times \[item 0\]/,
			);
			expect(run.items[0].binary).toBeUndefined();
		});
	},
);

describe('calls that create things are never repeated blindly', () => {
	const world = useWorld({});

	it('an upload whose answer was lost after the site stored it: found, not uploaded again', async () => {
		const bytes = randomBytes(200_000);
		world.sandbox.fail({ endpoint: 'file/upload' }, { status: 502, afterSite: true });
		const run = await upload(world, bytes, 'lost-answer.bin');
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(world.sandbox.count('file/upload')).toBe(1);
		const stored = filesNamed(world, 'lost-answer.bin');
		expect(stored).toHaveLength(1);
		expect(run.json[0]).toMatchObject({
			file_id: stored[0].id,
			name: 'lost-answer.bin',
			size: String(bytes.length),
		});
	});

	it('an upload cut off before the site stored it: checked, then sent again, and stored once', async () => {
		const bytes = randomBytes(1024 * 1024);
		world.sandbox.fail({ endpoint: 'file/upload' }, { cutAfterBytes: 300_000 });
		const run = await upload(world, bytes, 'cut.bin');
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(world.sandbox.count('file/upload')).toBe(2);
		const stored = filesNamed(world, 'cut.bin');
		expect(stored).toHaveLength(1);
		expect(readFileSync(stored[0].storagePath).equals(bytes)).toBe(true);
	});

	it('an upload that timed out while the site stored it: found, not uploaded again', async () => {
		world.sandbox.fail({ endpoint: 'file/upload' }, { hang: true, afterSite: true });
		const run = await upload(
			world,
			randomBytes(10_000),
			'slow.bin',
			world.addCredential({ timeout: 1 }),
		);
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(filesNamed(world, 'slow.bin')).toHaveLength(1);
	});

	it('an older file of the same name and size is not taken for the new one', async () => {
		const bytes = randomBytes(5000);
		const older = world.sandbox.addFile(demo(world), { name: 'same.bin', content: bytes });
		older.uploadedDate = '2026-01-05 09:12:44';
		world.sandbox.fail({ endpoint: 'file/upload' }, { status: 502 });
		const run = await upload(world, bytes, 'same.bin');
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(world.sandbox.count('file/upload')).toBe(2);
		expect(filesNamed(world, 'same.bin')).toHaveLength(2);
	});

	it('when the check fails too, the error says the outcome is unknown and nothing is repeated', async () => {
		world.sandbox.fail({ endpoint: 'file/upload' }, { status: 502, afterSite: true });
		// the look at the folder before the upload passes; the check after the 502 fails
		world.sandbox.fail({ endpoint: 'folder/listing', times: 20, after: 1 }, { status: 500 });
		const run = await upload(
			world,
			randomBytes(5000),
			'unknown.bin',
			world.addCredential({ maxRetryWait: 2 }),
		);
		expect(run.json[0].error).toMatch(
			/It is unknown whether the site created the file "unknown.bin" in the root folder: HTTP 502 while calling file\/upload \[item 0\]/,
		);
		expect(run.items[0].json.error).toBeDefined();
		expect(world.sandbox.count('file/upload')).toBe(1);
	});

	it('a folder created while its answer was lost: found, not created again', async () => {
		world.sandbox.fail({ endpoint: 'folder/create' }, { close: true, afterSite: true });
		const run = await world.run({
			resource: 'folder',
			operation: 'create',
			folderName: 'Made once',
			parentFolder: root,
		});
		expect(run.error).toBeUndefined();
		const made = world.sandbox.state.folders.filter((folder) => folder.folderName === 'Made once');
		expect(made).toHaveLength(1);
		expect(run.json[0].id).toBe(made[0].id);
		expect(world.sandbox.count('folder/create')).toBe(1);
	});

	it('a folder the proxy refused before the site saw it: created on the next try', async () => {
		world.sandbox.fail({ endpoint: 'folder/create' }, { status: 503 });
		const run = await world.run({
			resource: 'folder',
			operation: 'create',
			folderName: 'Second try',
			parentFolder: root,
		});
		expect(run.error).toBeUndefined();
		expect(
			world.sandbox.state.folders.filter((folder) => folder.folderName === 'Second try'),
		).toHaveLength(1);
		expect(world.sandbox.count('folder/create')).toBe(2);
	});

	it('folders made on the way by "Create Missing Folders" are not doubled either', async () => {
		world.sandbox.fail({ endpoint: 'folder/create' }, { status: 502, afterSite: true });
		const item = await world.engine.binaryItem(Buffer.from('x'), {
			fileName: 'deep.txt',
			mimeType: 'text/plain',
		});
		const run = await world.run(
			{
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: { __rl: true, mode: 'path', value: 'New/Deeper' },
				options: { createMissingFolders: true },
			},
			{ items: [item] },
		);
		expect(run.error).toBeUndefined();
		expect(
			world.sandbox.state.folders.filter((folder) => folder.folderName === 'New'),
		).toHaveLength(1);
		expect(
			world.sandbox.state.folders.filter((folder) => folder.folderName === 'Deeper'),
		).toHaveLength(1);
	});

	it('a copy whose answer was lost: found, not copied again', async () => {
		const original = world.sandbox.addFile(demo(world), {
			name: 'to-copy.txt',
			content: 'copy me',
		});
		world.sandbox.fail({ endpoint: 'file/copy' }, { status: 504, afterSite: true });
		const run = await world.run({
			resource: 'file',
			operation: 'copy',
			fileId: fileById(original.id),
			destinationFolder: root,
		});
		expect(run.error).toBeUndefined();
		const copies = filesNamed(world, 'to-copy.txt').filter((file) => file.id !== original.id);
		expect(copies).toHaveLength(1);
		expect(run.json[0].id).toBe(copies[0].id);
		expect((run.json[0].original_file as any).id).toBe(original.id);
	});

	it('a URL upload cannot be checked (the API lists none): it is reported as unknown, not repeated', async () => {
		world.sandbox.fail({ endpoint: 'file/url_upload_add' }, { status: 502 });
		const run = await world.run(
			{
				resource: 'file',
				operation: 'uploadFromUrl',
				url: 'https://example.com/a.pdf',
				parentFolder: root,
				waitForCompletion: false,
			},
			{ continueOnFail: true },
		);
		expect(run.json[0].error).toMatch(
			/It is unknown whether the site created a URL upload of https:\/\/example.com\/a.pdf: HTTP 502/,
		);
		expect(world.sandbox.count('file/url_upload_add')).toBe(1);
	});

	it('a 429 on a create is retried: the site did not act', async () => {
		world.sandbox.fail({ endpoint: 'file/upload' }, { status: 429, retryAfter: '1' });
		const run = await upload(world, randomBytes(1000), 'limited.bin');
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(filesNamed(world, 'limited.bin')).toHaveLength(1);
		// no check was needed: the one listing is the look at the folder before the upload
		expect(world.sandbox.count('folder/listing')).toBe(1);
	});
});

/**
 * Every create, with its answer lost after the site acted and before it did, on a site that
 * gives every field (file dates in file/info, folder dates) and on one that gives only what the
 * reference shows, with no dates at all: each item ends with exactly one of what it made.
 */
const LOST: Array<[string, SandboxFault]> = [
	['502 with an HTML page, after the site acted', { status: 502, afterSite: true }],
	['connection reset, after the site acted', { close: true as const, afterSite: true }],
	['no answer (timeout), after the site acted', { hang: true as const, afterSite: true }],
	['502 with an HTML page, before the site acted', { status: 502 }],
	['connection reset, before the site acted', { close: true as const }],
];

const activeFiles = (world: World, name: string) =>
	world.sandbox.state.files.filter((file) => file.filename === name && file.status === 'active');
const foldersNamed = (world: World, name: string) =>
	world.sandbox.state.folders.filter(
		(folder) => folder.folderName === name && folder.status === 'active',
	);

describe.each(['full', 'undated'] as const)(
	'creates under lost answers, sandbox fields "%s"',
	(fields) => {
		const world = useWorld({ fields });
		const quick = () => world.addCredential({ timeout: 1 });

		it.each(LOST)('Upload, %s: one file, the item done', async (_what, fault) => {
			const bytes = randomBytes(100_000);
			world.sandbox.fail({ endpoint: 'file/upload' }, fault);
			const run = await upload(world, bytes, 'report.bin', quick());
			expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
			const stored = activeFiles(world, 'report.bin');
			expect(stored).toHaveLength(1);
			expect(readFileSync(stored[0].storagePath).equals(bytes)).toBe(true);
			expect(run.json[0]).toMatchObject({
				file_id: stored[0].id,
				name: 'report.bin',
				size: String(bytes.length),
			});
		});

		it.each(LOST)('Copy, %s: one copy beside the original, the item done', async (_what, fault) => {
			const original = world.sandbox.addFile(demo(world), {
				name: 'contract.pdf',
				content: 'signed',
			});
			world.sandbox.fail({ endpoint: 'file/copy' }, fault);
			const run = await world.run(
				{
					resource: 'file',
					operation: 'copy',
					fileId: fileById(original.id),
					destinationFolder: root,
				},
				{ credential: quick() },
			);
			expect(run.error).toBeUndefined();
			const copies = activeFiles(world, 'contract.pdf').filter((file) => file.id !== original.id);
			expect(copies).toHaveLength(1);
			expect(run.json[0].id).toBe(copies[0].id);
			expect((run.json[0].original_file as IDataObject).id).toBe(original.id);
		});

		it.each(LOST)('Folder Create, %s: one folder, the item done', async (_what, fault) => {
			world.sandbox.fail({ endpoint: 'folder/create' }, fault);
			const run = await world.run(
				{ resource: 'folder', operation: 'create', folderName: 'Quarterly', parentFolder: root },
				{ credential: quick() },
			);
			expect(run.error).toBeUndefined();
			const made = foldersNamed(world, 'Quarterly');
			expect(made).toHaveLength(1);
			expect(run.json[0].id).toBe(made[0].id);
		});

		it.each(LOST)(
			'Create Missing Folders, %s on both folders: each made once, the file uploaded once',
			async (_what, fault) => {
				world.sandbox.fail({ endpoint: 'folder/create', times: 2 }, fault);
				const item = await world.engine.binaryItem(Buffer.from('deep'), {
					fileName: 'deep.txt',
					mimeType: 'text/plain',
				});
				const run = await world.run(
					{
						resource: 'file',
						operation: 'upload',
						binaryPropertyName: 'data',
						parentFolder: { __rl: true, mode: 'path', value: 'Archive/2031' },
						options: { createMissingFolders: true },
					},
					{ items: [item], credential: quick() },
				);
				expect(run.error).toBeUndefined();
				const [archive] = foldersNamed(world, 'Archive');
				expect(foldersNamed(world, 'Archive')).toHaveLength(1);
				expect(foldersNamed(world, '2031')).toHaveLength(1);
				expect(foldersNamed(world, '2031')[0].parentId).toBe(archive.id);
				expect(activeFiles(world, 'deep.txt')).toHaveLength(1);
				expect(activeFiles(world, 'deep.txt')[0].folderId).toBe(foldersNamed(world, '2031')[0].id);
			},
		);

		it('a file of the same name and size was there before: ruled out by its id, the new one is found', async () => {
			const bytes = randomBytes(5000);
			const older = world.sandbox.addFile(demo(world), { name: 'same.bin', content: bytes });
			world.sandbox.fail({ endpoint: 'file/upload' }, { status: 502, afterSite: true });
			const run = await upload(world, bytes, 'same.bin');
			expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
			expect(world.sandbox.count('file/upload')).toBe(1);
			const stored = activeFiles(world, 'same.bin');
			expect(stored).toHaveLength(2);
			expect(run.json[0].file_id).not.toBe(older.id);
			expect(stored.map((file) => file.id)).toContain(run.json[0].file_id);
		});

		it('a folder of the same name was there before: ruled out by its id, the new one is found', async () => {
			const older = world.sandbox.addFolder(demo(world), { name: 'Twice' });
			world.sandbox.fail({ endpoint: 'folder/create' }, { close: true, afterSite: true });
			const run = await world.run({
				resource: 'folder',
				operation: 'create',
				folderName: 'Twice',
				parentFolder: root,
			});
			expect(run.error).toBeUndefined();
			expect(foldersNamed(world, 'Twice')).toHaveLength(2);
			expect(run.json[0].id).not.toBe(older.id);
			expect(world.sandbox.count('folder/create')).toBe(1);
		});

		it('a file of the same name and size appears during the call: the outcome is unknown, said where, and nothing is repeated', async () => {
			const bytes = randomBytes(5000);
			world.sandbox.fail({ endpoint: 'file/upload' }, { hang: true, afterSite: true });
			const running = upload(world, bytes, 'twin.bin', world.addCredential({ timeout: 1 }));
			// another process uploads the same file while this call hangs
			await until(() =>
				world.sandbox.log.some(
					(entry) => entry.endpoint === 'file/upload' && entry.outcome === 'hung',
				),
			);
			const other = world.sandbox.addFile(demo(world), { name: 'twin.bin', content: bytes });
			const run = await running;
			expect(run.json[0].error).toMatch(
				/It is unknown whether the site created the file "twin.bin" in the root folder: the site did not answer in time while calling file\/upload \[item 0\]/,
			);
			expect(run.json[0].errorDescription).toMatch(
				new RegExp(
					`Looking in the root folder found 2 files named "twin.bin" of 5000 bytes that appeared during the call \\(ids \\d+, \\d+\\)`,
				),
			);
			expect(run.json[0].errorDescription).toContain(other.id);
			expect(run.json[0].errorDescription).toMatch(
				/The call was not repeated, so that nothing is created twice/,
			);
			expect(world.sandbox.count('file/upload')).toBe(1);
			expect(activeFiles(world, 'twin.bin')).toHaveLength(2);
		});
	},
);

/**
 * A create whose answer was given up on while the site may still be working on it (the client's
 * timeout, a gateway's 504): what it makes can appear later, so not finding it at once proves
 * nothing. It is looked for again within Max Retry Wait, and never made a second time.
 */
describe('creates given up on while the site may still act', () => {
	const world = useWorld({});
	const brief = () => world.addCredential({ timeout: 1, maxRetryWait: 4 });

	it.each([
		['a 504 and the site never acts', { status: 504 }],
		['a timeout and the site never acts', { hang: true as const }],
	])('Upload, %s: unknown, said so, not uploaded again', async (_what, fault) => {
		world.sandbox.fail({ endpoint: 'file/upload' }, fault);
		const run = await upload(world, randomBytes(5000), 'maybe.bin', brief());
		expect(run.json[0].error).toMatch(
			/^It is unknown whether the site created the file "maybe.bin" in the root folder: (HTTP 504 \(the web server stopped waiting for the site's script\)|the site did not answer in time) while calling file\/upload \[item 0\]$/,
		);
		expect(run.json[0].errorDescription).toMatch(
			/^Nothing had appeared after looking again for \d+ s, but the site may still have been working on the call when its answer was given up on\. The call was not repeated, so that nothing is created twice\./,
		);
		expect(world.sandbox.count('file/upload')).toBe(1);
		expect(activeFiles(world, 'maybe.bin')).toHaveLength(0);
	});

	it('Folder Create after a timeout, the site never acting: unknown, not created again', async () => {
		world.sandbox.fail({ endpoint: 'folder/create' }, { hang: true });
		const run = await world.run(
			{ resource: 'folder', operation: 'create', folderName: 'Perhaps', parentFolder: root },
			{ credential: brief(), continueOnFail: true },
		);
		expect(run.json[0].error).toMatch(
			/^It is unknown whether the site created the folder "Perhaps" in the root folder: the site did not answer in time/,
		);
		expect(world.sandbox.count('folder/create')).toBe(1);
	});

	it('an upload answered 504 that the site stores 1.5 s later: found on a later look, one file, one upload', async () => {
		const bytes = randomBytes(100_000);
		world.sandbox.fail({ endpoint: 'file/upload' }, { status: 504, actsAfterMs: 1500 });
		const run = await upload(world, bytes, 'late.bin', world.addCredential({ maxRetryWait: 10 }));
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		const stored = activeFiles(world, 'late.bin');
		expect(stored).toHaveLength(1);
		expect(run.json[0].file_id).toBe(stored[0].id);
		expect(world.sandbox.count('file/upload')).toBe(1);
		// looked at least twice: once at once (nothing yet), then until it appeared
		expect(world.sandbox.count('folder/listing')).toBeGreaterThanOrEqual(3);
	});

	it('Copy after a 504, the site acting later: the copy found, not copied again', async () => {
		const original = world.sandbox.addFile(demo(world), {
			name: 'later-copy.txt',
			content: 'copy me',
		});
		world.sandbox.fail({ endpoint: 'file/copy' }, { status: 504, actsAfterMs: 1000 });
		const run = await world.run(
			{
				resource: 'file',
				operation: 'copy',
				fileId: fileById(original.id),
				destinationFolder: root,
			},
			{ credential: world.addCredential({ maxRetryWait: 10 }) },
		);
		expect(run.error).toBeUndefined();
		const copies = activeFiles(world, 'later-copy.txt').filter((file) => file.id !== original.id);
		expect(copies).toHaveLength(1);
		expect(run.json[0].id).toBe(copies[0].id);
		expect(world.sandbox.count('file/copy')).toBe(1);
	});
});

/** Resolves once `condition` holds, checking every few milliseconds; fails after 10 s. */
async function until(condition: () => boolean): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('until(): the condition never held');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
