/**
 * File → Search: the API has none, so the node walks the tree. What a user checks: the right
 * files with their paths, the filters, and that a Limit ends the walk early. (Kept apart from
 * file.test.ts for its size; Folder → Search is in folder.test.ts.)
 */
import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from '@jest/globals';

import { folderById, useWorld, type World } from './setup';

const root = folderById('root');
const demo = (world: World) => world.sandbox.demoAccount.id;
const searchFiles = (parameters: Record<string, unknown>) => ({
	resource: 'file',
	operation: 'search',
	parentFolder: root,
	returnAll: true,
	...parameters,
});
const paths = (json: Array<Record<string, unknown>>) => json.map((entry) => entry.path);

/** Runs a search and says how many folder listings it read. */
async function withListings(world: World, parameters: Record<string, unknown>) {
	world.sandbox.clearLog();
	const run = await world.run(parameters as INodeParameters);
	expect(run.error).toBeUndefined();
	return { json: run.json, listings: world.sandbox.count('folder/listing') };
}

describe.each([{ scriptVersion: 5 as const }, { scriptVersion: 4 as const }])(
	'File → Search (script $scriptVersion)',
	(site) => {
		const world = useWorld(site);

		it('finds files by a name pattern anywhere in the account, case-insensitive, each with its path and type', async () => {
			const run = await world.run(searchFiles({ name: 'INVOICE-*.pdf' }));
			expect(run.error).toBeUndefined();
			expect(paths(run.json)).toEqual([
				'Invoices/2026/March/invoice-2026-001.pdf',
				'Invoices/2026/March/invoice-2026-002.pdf',
			]);
			expect(
				run.json.every((entry) => entry.type === 'file' && typeof entry.shortUrl === 'string'),
			).toBe(true);

			const text = await world.run(searchFiles({ name: 'notes' }));
			expect(paths(text.json)).toEqual(['Shared with team/team-notes.md']);
		});

		it('looks only in the Parent Folder without Include Subfolders, and gives paths from there', async () => {
			const deep = await world.run(searchFiles({ parentFolder: folderById('123') }));
			expect(paths(deep.json)).toEqual([
				'2026/summary-2026.csv',
				'2026/March/invoice-2026-001.pdf',
				'2026/March/invoice-2026-002.pdf',
			]);
			const flat = await world.run(
				searchFiles({ parentFolder: folderById('124'), includeSubfolders: false }),
			);
			expect(paths(flat.json)).toEqual(['summary-2026.csv']);
		});

		it('filters by MIME type or extension and by size', async () => {
			const folder = world.sandbox.addFolder(demo(world), { name: 'Sizes' });
			for (const [name, bytes] of [
				['small.bin', 10],
				['medium.bin', 1000],
				['large.bin', 5000],
			] as const) {
				world.sandbox.addFile(demo(world), {
					name,
					folderId: folder.id,
					content: Buffer.alloc(bytes, 1),
				});
			}
			const images = await world.run(searchFiles({ filters: { fileType: 'image/' } }));
			expect(paths(images.json).sort()).toEqual(['Photos/Holidays/beach.png', 'Photos/sunset.jpg']);
			const csv = await world.run(searchFiles({ filters: { fileType: '.CSV' } }));
			expect(paths(csv.json)).toEqual(['Invoices/2026/summary-2026.csv']);
			const sized = await world.run(
				searchFiles({ name: '*.bin', filters: { minSize: 500, maxSize: 2000 } }),
			);
			expect(paths(sized.json)).toEqual(['Sizes/medium.bin']);
			const atLeast = await world.run(searchFiles({ name: '*.bin', filters: { minSize: 1000 } }));
			expect(paths(atLeast.json)).toEqual(['Sizes/large.bin', 'Sizes/medium.bin']);
		});

		it('trashed files only when asked (script 5 lists them; 4 lists none)', async () => {
			const trashed = await world.run(searchFiles({ filters: { trashed: 'trashed' } }));
			expect(paths(trashed.json)).toEqual(site.scriptVersion === 5 ? ['old-notes.txt'] : []);
			const active = await world.run(searchFiles({ name: 'old-notes' }));
			expect(active.json).toEqual([]);
			const both = await world.run(searchFiles({ name: '*notes*', filters: { trashed: 'both' } }));
			expect(paths(both.json).sort()).toEqual(
				site.scriptVersion === 5
					? ['Shared with team/team-notes.md', 'old-notes.txt']
					: ['Shared with team/team-notes.md'],
			);
		});

		it('a Limit ends the walk as soon as it is reached', async () => {
			const top = world.sandbox.addFolder(demo(world), { name: 'Many' });
			world.sandbox.seedTree(demo(world), { folders: 62, depth: 5, files: 620, parentId: top.id });
			const all = await withListings(
				world,
				searchFiles({ parentFolder: folderById(top.id), name: 'seeded-*' }),
			);
			expect([all.json.length, all.listings]).toEqual([620, 1 + 62]);
			const three = await withListings(
				world,
				searchFiles({
					parentFolder: folderById(top.id),
					name: 'seeded-*',
					returnAll: false,
					limit: 3,
				}),
			);
			// the first level's folders hold 10 files each: the walk ends within the first listings read at once
			expect(three.json).toHaveLength(3);
			expect(three.listings).toBeLessThanOrEqual(1 + 5);
		});

		it('a backslash makes * and ? in the Name literal (\\*, \\?, and \\\\ for a backslash)', async () => {
			// the sandbox, like the site, keeps * ? and \ in a name (uploads only strip tags and trim)
			const folder = world.sandbox.addFolder(demo(world), { name: 'Marks' });
			for (const name of [
				'what?.txt',
				'whats.txt',
				'star*.txt',
				'stars.txt',
				'back\\slash.txt',
				'backslash.txt',
			]) {
				world.sandbox.addFile(demo(world), { name, folderId: folder.id, content: name });
			}
			const found = async (name: string) =>
				paths(
					(await world.run(searchFiles({ parentFolder: folderById(folder.id), name }))).json,
				).sort();
			expect(await found('what?.txt')).toEqual(['what?.txt', 'whats.txt']);
			expect(await found('what\\?.txt')).toEqual(['what?.txt']);
			expect(await found('*\\?*')).toEqual(['what?.txt']);
			expect(await found('star*.txt')).toEqual(['star*.txt', 'stars.txt']);
			expect(await found('*\\*.txt')).toEqual(['star*.txt']);
			expect(await found('STAR\\*')).toEqual(['star*.txt']);
			expect(await found('back\\\\*')).toEqual(['back\\slash.txt']);
			expect(await found('back\\*')).toEqual([]);
			expect(await found('back?slash.txt')).toEqual(['back\\slash.txt']);
		});

		it('says which parameter is wrong', async () => {
			const gone = await world.run(searchFiles({ parentFolder: folderById('99999') }), {
				continueOnFail: true,
			});
			expect(gone.json[0].error).toMatch(
				/Parameter "Parent Folder" is folder 99999, which this account does not have.*\[item 0\]/,
			);
			const sizes = await world.run(searchFiles({ filters: { minSize: 100, maxSize: 10 } }), {
				continueOnFail: true,
			});
			expect(sizes.json[0].error).toMatch(
				/Parameter "Max Size \(Bytes\)" is 10, below Min Size \(Bytes\) 100.*\[item 0\]/,
			);
		});
	},
);
