/**
 * Several items at once ("Requests in Parallel"): on a site some milliseconds away, answers come
 * back in any order. What a user checks: the output in input order and paired, Continue On Fail
 * per item, the site never handling more than the bound, 429s halving it, and creates that are
 * neither doubled nor mixed up between items.
 */
import { randomBytes } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from '@jest/globals';

import { folderById, items, useWorld, type World } from './setup';

const root = folderById('root');
const fileById = (id: string) => ({ __rl: true, mode: 'id', value: id });
const getFile = { resource: 'file', operation: 'get', fileId: fileById('={{ $json.id }}') };
const demo = (world: World) => world.sandbox.demoAccount.id;
const paired = (run: { items: Array<{ pairedItem?: unknown }> }) =>
	run.items.map((item) => (item.pairedItem as { item: number }).item);
const active = (world: World, name: string) =>
	world.sandbox.state.files.filter((file) => file.filename === name && file.status === 'active');

async function signIn(world: World) {
	// the first call of a fresh credential signs in; these tests count the calls after it
	expect((await world.run({ resource: 'account', operation: 'get' })).error).toBeUndefined();
	world.sandbox.clearLog();
}

function someFiles(world: World, count: number): string[] {
	return Array.from(
		{ length: count },
		(_, i) =>
			world.sandbox.addFile(demo(world), { name: `in-flight-${i}.txt`, content: `file ${i}` }).id,
	);
}

async function uploadItems(world: World, names: string[], bytes: (i: number) => Buffer) {
	return await Promise.all(
		names.map(
			async (fileName, i) =>
				await world.engine.binaryItem(bytes(i), { fileName, mimeType: 'application/octet-stream' }),
		),
	);
}

describe('items in flight, on a site 20–60 ms away', () => {
	const world = useWorld({ latencyMs: 20, latencyJitterMs: 40 });

	it(
		'keeps the input order and pairing while answers arrive in any order; ' +
			'starts with 5 calls at the site and adds more as they end',
		async () => {
			const ids = someFiles(world, 30);
			await signIn(world);
			const run = await world.run(getFile, { items: ids.map((id) => ({ json: { id } })) });
			expect(run.error).toBeUndefined();
			expect(run.json.map((json) => json.id)).toEqual(ids);
			expect(paired(run)).toEqual(ids.map((_, i) => i));
			const calls = world.sandbox.log.filter((entry) => entry.endpoint === 'file/info');
			// before the site had answered anything, 5 calls; after that more at once
			const firstAnswer = Math.min(...calls.map((entry) => entry.endedAt!));
			expect(calls.filter((entry) => entry.at < firstAnswer)).toHaveLength(5);
			expect(world.sandbox.peakInFlight('file/info')).toBeGreaterThan(5);
			// the answers did come back out of order: the order above is the node's doing
			const ended = [...calls].sort((a, b) => a.endedAt! - b.endedAt!);
			expect(ended.map((entry) => entry.params.file_id)).not.toEqual(ids);
		},
	);

	it('"Requests in Parallel" is the most at once; 1 sends one item after another', async () => {
		const ids = someFiles(world, 40);
		await signIn(world);
		for (const bound of [1, 3, 8]) {
			world.sandbox.clearLog();
			const run = await world.run(
				{ ...getFile, requestsInParallel: bound },
				{ items: ids.map((id) => ({ json: { id } })) },
			);
			expect(run.json.map((json) => json.id)).toEqual(ids);
			expect(world.sandbox.peakInFlight('file/info')).toBe(bound);
		}
	});

	it('with Continue On Fail, a failed item is an error item in its place and the others go on', async () => {
		const ids = someFiles(world, 12);
		const input = ids.map((id, i) => ({ json: { id: i === 3 || i === 7 ? '999999' : id } }));
		const run = await world.run(getFile, { items: input, continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(paired(run)).toEqual(ids.map((_, i) => i));
		run.json.forEach((json, i) => {
			if (i === 3 || i === 7)
				expect(json.error).toMatch(
					new RegExp(`Could not find file based on file_id.*\\[item ${i}\\]`),
				);
			else expect(json.id).toBe(ids[i]);
		});
	});

	it('without Continue On Fail, the first failed item stops the node: nothing further is started', async () => {
		const ids = someFiles(world, 40);
		await signIn(world);
		const input = ids.map((id, i) => ({ json: { id: i === 10 || i === 12 ? '999999' : id } }));
		const run = await world.run({ ...getFile, requestsInParallel: 5 }, { items: input });
		expect(run.error?.message).toMatch(/Could not find file based on file_id.*\[item 10\]/);
		// item 10 and the four beside it in flight, and those started as they ended
		const asked = world.sandbox.log.filter((entry) => entry.endpoint === 'file/info').length;
		expect(asked).toBeGreaterThanOrEqual(11);
		expect(asked).toBeLessThan(11 + 5 + 5);
	});

	it('a site that answers 429 gets half as many calls at once for the rest of the run, and no item fails', async () => {
		const ids = someFiles(world, 40);
		await signIn(world);
		world.sandbox.fail(
			{ endpoint: 'file/info', times: 3, after: 5 },
			{ status: 429, retryAfter: '1' },
		);
		const run = await world.run(
			{ ...getFile, requestsInParallel: 10 },
			{ items: ids.map((id) => ({ json: { id } })) },
		);
		expect(run.error).toBeUndefined();
		expect(run.json.map((json) => json.id)).toEqual(ids);
		const refused = world.sandbox.log.filter((entry) => entry.status === 429);
		expect(refused).toHaveLength(3);
		// the refused items were already under way and try again; once they are done, one at a time:
		// at most 10 halved three times, and no growth after a refusal
		const refusedIds = new Set(refused.map((entry) => entry.params.file_id));
		const retried = world.sandbox.log.filter(
			(entry) =>
				entry.endpoint === 'file/info' &&
				entry.status === 200 &&
				refusedIds.has(entry.params.file_id),
		);
		expect(retried).toHaveLength(3);
		const after = Math.max(...retried.map((entry) => entry.endedAt!)) + 1;
		expect(
			world.sandbox.log.filter((entry) => entry.endpoint === 'file/info' && entry.at >= after)
				.length,
		).toBeGreaterThan(10);
		expect(world.sandbox.peakInFlight('file/info', after)).toBe(1);
	});

	it('calls the proxy fails (502, a dropped connection) are tried again: every item done, in order', async () => {
		const ids = someFiles(world, 30);
		await signIn(world);
		world.sandbox.fail({ endpoint: 'file/info', times: 4, every: 3 }, { status: 502 });
		world.sandbox.fail({ endpoint: 'file/info', times: 3, every: 4, after: 10 }, { close: true });
		const run = await world.run(getFile, { items: ids.map((id) => ({ json: { id } })) });
		expect(run.error).toBeUndefined();
		expect(run.json.map((json) => json.id)).toEqual(ids);
		expect(paired(run)).toEqual(ids.map((_, i) => i));
		expect(
			world.sandbox.log.filter(
				(entry) => entry.endpoint === 'file/info' && entry.outcome !== 'success',
			),
		).toHaveLength(7);
		expect(world.sandbox.count('file/info')).toBe(30 + 7);
	});

	it('tokens dropped while items are in flight: no item fails, and few sign-ins', async () => {
		const ids = someFiles(world, 60);
		await signIn(world);
		world.sandbox.killTokensEvery(20);
		const run = await world.run(getFile, { items: ids.map((id) => ({ json: { id } })) });
		world.sandbox.keepTokens();
		expect(run.error).toBeUndefined();
		expect(run.json.map((json) => json.id)).toEqual(ids);
		expect(world.sandbox.tokenKills).toBeGreaterThanOrEqual(2);
		// one sign-in per dropped token, shared by every item in flight
		expect(world.sandbox.count('authorize')).toBeLessThanOrEqual(world.sandbox.tokenKills);
	});

	it('uploads run at most two at once, whatever the bound', async () => {
		const names = Array.from({ length: 6 }, (_, i) => `two-at-once-${i}.bin`);
		const input = await uploadItems(world, names, () => randomBytes(50_000));
		const run = await world.run(
			{
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: root,
				requestsInParallel: 10,
			},
			{ items: input },
		);
		expect(run.error).toBeUndefined();
		expect(run.json.map((json) => json.name)).toEqual(names);
		expect(world.sandbox.peakInFlight('file/upload')).toBe(2);
	});
});

describe('creates with items in flight', () => {
	const world = useWorld({ latencyMs: 20, latencyJitterMs: 40 });

	it('items uploading into one missing path create each folder once', async () => {
		const names = Array.from({ length: 8 }, (_, i) => `deep-${i}.txt`);
		const input = await uploadItems(world, names, (i) => Buffer.from(`deep ${i}`));
		const run = await world.run(
			{
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: { __rl: true, mode: 'path', value: 'Made once/By eight' },
				options: { createMissingFolders: true },
				requestsInParallel: 8,
			},
			{ items: input },
		);
		expect(run.error).toBeUndefined();
		const folders = (name: string) =>
			world.sandbox.state.folders.filter(
				(folder) => folder.folderName === name && folder.accountId === demo(world),
			);
		expect(folders('Made once')).toHaveLength(1);
		expect(folders('By eight')).toHaveLength(1);
		expect(world.sandbox.count('folder/create')).toBe(2);
		const inside = world.sandbox.state.files
			.filter((file) => file.folderId === folders('By eight')[0].id)
			.map((file) => file.filename);
		expect(inside.sort()).toEqual([...names].sort());
	});

	it('folder creates whose answers are lost after the site acted: each folder once, each item its own', async () => {
		world.sandbox.fail(
			{ endpoint: 'folder/create', times: 4, every: 2 },
			{ status: 502, afterSite: true },
		);
		const names = Array.from({ length: 10 }, (_, i) => `Parallel ${i}`);
		const run = await world.run(
			{
				resource: 'folder',
				operation: 'create',
				folderName: '={{ $json.name }}',
				parentFolder: root,
			},
			{ items: names.map((name) => ({ json: { name } })) },
		);
		expect(run.error).toBeUndefined();
		expect(run.json.map((json) => json.folderName)).toEqual(names);
		for (const [i, name] of names.entries()) {
			const made = world.sandbox.state.folders.filter((folder) => folder.folderName === name);
			expect(made).toHaveLength(1);
			expect(run.json[i].id).toBe(made[0].id);
		}
		expect(
			world.sandbox.log.filter(
				(entry) => entry.endpoint === 'folder/create' && entry.status === 502,
			),
		).toHaveLength(4);
	});

	it('two items uploading the same name and size, both answers lost: each finds its own file', async () => {
		const bytes = randomBytes(20_000);
		world.sandbox.fail({ endpoint: 'file/upload', times: 2 }, { status: 502, afterSite: true });
		const input = await uploadItems(world, ['twin.bin', 'twin.bin'], () => bytes);
		const run = await world.run(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
			{ items: input, continueOnFail: true },
		);
		expect(run.json.map((json) => json.error)).toEqual([null, null]); // the API's own field: no error for this file
		expect(world.sandbox.count('file/upload')).toBe(2);
		const stored = active(world, 'twin.bin').map((file) => file.id);
		expect(stored).toHaveLength(2);
		expect(run.json.map((json) => json.file_id).sort()).toEqual([...stored].sort());
	});

	it('copies of one file into one folder, every answer lost: each item finds its own copy', async () => {
		const original = world.sandbox.addFile(demo(world), {
			name: 'copied-in-flight.txt',
			content: 'copy me',
		});
		const target = world.sandbox.addFolder(demo(world), { name: 'Copies' });
		world.sandbox.fail({ endpoint: 'file/copy', times: 4 }, { status: 504, afterSite: true });
		const run = await world.run(
			{
				resource: 'file',
				operation: 'copy',
				fileId: fileById(original.id),
				destinationFolder: folderById(target.id),
			},
			{ items: items(4), continueOnFail: true },
		);
		expect(run.json.map((json) => json.error)).toEqual([
			undefined,
			undefined,
			undefined,
			undefined,
		]);
		const copies = world.sandbox.state.files
			.filter((file) => file.folderId === target.id)
			.map((file) => file.id);
		expect(copies).toHaveLength(4);
		expect(run.json.map((json) => String(json.id)).sort()).toEqual([...copies].sort());
		expect(run.json.every((json) => (json.original_file as IDataObject).id === original.id)).toBe(
			true,
		);
	});
});
