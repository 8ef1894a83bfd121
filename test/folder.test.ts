import { createHash } from 'crypto';
import { describe, expect, it } from '@jest/globals';

import { folderById, items, useWorld } from './setup';

const root = { __rl: true, mode: 'list', value: 'root' };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const searchFolders = (parameters: Record<string, unknown>) => ({
	resource: 'folder',
	operation: 'search',
	parentFolder: root,
	returnAll: true,
	...parameters,
});
const paths = (json: Array<Record<string, unknown>>) => json.map((entry) => entry.path);

describe.each([
	{ authMode: 'keys' as const, scriptVersion: 5 as const },
	{ authMode: 'login' as const, scriptVersion: 5 as const },
	{ authMode: 'keys' as const, scriptVersion: 4 as const },
	{ authMode: 'login' as const, scriptVersion: 4 as const },
])('Folder resource ($authMode, script version $scriptVersion)', (site) => {
	const world = useWorld(site);
	const demo = () => world.sandbox.demoAccount.id;

	describe('Create', () => {
		it('makes a folder under the chosen parent, with visibility and a hashed password', async () => {
			const parent = world.sandbox.addFolder(demo(), { name: 'Reports' });
			const { json, error } = await world.run({
				resource: 'folder',
				operation: 'create',
				folderName: 'Q3 2026',
				parentFolder: folderById(parent.id),
				additionalFields: { visibility: 2, password: 's3cret pass' },
			});
			expect(error).toBeUndefined();
			expect(json[0].folderName).toBe('Q3 2026');
			expect(String(json[0].parentId)).toBe(String(parent.id));
			expect(String(json[0].isPublic)).toBe('2');
			expect(json[0].hasPassword).toBe(true);
			expect(
				world.sandbox.state.folders.find((folder) => folder.id === String(json[0].id))
					?.accessPassword,
			).toBe(md5('s3cret pass'));

			const info = await world.run({
				resource: 'folder',
				operation: 'get',
				folderId: folderById(json[0].id as string),
			});
			expect(info.json[0].folderName).toBe('Q3 2026');
		});

		it('puts the folder in the root by default, private', async () => {
			const { json, error } = await world.run({
				resource: 'folder',
				operation: 'create',
				folderName: 'Top level',
				parentFolder: root,
			});
			expect(error).toBeUndefined();
			expect(json[0].parentId).toBeNull();
			expect(String(json[0].isPublic)).toBe('0');
		});

		it('many items make one folder each, output in order and paired with its input', async () => {
			const made = await world.run(
				{
					resource: 'folder',
					operation: 'create',
					folderName: '={{ "Batch " + $json.i }}',
					parentFolder: root,
				},
				{ items: items(5) },
			);
			expect(made.error).toBeUndefined();
			expect(made.json.map((entry) => entry.folderName)).toEqual([
				'Batch 0',
				'Batch 1',
				'Batch 2',
				'Batch 3',
				'Batch 4',
			]);
			expect(made.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([
				0, 1, 2, 3, 4,
			]);
		});
	});

	describe('Delete', () => {
		it('moves the folder to the trash', async () => {
			const folder = world.sandbox.addFolder(demo(), { name: 'Doomed' });
			const { json, error } = await world.run({
				resource: 'folder',
				operation: 'delete',
				folderId: folderById(folder.id),
			});
			expect(error).toBeUndefined();
			expect(json[0]).toMatchObject({ id: String(folder.id), deleted: true });
			const listing = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: root,
				include: 'folders',
				returnAll: true,
			});
			expect(listing.json.map((entry) => entry.folderName)).not.toContain('Doomed');
		});
	});

	describe('Get', () => {
		it('accepts the folder by ID, by URL, and from an expression', async () => {
			const folder = world.sandbox.addFolder(demo(), { name: 'Contracts' });
			const byId = await world.run({
				resource: 'folder',
				operation: 'get',
				folderId: folderById(folder.id),
			});
			expect(byId.json[0].folderName).toBe('Contracts');

			const url = byId.json[0].url_folder as string;
			const byUrl = await world.run({
				resource: 'folder',
				operation: 'get',
				folderId: { __rl: true, mode: 'url', value: url },
			});
			expect(byUrl.error).toBeUndefined();
			expect(byUrl.json[0].id).toBe(byId.json[0].id);

			const byExpression = await world.run(
				{
					resource: 'folder',
					operation: 'get',
					folderId: { __rl: true, mode: 'id', value: '={{ $json.folder }}' },
				},
				{ items: [{ json: { folder: folder.id } }] },
			);
			expect(byExpression.json[0].folderName).toBe('Contracts');
		});
	});

	describe('Get Many', () => {
		it('lists folders then files of one level, each as its own item with a type', async () => {
			const parent = world.sandbox.addFolder(demo(), { name: 'Mixed' });
			world.sandbox.addFolder(demo(), { name: 'Sub A', parentId: parent.id });
			world.sandbox.addFolder(demo(), { name: 'Sub B', parentId: parent.id });
			world.sandbox.addFile(demo(), { name: 'invoice-1.pdf', folderId: parent.id, content: 'one' });
			world.sandbox.addFile(demo(), { name: 'notes.txt', folderId: parent.id, content: 'two' });

			const all = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'all',
				returnAll: true,
			});
			expect(all.error).toBeUndefined();
			expect(all.json.map((entry) => [entry.type, entry.folderName ?? entry.filename])).toEqual([
				['folder', 'Sub A'],
				['folder', 'Sub B'],
				['file', 'invoice-1.pdf'],
				['file', 'notes.txt'],
			]);
			expect(
				all.items.every(
					(item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0,
				),
			).toBe(true);

			const files = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'files',
				returnAll: true,
			});
			expect(files.json.map((entry) => entry.filename)).toEqual(['invoice-1.pdf', 'notes.txt']);

			const limited = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'all',
				returnAll: false,
				limit: 3,
			});
			expect(limited.json).toHaveLength(3);

			const filtered = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'all',
				returnAll: true,
				filters: { name: '*.PDF' },
			});
			expect(filtered.json.map((entry) => entry.filename)).toEqual(['invoice-1.pdf']);
		});

		it('leaves trashed files out unless asked for', async () => {
			const parent = world.sandbox.addFolder(demo(), { name: 'With trash' });
			world.sandbox.addFile(demo(), { name: 'keep.txt', folderId: parent.id, content: 'k' });
			world.sandbox.addFile(demo(), {
				name: 'gone.txt',
				folderId: parent.id,
				content: 'g',
				status: 'trash',
			});

			const active = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'files',
				returnAll: true,
			});
			expect(active.json.map((entry) => entry.filename)).toEqual(['keep.txt']);

			const withTrash = await world.run({
				resource: 'folder',
				operation: 'getMany',
				parentFolder: folderById(parent.id),
				include: 'files',
				returnAll: true,
				filters: { includeTrashed: true },
			});
			// script 4.x never lists trashed files; 5.x does, and the option shows them
			expect(withTrash.json.map((entry) => entry.filename).sort()).toEqual(
				site.scriptVersion === 5 ? ['gone.txt', 'keep.txt'] : ['keep.txt'],
			);
		});
	});

	describe('Move', () => {
		it('puts a folder into another folder, and back to the root', async () => {
			const folder = world.sandbox.addFolder(demo(), { name: 'Wanderer' });
			const target = world.sandbox.addFolder(demo(), { name: 'Destination' });
			const moved = await world.run({
				resource: 'folder',
				operation: 'move',
				folderId: folderById(folder.id),
				destinationFolder: folderById(target.id),
			});
			expect(moved.error).toBeUndefined();
			expect(String(moved.json[0].parentId)).toBe(String(target.id));

			const back = await world.run({
				resource: 'folder',
				operation: 'move',
				folderId: folderById(folder.id),
				destinationFolder: root,
			});
			expect(back.error).toBeUndefined();
			expect(back.json[0].parentId).toBeNull();
		});
	});

	describe('Search', () => {
		it('finds folders by name anywhere below the Parent Folder, each with its path', async () => {
			const run = await world.run(searchFolders({ name: 'march' }));
			expect(run.error).toBeUndefined();
			expect(run.json.map((entry) => [entry.type, entry.path, entry.id])).toEqual([
				['folder', 'Invoices/2026/March', '125'],
			]);
			expect(run.json[0]).not.toHaveProperty('accessPassword');

			const below = await world.run(searchFolders({ parentFolder: folderById('126') }));
			expect(paths(below.json)).toEqual(['Holidays']);
			const top = await world.run(searchFolders({ name: '*', includeSubfolders: false }));
			expect(paths(top.json)).toEqual(
				expect.arrayContaining(['Invoices', 'Photos', 'Shared with team', 'Private']),
			);
			expect(paths(top.json)).not.toContain('Invoices/2026');
		});

		it('a backslash makes ? and * in the Name literal', async () => {
			const top = world.sandbox.addFolder(demo(), { name: 'Questions' });
			for (const name of ['Why?', 'Whys', 'Why*'])
				world.sandbox.addFolder(demo(), { name, parentId: top.id });
			const found = async (name: string) =>
				paths(
					(await world.run(searchFolders({ parentFolder: folderById(top.id), name }))).json,
				).sort();
			expect(await found('Why?')).toEqual(['Why*', 'Why?', 'Whys']);
			expect(await found('Why\\?')).toEqual(['Why?']);
			expect(await found('Why\\*')).toEqual(['Why*']);
		});

		it('a Limit ends the walk early; Return All reads every folder once', async () => {
			const top = world.sandbox.addFolder(demo(), { name: 'Tree' });
			world.sandbox.seedTree(demo(), { folders: 62, depth: 5, files: 0, parentId: top.id });
			world.sandbox.clearLog();
			const all = await world.run(
				searchFolders({ parentFolder: folderById(top.id), name: 'Level 5 *' }),
			);
			expect([all.json.length, world.sandbox.count('folder/listing')]).toEqual([32, 1 + 62]);
			world.sandbox.clearLog();
			const two = await world.run(
				searchFolders({ parentFolder: folderById(top.id), returnAll: false, limit: 2 }),
			);
			expect([paths(two.json), world.sandbox.count('folder/listing')]).toEqual([
				['Level 1 folder 1', 'Level 1 folder 2'],
				1,
			]);
		});
	});

	describe('Update', () => {
		it('changes only the fields that were set', async () => {
			const folder = world.sandbox.addFolder(demo(), { name: 'Old name', isPublic: 1 });
			const renamed = await world.run({
				resource: 'folder',
				operation: 'update',
				folderId: folderById(folder.id),
				updateFields: { folderName: 'New name' },
			});
			expect(renamed.error).toBeUndefined();
			expect(renamed.json[0].folderName).toBe('New name');
			expect(String(renamed.json[0].isPublic)).toBe('1');
			const sent = world.sandbox.log.filter((entry) => entry.endpoint === 'folder/edit').pop()!;
			expect(Object.keys(sent.params).sort()).toEqual([
				'access_token',
				'account_id',
				'folder_id',
				'folder_name',
			]);

			const hidden = await world.run({
				resource: 'folder',
				operation: 'update',
				folderId: folderById(folder.id),
				updateFields: { visibility: 0, password: 'pw' },
			});
			expect(String(hidden.json[0].isPublic)).toBe('0');
			expect(hidden.json[0].folderName).toBe('New name');
			expect(hidden.json[0].hasPassword).toBe(true);
			expect(
				world.sandbox.state.folders.find((entry) => entry.id === folder.id)?.accessPassword,
			).toBe(md5('pw'));
		});
	});

	describe('every operation that outputs a folder', () => {
		it.each([false, true])(
			"a folder's password hash never reaches the output, only whether it has one (listings with passwords: %s)",
			async (listingPasswords) => {
				world.sandbox.configure({ listingPasswords });
				const parent = world.sandbox.addFolder(demo(), { name: 'Parent' });
				const locked = world.sandbox.addFolder(demo(), {
					name: 'Locked',
					parentId: parent.id,
					accessPassword: md5('hunter2'),
				});
				const open = world.sandbox.addFolder(demo(), { name: 'Open', parentId: parent.id });
				const byId = (id: string) => folderById(id);
				const runs = [
					await world.run({
						resource: 'folder',
						operation: 'create',
						folderName: 'New',
						parentFolder: byId(parent.id),
						additionalFields: { password: 'hunter2' },
					}),
					await world.run({ resource: 'folder', operation: 'get', folderId: byId(locked.id) }),
					await world.run({
						resource: 'folder',
						operation: 'update',
						folderId: byId(locked.id),
						updateFields: { folderName: 'Still locked' },
					}),
					await world.run({
						resource: 'folder',
						operation: 'move',
						folderId: byId(locked.id),
						destinationFolder: byId(parent.id),
					}),
				];
				for (const run of runs) {
					expect(run.error).toBeUndefined();
					expect(run.json[0]).toMatchObject({ hasPassword: true });
				}
				const listed = await world.run({
					resource: 'folder',
					operation: 'getMany',
					parentFolder: byId(parent.id),
					include: 'folders',
					returnAll: true,
				});
				const openInfo = await world.run({
					resource: 'folder',
					operation: 'get',
					folderId: byId(open.id),
				});
				expect(openInfo.json[0]).toMatchObject({ hasPassword: false });
				// a listing shows whether a folder is locked only when the site lists the hash
				expect(listed.json.map((entry) => [entry.folderName, entry.hasPassword])).toEqual(
					listingPasswords
						? [
								['New', true],
								['Open', false],
								['Still locked', true],
							]
						: [
								['New', undefined],
								['Open', undefined],
								['Still locked', undefined],
							],
				);
				const output = JSON.stringify([...runs, listed, openInfo].map((run) => run.items));
				expect(output).not.toContain(md5('hunter2'));
				expect(output).not.toMatch(/accessPassword/);
			},
		);
	});

	describe('the folder picker', () => {
		it('lists the tree with paths, root first', async () => {
			const parent = world.sandbox.addFolder(demo(), { name: 'Picker parent' });
			world.sandbox.addFolder(demo(), { name: 'Picker child', parentId: parent.id });
			const node = {
				type: 'CUSTOM.yetiShare',
				parameters: { resource: 'folder', operation: 'get' },
				credentials: { yetiShareApi: world.credential },
			};
			const withRoot = await world.engine.listSearch({ node, method: 'searchFoldersWithRoot' });
			expect(withRoot.results[0]).toEqual({ name: '/ (Root)', value: 'root' });
			let results = withRoot.results;
			let token = withRoot.paginationToken;
			while (token) {
				const page = await world.engine.listSearch({
					node,
					method: 'searchFoldersWithRoot',
					paginationToken: token,
				});
				results = results.concat(page.results);
				token = page.paginationToken;
			}
			expect(results.map((result) => result.name)).toEqual(
				expect.arrayContaining(['/Picker parent', '/Picker parent/Picker child']),
			);

			const search = await world.engine.listSearch({
				node,
				method: 'searchFolders',
				filter: 'picker CHILD',
			});
			const found = [search];
			for (let t = search.paginationToken; t; ) {
				const page = await world.engine.listSearch({
					node,
					method: 'searchFolders',
					filter: 'picker CHILD',
					paginationToken: t,
				});
				found.push(page);
				t = page.paginationToken;
			}
			expect(found.flatMap((page) => page.results).map((result) => result.name)).toEqual([
				'/Picker parent/Picker child',
			]);
		});
	});
});
