import { createHash, randomBytes } from 'crypto';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { describe, expect, it } from '@jest/globals';

import { folderById, useWorld, type World } from './setup';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const fileById = (id: string | number) => ({ __rl: true, mode: 'id', value: String(id) });
const folderByPath = (path: string) => ({ __rl: true, mode: 'path', value: path });
const root = folderById('root');

async function uploadBytes(
	world: World,
	bytes: Buffer,
	parameters: Record<string, unknown> = {},
	fileName = 'random.bin',
) {
	const item = await world.engine.binaryItem(bytes, {
		fileName,
		mimeType: 'application/octet-stream',
	});
	return await world.run(
		{
			resource: 'file',
			operation: 'upload',
			binaryPropertyName: 'data',
			parentFolder: root,
			...parameters,
		} as any,
		{
			items: [item],
			continueOnFail: true,
		},
	);
}

/**
 * An upload of a binary whose file name an upstream node set as it liked (a Code node, an email
 * attachment): n8n's own helpers would already have cut a path off, so the name is set on the item.
 */
async function uploadNamed(world: World, bytes: Buffer, fileName: string) {
	const item = await world.engine.binaryItem(bytes, {
		fileName: 'placeholder.bin',
		mimeType: 'application/octet-stream',
	});
	item.binary!.data.fileName = fileName;
	return await world.run(
		{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
		{ items: [item], continueOnFail: true },
	);
}

/** A web server the site fetches URL uploads from: /report.pdf answers `payload`, anything else 404. */
function useOrigin(payload: Buffer) {
	const origin = { url: '' };
	let server: Server;
	beforeAll(async () => {
		server = createServer((request, response) => {
			if (request.url === '/report.pdf') {
				response.writeHead(200, {
					'content-type': 'application/pdf',
					'content-length': payload.length,
				});
				response.end(payload);
			} else {
				response.writeHead(404).end('missing');
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => await new Promise((resolve) => server.close(resolve)));
	return origin;
}

describe.each([{ revision: 'newer' as const }, { revision: 'older' as const }])(
	'File resource ($revision API revision)',
	(site) => {
		const world = useWorld(site);
		const demo = () => world.sandbox.demoAccount.id;
		const shortLink = (code: string) => ({
			__rl: true,
			mode: 'url',
			value: `${world.sandbox.baseUrl}/${code}`,
		});
		// URL uploads are in the newer API revision only
		const newer = site.revision === 'newer';
		const payload = randomBytes(200_000);
		const origin = useOrigin(payload);

		describe('Copy', () => {
			it('makes a copy under the same name in the chosen folder, and says which file it copied', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Work' });
				const file = world.sandbox.addFile(demo(), {
					name: 'final.txt',
					folderId: folder.id,
					content: 'final',
				});
				const copied = await world.run({
					resource: 'file',
					operation: 'copy',
					fileId: fileById(file.id),
					destinationFolder: root,
				});
				expect(copied.error).toBeUndefined();
				expect(copied.json[0].id).not.toBe(String(file.id));
				expect(copied.json[0].filename).toBe('final.txt');
				expect((copied.json[0].original_file as any).id).toBe(String(file.id));
			});
		});

		describe('Delete', () => {
			it('moves the file to the trash', async () => {
				const file = world.sandbox.addFile(demo(), { name: 'draft.txt', content: 'draft' });
				const deleted = await world.run({
					resource: 'file',
					operation: 'delete',
					fileId: fileById(file.id),
				});
				expect(deleted.error).toBeUndefined();
				expect(deleted.json[0].status).toBe('trash');
			});
		});

		describe('Download', () => {
			it('by file ID gives the file as binary data', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Deep' });
				const file = world.sandbox.addFile(demo(), {
					name: 'old.txt',
					folderId: folder.id,
					content: 'old site',
				});
				const run = await world.run({
					resource: 'file',
					operation: 'download',
					fileId: fileById(file.id),
					binaryPropertyName: 'data',
				});
				expect(run.error).toBeUndefined();
				expect((await world.engine.binaryBuffer(run.items[0])).toString()).toBe('old site');
			});

			it('by short link, and link only', async () => {
				const file = world.sandbox.addFile(demo(), {
					name: 'linked.txt',
					content: 'hello link',
					mimeType: 'text/plain',
				});
				const run = await world.run({
					resource: 'file',
					operation: 'download',
					fileId: shortLink(file.shortUrl),
					binaryPropertyName: 'doc',
				});
				expect(run.error).toBeUndefined();
				expect((await world.engine.binaryBuffer(run.items[0], 'doc')).toString()).toBe(
					'hello link',
				);
				expect(run.items[0].binary!.doc.mimeType).toBe('text/plain');

				const link = await world.run({
					resource: 'file',
					operation: 'download',
					fileId: fileById(file.id),
					binaryPropertyName: 'data',
					options: { linkOnly: true },
				});
				expect(link.items[0].binary).toBeUndefined();
				expect(link.json[0].download_url).toMatch(/download_token=[0-9a-f]{64}/);
			});

			it('a connection cut mid-download, with retries off, yields an error item and no binary', async () => {
				const file = world.sandbox.addFile(demo(), {
					name: 'big.bin',
					content: randomBytes(512 * 1024),
				});
				world.sandbox.fail({ endpoint: 'download' }, { cutAfterBytes: 64 * 1024 });
				const run = await world.run(
					{
						resource: 'file',
						operation: 'download',
						fileId: fileById(file.id),
						binaryPropertyName: 'data',
					},
					{ continueOnFail: true, credential: world.addCredential({ maxRetryWait: 0 }) },
				);
				expect(run.json[0].error).toMatch(/incomplete|broke off/);
				expect(run.items[0].binary).toBeUndefined();
			});

			it('a refused download link is an error', async () => {
				const file = world.sandbox.addFile(demo(), { name: 'refused.txt', content: 'no' });
				world.sandbox.fail({ endpoint: 'download' }, { status: 403 });
				const run = await world.run(
					{
						resource: 'file',
						operation: 'download',
						fileId: fileById(file.id),
						binaryPropertyName: 'data',
					},
					{ continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(/download link was refused/);
			});
		});

		describe('Get', () => {
			it("returns the file's details", async () => {
				const file = world.sandbox.addFile(demo(), { name: 'draft.txt', content: 'draft' });
				const got = await world.run({
					resource: 'file',
					operation: 'get',
					fileId: fileById(file.id),
				});
				expect(got.error).toBeUndefined();
				expect(got.json[0]).toMatchObject({ id: String(file.id), filename: 'draft.txt' });
			});

			it('finds a file in a folder by its short link', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Deep' });
				const file = world.sandbox.addFile(demo(), {
					name: 'old.txt',
					folderId: folder.id,
					content: 'old site',
				});
				const byLink = await world.run({
					resource: 'file',
					operation: 'get',
					fileId: shortLink(file.shortUrl),
				});
				expect(byLink.error).toBeUndefined();
				expect(byLink.json[0].filename).toBe('old.txt');
			});

			it("a file ID the account does not have: the site's words, the parameter and the item", async () => {
				const run = await world.run(
					{ resource: 'file', operation: 'get', fileId: fileById(987654) },
					{ continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(
					/Could not find file based on file_id\. \(parameter "File": "987654"\) \[item 0\]/,
				);
			});

			if (newer) {
				it('a short link to no file of the account names the parameter after one call, without walking the folders', async () => {
					for (let i = 0; i < 5; i++) world.sandbox.addFolder(demo(), { name: `Walk ${i}` });
					world.sandbox.clearLog();
					const run = await world.run(
						{ resource: 'file', operation: 'get', fileId: shortLink('zzzNone') },
						{ continueOnFail: true },
					);
					expect(run.json[0].error).toMatch(
						/Parameter "File" links to no file of this account \(short link "zzzNone"\) \[item 0\]/,
					);
					expect(world.sandbox.count('file/download')).toBe(1);
					expect(world.sandbox.count('folder/listing')).toBe(0);
				});
			} else {
				it('a short link to no file of the account is searched for in every folder first (the site cannot look links up)', async () => {
					const searched = world.sandbox.addFolder(demo(), { name: 'Searched' });
					world.sandbox.clearLog();
					const run = await world.run(
						{ resource: 'file', operation: 'get', fileId: shortLink('zzzNone') },
						{ continueOnFail: true },
					);
					expect(run.json[0].error).toMatch(
						/Parameter "File" links to no file of this account \(short link "zzzNone"\) \[item 0\]/,
					);
					const listed = world.sandbox.log
						.filter((entry) => entry.endpoint === 'folder/listing')
						.map((entry) => entry.params.parent_folder_id);
					expect(listed).toEqual(expect.arrayContaining(['', searched.id]));
				});
			}
		});

		if (newer) {
			describe('Get Upload From URL Status', () => {
				it('says a URL upload just scheduled is pending', async () => {
					world.sandbox.configure({ urlUploadDelayMs: 300 });
					const scheduled = await world.run({
						resource: 'file',
						operation: 'uploadFromUrl',
						url: `${origin.url}/report.pdf`,
						parentFolder: root,
						waitForCompletion: false,
					});
					const status = await world.run({
						resource: 'file',
						operation: 'getUploadFromUrlStatus',
						scheduledItemId: String(scheduled.json[0].scheduled_item_id),
					});
					expect(status.error).toBeUndefined();
					expect(status.json[0].status).toBe('pending');
				});
			});
		}

		describe('Move', () => {
			it('puts the file into another folder', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Work' });
				const file = world.sandbox.addFile(demo(), { name: 'draft.txt', content: 'draft' });
				const moved = await world.run({
					resource: 'file',
					operation: 'move',
					fileId: fileById(file.id),
					destinationFolder: folderById(folder.id),
				});
				expect(moved.error).toBeUndefined();
				expect(String(moved.json[0].folderId)).toBe(String(folder.id));
			});
		});

		describe('Update', () => {
			it('renames the file and changes its MIME type', async () => {
				const file = world.sandbox.addFile(demo(), { name: 'draft.txt', content: 'draft' });
				const updated = await world.run({
					resource: 'file',
					operation: 'update',
					fileId: fileById(file.id),
					updateFields: { fileName: 'final.txt', mimeType: 'text/markdown' },
				});
				expect(updated.error).toBeUndefined();
				expect(updated.json[0]).toMatchObject({ filename: 'final.txt', fileType: 'text/markdown' });
			});

			it('Parent Folder takes the root as Move does, alone or with a new name, and takes a folder too', async () => {
				// file/edit cannot move a file into the root: the node moves the file
				const folder = world.sandbox.addFolder(demo(), { name: 'Work' });
				const file = world.sandbox.addFile(demo(), {
					name: 'draft.txt',
					folderId: folder.id,
					content: 'draft',
				});
				const toRoot = await world.run({
					resource: 'file',
					operation: 'update',
					fileId: fileById(file.id),
					updateFields: { folderId: root, fileName: 'rooted.txt' },
				});
				expect(toRoot.error).toBeUndefined();
				expect(toRoot.json[0]).toMatchObject({ filename: 'rooted.txt' });
				expect(world.sandbox.state.files.find((entry) => entry.id === file.id)).toMatchObject({
					folderId: null,
					filename: 'rooted.txt',
				});
				const onlyRoot = await world.run({
					resource: 'file',
					operation: 'update',
					fileId: fileById(file.id),
					updateFields: { folderId: root },
				});
				expect(onlyRoot.error).toBeUndefined();
				const intoFolder = await world.run({
					resource: 'file',
					operation: 'update',
					fileId: fileById(file.id),
					updateFields: { folderId: folderById(folder.id), fileName: 'final.txt' },
				});
				expect(intoFolder.error).toBeUndefined();
				expect(world.sandbox.state.files.find((entry) => entry.id === file.id)).toMatchObject({
					folderId: folder.id,
					filename: 'final.txt',
				});
			});

			it('a move into the root that fails says so, and the new name stays saved', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Work' });
				const file = world.sandbox.addFile(demo(), {
					name: 'final.txt',
					folderId: folder.id,
					content: 'final',
				});
				world.sandbox.fail({ endpoint: 'file/move' }, { status: 403 });
				const halfway = await world.run(
					{
						resource: 'file',
						operation: 'update',
						fileId: fileById(file.id),
						updateFields: { folderId: root, fileName: 'renamed.txt' },
					},
					{ continueOnFail: true },
				);
				expect(halfway.json[0].errorDescription).toMatch(
					/The other fields \(filename\) were saved; only the move into the root failed\./,
				);
				expect(world.sandbox.state.files.find((entry) => entry.id === file.id)).toMatchObject({
					folderId: folder.id,
					filename: 'renamed.txt',
				});
			});
		});

		describe('Upload', () => {
			it('into a folder path, creating the missing folders once', async () => {
				const first = await uploadBytes(world, Buffer.from('march'), {
					parentFolder: folderByPath('Reports/2026/March'),
					options: { createMissingFolders: true, fileName: 'summary.txt' },
				});
				expect(first.json[0].error).toBeNull();
				const second = await uploadBytes(world, Buffer.from('again'), {
					parentFolder: folderByPath('/Reports/2026/March/'),
					options: { fileName: 'second.txt' },
				});
				expect(second.json[0].error).toBeNull();
				const reports = world.sandbox.state.folders.filter(
					(folder) => folder.folderName === 'Reports',
				);
				expect(reports).toHaveLength(1);
				const folderOf = (fileId: unknown) =>
					world.sandbox.state.files.find((file) => file.id === String(fileId))!.folderId;
				const march = folderOf(first.json[0].file_id);
				expect(folderOf(second.json[0].file_id)).toBe(march);
				const pathOf = (id: string | null): string => {
					const folder = world.sandbox.state.folders.find((entry) => entry.id === id);
					return folder ? `${pathOf(folder.parentId)}/${folder.folderName}` : '';
				};
				expect(pathOf(march)).toBe('/Reports/2026/March');
				const files = world.sandbox.state.files
					.filter((file) => file.folderId === march)
					.map((file) => file.filename);
				expect(files.sort()).toEqual(['second.txt', 'summary.txt']);
			});

			it.each([
				[
					'a missing folder',
					folderByPath('Nowhere/Else'),
					/Parameter "Parent Folder" was not found: the top level has no folder named "Nowhere"/,
				],
				[
					'an empty segment',
					folderByPath('Invoices//March'),
					/Parameter "Parent Folder" has an empty folder name in its path/,
				],
			])(
				'to a path with %s fails before sending anything',
				async (_what, parentFolder, message) => {
					const run = await uploadBytes(world, Buffer.from('x'), { parentFolder });
					expect(run.json[0].error).toMatch(message);
					expect(world.sandbox.count('file/upload')).toBe(0);
				},
			);

			it('says which binary fields the item has when the named one is missing', async () => {
				const item = await world.engine.binaryItem(Buffer.from('x'), {
					fileName: 'a.txt',
					mimeType: 'text/plain',
					property: 'attachment_0',
				});
				const run = await world.run(
					{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
					{ items: [item], continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(
					/Parameter "Input Binary Field" names "data", which this item does not have \[item 0\]/,
				);
				expect(run.json[0].errorDescription).toMatch(/attachment_0/);
			});

			it.each([
				['<i>x</i>.txt', '_i>x__i>.txt'],
				['reports/2026/q1.pdf', 'reports_2026_q1.pdf'],
				['C:\\temp\\q1.pdf', 'C:_temp_q1.pdf'],
				['say "hi".txt', 'say _hi_.txt'],
				['  padded.txt ', 'padded.txt'],
				['I <3 cats.txt', 'I _3 cats.txt'],
			])(
				'a binary named %j is stored as %j, the name the site keeps, and the output says so',
				async (given, stored) => {
					const run = await uploadNamed(world, Buffer.from('named'), given);
					expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
					expect(run.json[0]).toMatchObject({ name: stored, renamedFrom: given });
					const file = world.sandbox.state.files.find((entry) => entry.id === run.json[0].file_id);
					expect(file?.filename).toBe(stored);
				},
			);

			it('a binary name the site keeps as it is is sent unchanged, with no renamedFrom', async () => {
				const run = await uploadNamed(world, Buffer.from('named'), 'Résumé – a < b.txt');
				expect(run.json[0]).toMatchObject({ name: 'Résumé – a < b.txt' });
				expect(run.json[0]).not.toHaveProperty('renamedFrom');
			});

			it('a renamed binary whose answer is lost is found under the name the site keeps', async () => {
				world.sandbox.fail({ endpoint: 'file/upload' }, { status: 502, afterSite: true });
				const run = await uploadNamed(world, Buffer.from('lost'), '<b>lost</b>.txt');
				expect(run.json[0]).toMatchObject({
					name: '_b>lost__b>.txt',
					renamedFrom: '<b>lost</b>.txt',
				});
				expect(world.sandbox.count('file/upload')).toBe(1);
				expect(
					world.sandbox.state.files.filter((entry) => entry.filename === '_b>lost__b>.txt'),
				).toHaveLength(1);
			});

			it('refuses an empty file and a file over the package limit, without sending it', async () => {
				const empty = await uploadBytes(world, Buffer.alloc(0));
				expect(empty.json[0].error).toMatch(/holds an empty file/);
				const level = world.sandbox.state.levels.find((entry) => entry.apiAccess)!;
				level.package.max_upload_size = '1000';
				const big = await uploadBytes(world, randomBytes(2000));
				expect(big.json[0].error).toMatch(/larger than this account's upload limit of 1000 bytes/);
				expect(world.sandbox.count('file/upload')).toBe(0);
			});

			it('the package, and the target folder (for the create check), are asked once per execution, not per item', async () => {
				const items = await Promise.all(
					[1, 2, 3].map(
						async (n) =>
							await world.engine.binaryItem(Buffer.from(`file ${n}`), {
								fileName: `f${n}.txt`,
								mimeType: 'text/plain',
							}),
					),
				);
				const run = await world.run(
					{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
					{ items },
				);
				expect(run.error).toBeUndefined();
				expect(run.json).toHaveLength(3);
				expect(world.sandbox.count('account/package')).toBe(1);
				expect(
					world.sandbox.log
						.filter((entry) => entry.endpoint === 'folder/listing')
						.map((entry) => entry.params.parent_folder_id),
				).toEqual(['']);
				expect(world.sandbox.count('file/upload')).toBe(3);
			});

			it('a connection cut mid-upload, with retries off, is an error, and no file is created', async () => {
				world.sandbox.fail({ endpoint: 'file/upload' }, { cutAfterBytes: 100_000 });
				const before = world.sandbox.state.files.length;
				const item = await world.engine.binaryItem(randomBytes(1024 * 1024), {
					fileName: 'random.bin',
					mimeType: 'application/octet-stream',
				});
				const run = await world.run(
					{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
					{
						items: [item],
						continueOnFail: true,
						credential: world.addCredential({ maxRetryWait: 0 }),
					},
				);
				expect(run.json[0].error).toMatch(/Could not reach the site|connection|upload/i);
				expect(run.items[0].binary).toBeUndefined();
				expect(world.sandbox.state.files.length).toBe(before);
			});
		});

		describe('Upload From URL', () => {
			if (!newer) {
				it('is not offered by the older API revision, and says so', async () => {
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
					expect(run.json[0].error).toMatch(/This site does not offer URL uploads/);
				});
				return;
			}

			it('schedules without waiting, and with Wait for Completion outputs the finished file, downloaded if asked', async () => {
				world.sandbox.configure({ urlUploadDelayMs: 300 });
				const scheduled = await world.run({
					resource: 'file',
					operation: 'uploadFromUrl',
					url: `${origin.url}/report.pdf`,
					parentFolder: root,
					waitForCompletion: false,
				});
				expect(typeof scheduled.json[0].scheduled_item_id).toBe('number');

				const waited = await world.run({
					resource: 'file',
					operation: 'uploadFromUrl',
					url: `${origin.url}/report.pdf`,
					parentFolder: root,
					waitForCompletion: true,
					options: { pollInterval: 1, timeout: 20, download: true },
				});
				expect(waited.error).toBeUndefined();
				expect(waited.json[0].status).toBe('complete');
				expect(sha256(await world.engine.binaryBuffer(waited.items[0]))).toBe(sha256(payload));
			});

			it('a URL that fails on the site is a clear error', async () => {
				const run = await world.run(
					{
						resource: 'file',
						operation: 'uploadFromUrl',
						url: `${origin.url}/missing.pdf`,
						parentFolder: root,
						waitForCompletion: true,
						options: { pollInterval: 1, timeout: 20 },
					},
					{ continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(
					/could not fetch .*missing\.pdf: the URL upload ended as "failed"/,
				);
			});

			it('a URL that is not http(s) is refused before anything is sent', async () => {
				const run = await world.run(
					{
						resource: 'file',
						operation: 'uploadFromUrl',
						url: 'ftp://example.com/x',
						parentFolder: root,
						waitForCompletion: false,
					},
					{ continueOnFail: true },
				);
				expect(run.json[0].error).toMatch(
					/Parameter "URL" must be an http:\/\/ or https:\/\/ address/,
				);
				expect(world.sandbox.count('file/url_upload_add')).toBe(0);
			});
		});

		describe('the file picker', () => {
			it('lists files with their folder paths', async () => {
				const folder = world.sandbox.addFolder(demo(), { name: 'Pick' });
				world.sandbox.addFile(demo(), { name: 'pick-me.pdf', folderId: folder.id, content: 'p' });
				const node = {
					type: 'CUSTOM.yetiShare',
					parameters: { resource: 'file', operation: 'get' },
					credentials: { yetiShareApi: world.credential },
				};
				let page = await world.engine.listSearch({
					node,
					method: 'searchFiles',
					filter: 'pick-me',
				});
				const names = page.results.map((result) => result.name);
				while (page.paginationToken) {
					page = await world.engine.listSearch({
						node,
						method: 'searchFiles',
						filter: 'pick-me',
						paginationToken: page.paginationToken,
					});
					names.push(...page.results.map((result) => result.name));
				}
				expect(names).toEqual(['/Pick/pick-me.pdf']);
			});
		});
	},
);

describe.each([{ binaryMode: 'filesystem' as const }, { binaryMode: 'default' as const }])(
	'Upload, then Download ($binaryMode binary data)',
	(mode) => {
		const world = useWorld(mode);

		it('a 5 MiB file comes back byte-identical', async () => {
			const bytes = randomBytes(5 * 1024 * 1024);
			const uploaded = await uploadBytes(world, bytes);
			expect(uploaded.json[0].error).toBeNull(); // the API's own field: no error for this file
			expect(uploaded.json[0]).toMatchObject({ name: 'random.bin', size: String(bytes.length) });
			expect(uploaded.json[0].file_id).toMatch(/^\d+$/);

			const downloaded = await world.run({
				resource: 'file',
				operation: 'download',
				fileId: fileById(uploaded.json[0].file_id as string),
				binaryPropertyName: 'data',
			});
			expect(downloaded.error).toBeUndefined();
			const binary = downloaded.items[0].binary!.data;
			expect(binary.fileName).toBe('random.bin');
			if (mode.binaryMode === 'filesystem') expect(binary.id).toBeDefined();
			expect(sha256(await world.engine.binaryBuffer(downloaded.items[0]))).toBe(sha256(bytes));
		});
	},
);
