import { describe, expect, it } from '@jest/globals';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { items, useWorld } from './setup';

const listRoot = {
	resource: 'folder',
	operation: 'get',
	folderId: { __rl: true, mode: 'id', value: '={{ $json.folder }}' },
};

describe('the session token', () => {
	const world = useWorld({});
	const someFolder = () =>
		world.sandbox.addFolder(world.sandbox.demoAccount.id, { name: 'Token test' });

	it('50 items make exactly one /authorize, and a second execution with the same credential makes none', async () => {
		const folder = someFolder();
		const first = await world.run(listRoot, { items: items(50, () => ({ folder: folder.id })) });
		expect(first.error).toBeUndefined();
		expect(first.json).toHaveLength(50);
		expect(world.sandbox.count('authorize')).toBe(1);
		expect(world.sandbox.count('folder/info')).toBe(50);

		// stored with the credential, as n8n stores it
		const stored = world.engine.credentials.get(world.credential.id);
		expect(stored.accessToken).toMatch(/^[A-Za-z0-9]{128}$/);
		expect(stored.accountId).toBe(world.sandbox.demoAccount.id);

		const second = await world.run(listRoot, { items: items(50, () => ({ folder: folder.id })) });
		expect(second.error).toBeUndefined();
		expect(second.json).toHaveLength(50);
		expect(world.sandbox.count('authorize')).toBe(1);
	});

	it('an execution reads the credential once, whatever the operation (a folder change forgets listings, not the credential)', async () => {
		const parent = world.sandbox.addFolder(world.sandbox.demoAccount.id, { name: 'Reads test' });
		const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });
		const readsOf = async (parameters: Record<string, unknown>, json: IDataObject[]) => {
			const before = world.engine.credentials.reads;
			const run = await world.run(parameters as never, {
				items: json.map((entry) => ({ json: entry })),
			});
			expect(run.error).toBeUndefined();
			return { reads: world.engine.credentials.reads - before, json: run.json };
		};
		// signed in already (signing in reads the stored token again, by design)
		expect((await world.run({ resource: 'account', operation: 'get' })).error).toBeUndefined();
		// each item looks its parent up by path: a listing, forgotten after every create
		const created = await readsOf(
			// one item after another, so that each finds the listing of the one before forgotten
			{
				resource: 'folder',
				operation: 'create',
				folderName: '={{ $json.name }}',
				parentFolder: { __rl: true, mode: 'path', value: 'Reads test' },
				requestsInParallel: 1,
			},
			[1, 2, 3].map((n) => ({ name: `Made ${n}` })),
		);
		expect(world.sandbox.count('folder/listing')).toBeGreaterThanOrEqual(3);
		const made = created.json.map((folder) => ({ id: String(folder.id) }));
		const reads: Record<string, number> = { create: created.reads };
		const others: Array<[string, Record<string, unknown>]> = [
			[
				'update',
				{
					resource: 'folder',
					operation: 'update',
					folderId: byId('={{ $json.id }}'),
					updateFields: { folderName: '={{ "Renamed " + $json.id }}' },
				},
			],
			[
				'move',
				{
					resource: 'folder',
					operation: 'move',
					folderId: byId('={{ $json.id }}'),
					destinationFolder: byId('root'),
				},
			],
			['delete', { resource: 'folder', operation: 'delete', folderId: byId('={{ $json.id }}') }],
		];
		for (const [name, parameters] of others) reads[name] = (await readsOf(parameters, made)).reads;
		expect(reads).toEqual({ create: 1, update: 1, move: 1, delete: 1 });
		expect(
			world.sandbox.state.folders.filter((folder) => folder.parentId === parent.id),
		).toHaveLength(0);
	});

	it('an execution reads the credential once in every file and account operation too', async () => {
		expect((await world.run({ resource: 'account', operation: 'get' })).error).toBeUndefined();
		const demo = world.sandbox.demoAccount.id;
		const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });
		const three = () =>
			[0, 1, 2].map(
				(n) => world.sandbox.addFile(demo, { name: `reads-${n}.txt`, content: `reads ${n}` }).id,
			);
		const each = (ids: string[]) => ids.map((id) => ({ json: { id } }));
		const fileOf = byId('={{ $json.id }}');
		const cases: Array<[string, Record<string, unknown>, () => Promise<INodeExecutionData[]>]> = [
			['account get', { resource: 'account', operation: 'get' }, async () => items(3)],
			[
				'account get package',
				{ resource: 'account', operation: 'getPackage' },
				async () => items(3),
			],
			[
				'file get',
				{ resource: 'file', operation: 'get', fileId: fileOf },
				async () => each(three()),
			],
			[
				'file download',
				{ resource: 'file', operation: 'download', fileId: fileOf, binaryPropertyName: 'data' },
				async () => each(three()),
			],
			[
				'file update',
				{
					resource: 'file',
					operation: 'update',
					fileId: fileOf,
					updateFields: { fileName: '={{ "renamed-" + $json.id + ".txt" }}' },
				},
				async () => each(three()),
			],
			[
				'file move',
				{ resource: 'file', operation: 'move', fileId: fileOf, destinationFolder: byId('root') },
				async () => each(three()),
			],
			[
				'file copy',
				{ resource: 'file', operation: 'copy', fileId: fileOf, destinationFolder: byId('root') },
				async () => each(three()),
			],
			[
				'file delete',
				{ resource: 'file', operation: 'delete', fileId: fileOf },
				async () => each(three()),
			],
			[
				'file upload',
				{
					resource: 'file',
					operation: 'upload',
					binaryPropertyName: 'data',
					parentFolder: byId('root'),
				},
				async () =>
					await Promise.all(
						[0, 1, 2].map(
							async (n) =>
								await world.engine.binaryItem(Buffer.from(`upload ${n}`), {
									fileName: `read-${n}.txt`,
									mimeType: 'text/plain',
								}),
						),
					),
			],
			[
				'folder get many',
				{ resource: 'folder', operation: 'getMany', parentFolder: byId('root'), returnAll: true },
				async () => items(3),
			],
		];
		const reads: Record<string, number> = {};
		for (const [name, parameters, input] of cases) {
			const runItems = await input();
			const before = world.engine.credentials.reads;
			const run = await world.run(parameters as never, { items: runItems });
			expect([name, run.error?.message]).toEqual([name, undefined]);
			reads[name] = world.engine.credentials.reads - before;
		}
		expect(reads).toEqual(Object.fromEntries(cases.map(([name]) => [name, 1])));
	});

	it('a token killed mid-run costs exactly one re-authorize and no item fails', async () => {
		const folder = someFolder();
		world.sandbox.killTokensAfter(20);
		const run = await world.run(listRoot, { items: items(50, () => ({ folder: folder.id })) });
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(50);
		expect(run.json.every((entry) => entry.folderName === 'Token test')).toBe(true);
		expect(world.sandbox.count('authorize')).toBe(2);
		// the calls that met the dead token were sent again: at most one per item in flight, and a run
		// starts with 5 in flight and adds one per item ended, 20 of them before the token died
		const met = world.sandbox.log.filter(
			(entry) =>
				entry.endpoint === 'folder/info' &&
				entry.status === 200 &&
				/validate access_token/.test(entry.message ?? ''),
		).length;
		expect(met).toBeGreaterThanOrEqual(1);
		expect(met).toBeLessThanOrEqual(5 + 20);
		expect(world.sandbox.count('folder/info')).toBe(50 + met);
	});

	it('a token that expired while idle is renewed by the next execution', async () => {
		const folder = someFolder();
		world.sandbox.configure({ tokenIdleSeconds: 1 });
		await world.run(listRoot, { items: [{ json: { folder: folder.id } }] });
		world.clock.advance(1500);
		const later = await world.run(listRoot, { items: [{ json: { folder: folder.id } }] });
		expect(later.error).toBeUndefined();
		expect(world.sandbox.count('authorize')).toBe(2);
	});

	it('uses a token another execution already stored instead of logging it out', async () => {
		const folder = someFolder();
		await world.run(listRoot, { items: [{ json: { folder: folder.id } }] });
		const stale = world.engine.credentials.get(world.credential.id).accessToken;

		// Another execution signs in again (killing our token) and stores its new token...
		const other = world.addCredential();
		await world.run(listRoot, { items: [{ json: { folder: folder.id } }], credential: other });
		const fresh = world.engine.credentials.get(other.id).accessToken;
		expect(fresh).not.toBe(stale);
		world.engine.credentials.update(world.credential.id, { accessToken: fresh });

		// ...so this execution, holding the stale token when it starts, picks up the stored one.
		const authorizeBefore = world.sandbox.count('authorize');
		const run = await world.run(listRoot, { items: [{ json: { folder: folder.id } }] });
		expect(run.error).toBeUndefined();
		expect(world.sandbox.count('authorize')).toBe(authorizeBefore);
	});

	it('two executions sharing one credential, 100 items each, finish with no failed item and few /authorize calls', async () => {
		const folder = someFolder();
		const batch = items(100, () => ({ folder: folder.id }));
		const [a, b] = await Promise.all([
			world.run(listRoot, { items: batch, continueOnFail: true }),
			world.run(listRoot, { items: batch, continueOnFail: true }),
		]);
		for (const run of [a, b]) {
			expect(run.json).toHaveLength(100);
			expect(run.json.filter((entry) => entry.error)).toEqual([]);
		}
		// both start without a token; whichever /authorize comes second kills the other's token once
		expect(world.sandbox.count('authorize')).toBeLessThanOrEqual(3);
	});

	it('a site that ends every session at once: the call gives up after a bounded number of sign-ins and says why', async () => {
		const folder = someFolder();
		world.sandbox.killTokensEvery(1);
		const run = await world.run(listRoot, { items: [{ json: { folder: folder.id } }] });
		expect(run.error?.message).toMatch(
			/The site ended the session again after 5 renewals: another client keeps signing in to this account \[item 0\]/,
		);
		expect(world.sandbox.count('authorize')).toBeLessThanOrEqual(5);
	});
});
