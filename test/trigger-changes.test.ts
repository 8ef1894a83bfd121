/**
 * The trigger's change events (File Changed, File Trashed, Folder Changed, Folder Trashed) in
 * n8n's engine against the sandbox: each change once, nothing at activation, across a restart
 * (the state through JSON, as n8n's database keeps it), a failed poll changing nothing, the
 * manual test, Include Subfolders and the Name filter, and the state's size.
 */
import { describe, expect, it } from '@jest/globals';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { folderById, TRIGGER_TYPE, useWorld, type World } from './setup';

function poller(world: World, parameters: IDataObject, credential = world.credential) {
	const node = {
		type: TRIGGER_TYPE,
		parameters: parameters as any,
		credentials: { yetiShareApi: credential },
	};
	let staticData: IDataObject | undefined;
	return {
		/** A scheduled poll; its state is kept for the next, as n8n keeps it (JSON). */
		async poll() {
			const result = await world.engine.poll({ node, staticData });
			if (!result.error) staticData = JSON.parse(JSON.stringify(result.staticData));
			return result;
		},
		async manual() {
			return await world.engine.poll({ node, staticData, mode: 'manual' });
		},
		get state() {
			return staticData;
		},
	};
}

const json = (items: INodeExecutionData[][] | null) => (items?.[0] ?? []).map((item) => item.json);
const changeOf = (entry: IDataObject) => entry.change as IDataObject;

describe.each([{ scriptVersion: 5 as const }, { scriptVersion: 4 as const }])(
	'change events (script version $scriptVersion)',
	(site) => {
		const world = useWorld(site);
		const demo = () => world.sandbox.demoAccount.id;
		const fileById = (id: string) => world.sandbox.state.files.find((file) => file.id === id)!;
		const folderOf = (id: string) =>
			world.sandbox.state.folders.find((folder) => folder.id === id)!;

		/** A file of a few bytes (its name's) in that folder. */
		const put = (name: string, folderId: string) =>
			world.sandbox.addFile(demo(), { name, folderId, content: name });

		function tree() {
			const watched = world.sandbox.addFolder(demo(), { name: 'Watched' });
			const sub = world.sandbox.addFolder(demo(), { name: 'Sub', parentId: watched.id });
			const outside = world.sandbox.addFolder(demo(), { name: 'Outside' });
			return { watched, sub, outside };
		}

		it('File Changed: renamed, moved, replaced; nothing at activation, each once, new files not', async () => {
			const { watched, sub } = tree();
			const a = put('a.txt', watched.id);
			const b = put('b.txt', watched.id);
			const c = put('c.txt', sub.id);
			const trigger = poller(world, {
				event: 'fileChanged',
				folder: folderById(watched.id),
				options: { includeSubfolders: true },
			});
			const activation = await trigger.poll();
			expect(activation.error).toBeUndefined();
			expect(activation.items).toBeNull();

			fileById(a.id).filename = 'a-renamed.txt';
			fileById(b.id).folderId = sub.id;
			Object.assign(fileById(c.id), { fileSize: 12345, fileType: 'application/pdf' });
			put('new.txt', watched.id);
			const listings = world.sandbox.count('folder/listing');
			const changed = await trigger.poll();
			expect(changed.error).toBeUndefined();
			// one listing per watched folder, never a call per file
			expect(world.sandbox.count('folder/listing') - listings).toBe(2);
			const out = json(changed.items);
			expect(out.map((entry) => entry.id)).toEqual([a.id, b.id, c.id]);
			expect(changeOf(out[0])).toEqual({
				event: 'fileChanged',
				kinds: ['renamed'],
				fields: { filename: { after: 'a-renamed.txt' } },
			});
			expect(out[0].filename).toBe('a-renamed.txt');
			expect(changeOf(out[1]).kinds).toEqual(['moved']);
			expect(changeOf(out[1]).fields).toEqual({ folderId: { before: watched.id, after: sub.id } });
			expect(changeOf(out[2]).kinds).toEqual(['replaced']);
			expect(changeOf(out[2]).fields).toEqual({
				fileSize: { before: '5', after: '12345' },
				fileType: { after: 'application/pdf' },
			});

			expect((await trigger.poll()).items).toBeNull();
		});

		it('File Trashed: trashed, and moved out of the watched tree; File Changed: moved in', async () => {
			const { watched, outside } = tree();
			// in the account before the trigger's first poll: one moved in later has entered
			const coming = put('z.txt', outside.id);
			const doomed = put('x.txt', watched.id);
			const leaving = put('y.txt', watched.id);
			const trashed = poller(world, { event: 'fileTrashed', folder: folderById(watched.id) });
			const changed = poller(world, { event: 'fileChanged', folder: folderById(watched.id) });
			expect((await trashed.poll()).items).toBeNull();
			expect((await changed.poll()).items).toBeNull();

			fileById(doomed.id).status = 'trash';
			fileById(leaving.id).folderId = outside.id;
			fileById(coming.id).folderId = watched.id;

			const gone = json((await trashed.poll()).items);
			expect(gone.map((entry) => entry.id)).toEqual([doomed.id, leaving.id]);
			// a site that lists trashed files says so; one that does not (4.x) only shows it gone
			expect(changeOf(gone[0]).kinds).toEqual(site.scriptVersion === 5 ? ['trashed'] : ['gone']);
			expect(changeOf(gone[1]).kinds).toEqual(['gone']);
			expect(gone[1]).toMatchObject({ id: leaving.id, folderId: watched.id });
			const entered = json((await changed.poll()).items);
			expect(entered.map((entry) => [entry.id, changeOf(entry).kinds])).toEqual([
				[coming.id, ['entered']],
			]);

			expect((await trashed.poll()).items).toBeNull();
			expect((await changed.poll()).items).toBeNull();
		});

		it('Folder Changed and Folder Trashed: renamed, moved, privacy, trashed', async () => {
			const { watched, sub, outside } = tree();
			// made before a folder of the watched tree, so known to be no new one when it moves in
			const moved = world.sandbox.addFolder(demo(), { name: 'Moved', parentId: outside.id });
			const other = world.sandbox.addFolder(demo(), { name: 'Other', parentId: watched.id });
			const options = { includeSubfolders: true };
			const changed = poller(world, {
				event: 'folderChanged',
				folder: folderById(watched.id),
				options,
			});
			const trashed = poller(world, {
				event: 'folderTrashed',
				folder: folderById(watched.id),
				options,
			});
			expect((await changed.poll()).items).toBeNull();
			expect((await trashed.poll()).items).toBeNull();

			const wasPublic = sub.isPublic;
			const privacy = wasPublic === '0' ? '1' : '0';
			Object.assign(folderOf(sub.id), { folderName: 'Sub 2', isPublic: privacy });
			folderOf(other.id).status = 'trash';
			const out = json((await changed.poll()).items);
			expect(out).toHaveLength(1);
			expect(changeOf(out[0])).toEqual({
				event: 'folderChanged',
				kinds: ['renamed', 'privacy'],
				fields: {
					folderName: { before: 'Sub', after: 'Sub 2' },
					isPublic: { before: wasPublic, after: privacy },
				},
			});
			const gone = json((await trashed.poll()).items);
			expect(gone.map((entry) => [entry.id, entry.folderName, changeOf(entry).kinds])).toEqual([
				[other.id, 'Other', ['gone']],
			]);

			folderOf(moved.id).parentId = sub.id;
			const entered = json((await changed.poll()).items);
			expect(entered.map((entry) => [entry.id, changeOf(entry).kinds])).toEqual([
				[moved.id, ['entered']],
			]);
			folderOf(moved.id).parentId = watched.id;
			const movedAgain = json((await changed.poll()).items);
			expect(changeOf(movedAgain[0]).fields).toEqual({
				parentId: { before: sub.id, after: watched.id },
			});
		});

		it('changes while n8n was stopped are reported once after the restart; a failed poll changes nothing', async () => {
			const { watched } = tree();
			const file = put('f.txt', watched.id);
			const credential = world.addCredential({ maxRetryWait: 0 });
			const trigger = poller(
				world,
				{ event: 'fileChanged', folder: folderById(watched.id) },
				credential,
			);
			await trigger.poll();
			const saved = trigger.state;

			fileById(file.id).filename = 'while-stopped.txt';
			world.sandbox.fail({ endpoint: 'folder/listing' }, { status: 500 });
			const failed = await trigger.poll();
			expect(failed.error).toBeDefined();
			expect(trigger.state).toEqual(saved);

			const after = json((await trigger.poll()).items);
			expect(after.map((entry) => [entry.id, entry.filename])).toEqual([
				[file.id, 'while-stopped.txt'],
			]);
			expect((await trigger.poll()).items).toBeNull();
		});

		it('the manual test shows the newest change and leaves the state alone', async () => {
			const { watched } = tree();
			const first = put('1.txt', watched.id);
			const second = put('2.txt', watched.id);
			const trigger = poller(world, { event: 'fileChanged', folder: folderById(watched.id) });
			expect((await trigger.manual()).items).toBeNull(); // not active yet: nothing to compare with
			await trigger.poll();
			const state = trigger.state;
			fileById(first.id).filename = '1b.txt';
			fileById(second.id).filename = '2b.txt';
			const sample = await trigger.manual();
			expect(json(sample.items).map((entry) => entry.id)).toEqual([second.id]);
			expect(JSON.parse(JSON.stringify(sample.staticData))).toEqual(state);
			expect(json((await trigger.poll()).items).map((entry) => entry.id)).toEqual([
				first.id,
				second.id,
			]);
		});

		it('the Name filter: a file renamed to match has entered, one renamed not to match has gone', async () => {
			const { watched } = tree();
			const pdf = put('a.pdf', watched.id);
			const txt = put('b.txt', watched.id);
			const options = { name: '*.pdf' };
			const changed = poller(world, {
				event: 'fileChanged',
				folder: folderById(watched.id),
				options,
			});
			const trashed = poller(world, {
				event: 'fileTrashed',
				folder: folderById(watched.id),
				options,
			});
			await changed.poll();
			await trashed.poll();
			fileById(pdf.id).filename = 'a.txt';
			fileById(txt.id).filename = 'b.pdf';
			expect(
				json((await changed.poll()).items).map((entry) => [entry.id, changeOf(entry).kinds]),
			).toEqual([[txt.id, ['entered']]]);
			expect(
				json((await trashed.poll()).items).map((entry) => [entry.id, changeOf(entry).kinds]),
			).toEqual([[pdf.id, ['gone']]]);
		});
	},
);

describe('the state of the change events', () => {
	const world = useWorld({});

	it('stays under 16 bytes a file for 10,000 files in 50 folders', async () => {
		const watched = world.sandbox.addFolder(world.sandbox.demoAccount.id, { name: 'Big' });
		const folders = Array.from({ length: 50 }, (_, i) =>
			world.sandbox.addFolder(world.sandbox.demoAccount.id, {
				name: `F${i}`,
				parentId: watched.id,
			}),
		);
		for (let i = 0; i < 10_000; i++) {
			world.sandbox.addFile(world.sandbox.demoAccount.id, {
				name: `report-${i}.pdf`,
				folderId: folders[i % 50].id,
				content: 'x'.repeat(i % 5000),
			});
		}
		const trigger = poller(world, {
			event: 'fileChanged',
			folder: folderById(watched.id),
			options: { includeSubfolders: true },
		});
		const activation = await trigger.poll();
		expect(activation.error).toBeUndefined();
		const bytes = Buffer.byteLength(JSON.stringify(activation.nodeStaticData));
		expect(bytes / 10_000).toBeLessThan(16);
	});
});
