/**
 * The one walk of the folder tree (nodes/YetiShare/shared/tree.ts) behind the pickers, the
 * trigger's Include Subfolders and the short-link search of older sites: listings read several
 * at once on a site some milliseconds away, and every folder seen, in the same order every time.
 */
import type { IDataObject, INodeListSearchResult } from 'n8n-workflow';
import { describe, expect, it } from '@jest/globals';

import { folderById, NODE_TYPE, TRIGGER_TYPE, useWorld, type World } from './setup';

const LISTINGS_IN_PARALLEL = 5;

/** "Walk root" with 4 folders, each with 4 more, and a file in each of the 16 at the bottom. */
function plantTree(world: World, top = 'Walk root') {
	const demo = world.sandbox.demoAccount.id;
	const root = world.sandbox.addFolder(demo, { name: top });
	const leaves: string[] = [];
	for (let a = 0; a < 4; a++) {
		const branch = world.sandbox.addFolder(demo, { name: `Branch ${a}`, parentId: root.id });
		for (let b = 0; b < 4; b++) {
			const leaf = world.sandbox.addFolder(demo, { name: `Leaf ${a}.${b}`, parentId: branch.id });
			world.sandbox.addFile(demo, {
				name: `file-${a}.${b}.txt`,
				folderId: leaf.id,
				content: `${a}.${b}`,
			});
			leaves.push(leaf.id);
		}
	}
	return { root, leaves };
}

async function allPages(world: World, method: string, filter?: string) {
	const node = {
		type: NODE_TYPE,
		parameters: { resource: 'folder', operation: 'get' },
		credentials: { yetiShareApi: world.credential },
	};
	const pages: INodeListSearchResult[] = [];
	let token: string | undefined;
	do {
		const listingsBefore = world.sandbox.count('folder/listing');
		const page = await world.engine.listSearch({ node, method, filter, paginationToken: token });
		expect(world.sandbox.count('folder/listing') - listingsBefore).toBeLessThanOrEqual(10);
		pages.push(page);
		token = page.paginationToken;
	} while (token);
	return pages.flatMap((page) => page.results.map((result) => result.name));
}

describe('walking the folder tree, on a site 20–60 ms away', () => {
	const world = useWorld({ latencyMs: 20, latencyJitterMs: 40 });

	it(
		`the folder picker reads ${LISTINGS_IN_PARALLEL} listings at once, ` +
			`at most 10 a page, and shows the tree breadth-first, the same way every time`,
		async () => {
			plantTree(world);
			const first = await allPages(world, 'searchFolders');
			expect(world.sandbox.peakInFlight('folder/listing')).toBe(LISTINGS_IN_PARALLEL);
			const ours = first.filter((path) => path.startsWith('/Walk root'));
			expect(ours).toHaveLength(1 + 4 + 16);
			const depths = first.map((path) => path.split('/').length);
			expect(depths).toEqual([...depths].sort((a, b) => a - b));
			expect(await allPages(world, 'searchFolders')).toEqual(first);
		},
	);

	it('the file picker finds a file at the bottom of the tree, with its path', async () => {
		plantTree(world);
		expect(await allPages(world, 'searchFiles', 'file-3.2')).toEqual([
			'/Walk root/Branch 3/Leaf 3.2/file-3.2.txt',
		]);
		expect(world.sandbox.peakInFlight('folder/listing')).toBe(LISTINGS_IN_PARALLEL);
	});
});

describe('the trigger with Include Subfolders, on a site 20–60 ms away', () => {
	const world = useWorld({ latencyMs: 20, latencyJitterMs: 40 });

	it(`reads the watched tree ${LISTINGS_IN_PARALLEL} listings at once and starts one item per new file`, async () => {
		const { root, leaves } = plantTree(world);
		const node = {
			type: TRIGGER_TYPE,
			parameters: {
				event: 'fileAdded',
				folder: folderById(root.id),
				options: { includeSubfolders: true },
			},
			credentials: { yetiShareApi: world.credential },
		};
		const activation = await world.engine.poll({ node });
		expect(activation.items).toBeNull();
		const added = leaves.map(
			(leaf, i) =>
				world.sandbox.addFile(world.sandbox.demoAccount.id, {
					name: `new-${i}.txt`,
					folderId: leaf,
					content: String(i),
				}).id,
		);
		world.sandbox.clearLog();
		const poll = await world.engine.poll({ node, staticData: activation.staticData });
		expect(poll.items![0].map((item) => (item.json as IDataObject).id)).toEqual(added);
		expect(world.sandbox.count('folder/listing')).toBe(1 + 4 + 16);
		expect(world.sandbox.peakInFlight('folder/listing')).toBe(LISTINGS_IN_PARALLEL);
	});
});

describe('a short link on the older API revision, on a site 20–60 ms away', () => {
	const world = useWorld({ revision: 'older', latencyMs: 20, latencyJitterMs: 40 });

	it(`is searched for ${LISTINGS_IN_PARALLEL} listings at once`, async () => {
		const { leaves } = plantTree(world);
		const file = world.sandbox.state.files.find((candidate) => candidate.folderId === leaves[15])!;
		world.sandbox.clearLog();
		const run = await world.run({
			resource: 'file',
			operation: 'get',
			fileId: { __rl: true, mode: 'url', value: `${world.sandbox.baseUrl}/${file.shortUrl}` },
		});
		expect(run.error).toBeUndefined();
		expect(run.json[0].filename).toBe(file.filename);
		expect(world.sandbox.peakInFlight('folder/listing')).toBe(LISTINGS_IN_PARALLEL);
	});
});
