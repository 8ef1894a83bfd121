/**
 * Uploads the site's PHP or web server refuses for their size, in n8n's engine against a sandbox
 * with the limits of a stock PHP 8.2 (post_max_size 8M, upload_max_filesize 2M) and nginx
 * (client_max_body_size 1M): the script then answers as if nothing had been sent, and the node
 * must say what happened instead, with no sign-in, no retry and no token judged dead.
 */
import { randomBytes } from 'crypto';
import { describe, expect, it } from '@jest/globals';

import { folderById, useWorld, type World } from './setup';

const MiB = 1024 * 1024;
const root = folderById('root');

async function upload(world: World, size: number, fileName: string) {
	const item = await world.engine.binaryItem(randomBytes(size), {
		fileName,
		mimeType: 'application/octet-stream',
	});
	return await world.run(
		{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
		{ items: [item], continueOnFail: true },
	);
}

/** Signs the credential in and clears the log: what follows is the upload's own calls. */
async function signedIn(world: World) {
	const warm = await world.run({ resource: 'account', operation: 'get' });
	expect(warm.error).toBeUndefined();
	world.sandbox.clearLog();
}

const stored = (world: World, name: string) =>
	world.sandbox.state.files.filter((file) => file.filename === name);

/** Nothing says the keys or the token are wrong. */
function expectNoBlameOnTheCredential(text: string) {
	expect(text).not.toMatch(/^Please provide the access_token param/);
	expect(text).not.toMatch(
		/Could not authenticate|Could not validate access_token|check the keys/i,
	);
}

describe('uploads a stock PHP refuses', () => {
	const world = useWorld({ postMaxSize: 8 * MiB, uploadMaxFilesize: 2 * MiB });

	it('a file over upload_max_filesize (3 MiB): the limit named, one upload call, no sign-in, nothing stored', async () => {
		await signedIn(world);
		const run = await upload(world, 3 * MiB, 'scan-3mb.pdf');
		const error = String(run.json[0].error);
		expect(error).toBe(
			'The site did not receive the file "scan-3mb.pdf" (3.0 MiB): ' +
				"the file is likely larger than the site's PHP upload_max_filesize [item 0]",
		);
		expect(run.json[0].errorDescription).toMatch(
			/^The site answered "Did not receive uploaded file\.": PHP hands the script no file larger than its upload_max_filesize/,
		);
		expect(run.json[0].errorDescription).toMatch(
			/Ask the site owner to raise PHP's upload_max_filesize and post_max_size/,
		);
		expectNoBlameOnTheCredential(error);
		expect(world.sandbox.count('file/upload')).toBe(1);
		expect(world.sandbox.count('authorize')).toBe(0);
		expect(stored(world, 'scan-3mb.pdf')).toHaveLength(0);
	});

	it('a body over post_max_size (12 MiB): the limit named, not the token; the token still works', async () => {
		await signedIn(world);
		const run = await upload(world, 12 * MiB, 'video-12mb.mp4');
		const error = String(run.json[0].error);
		expect(error).toBe(
			'The site did not receive the file "video-12mb.mp4" (12.0 MiB): the request was larger than the site\'s PHP post_max_size [item 0]',
		);
		expect(run.json[0].errorDescription).toMatch(
			/though the node sent the access token: PHP drops every field and the file of a request larger than its post_max_size .* The credential is fine\./,
		);
		expectNoBlameOnTheCredential(error);
		expect(world.sandbox.count('file/upload')).toBe(1);
		expect(world.sandbox.count('authorize')).toBe(0);
		expect(stored(world, 'video-12mb.mp4')).toHaveLength(0);
		// the token was not judged dead: the next call uses it as it is
		const next = await world.run({ resource: 'account', operation: 'get' });
		expect(next.error).toBeUndefined();
		expect(world.sandbox.count('authorize')).toBe(0);
	});

	it('a file under both limits goes through', async () => {
		const run = await upload(world, MiB, 'small.bin');
		expect(run.json[0].error).toBeNull(); // the API's own field: no error for this file
		expect(stored(world, 'small.bin')).toHaveLength(1);
	});

	it('the other items of the run go on (Continue On Fail), each answered for itself', async () => {
		const items = await Promise.all([
			world.engine.binaryItem(randomBytes(1000), { fileName: 'a.txt', mimeType: 'text/plain' }),
			world.engine.binaryItem(randomBytes(3 * MiB), {
				fileName: 'b.bin',
				mimeType: 'application/octet-stream',
			}),
			world.engine.binaryItem(randomBytes(1000), { fileName: 'c.txt', mimeType: 'text/plain' }),
		]);
		const run = await world.run(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', parentFolder: root },
			{ items, continueOnFail: true },
		);
		expect(run.json.map((json) => json.name ?? json.error)).toEqual([
			'a.txt',
			expect.stringMatching(/"b\.bin" \(3\.0 MiB\).*upload_max_filesize \[item 1\]/),
			'c.txt',
		]);
		expect(run.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 1, 2]);
	});
});

describe('uploads the web server refuses (nginx client_max_body_size 1M)', () => {
	const world = useWorld({ bodyLimit: MiB });

	it('a 2 MiB upload: HTTP 413 explained, one upload call, no retry, no sign-in', async () => {
		await signedIn(world);
		const run = await upload(world, 2 * MiB, 'photo-2mb.jpg');
		const error = String(run.json[0].error);
		expect(error).toBe(
			'The site\'s web server refused the upload of "photo-2mb.jpg" (2.0 MiB) as too large (HTTP 413) [item 0]',
		);
		expect(run.json[0].errorDescription).toMatch(
			/such as nginx's client_max_body_size .* and the script never saw the request\. Ask the site owner/,
		);
		expectNoBlameOnTheCredential(error);
		expect(
			world.sandbox.log
				.filter((entry) => entry.endpoint === 'file/upload')
				.map((entry) => entry.status),
		).toEqual([413]);
		expect(world.sandbox.count('authorize')).toBe(0);
		expect(stored(world, 'photo-2mb.jpg')).toHaveLength(0);
	});
});

describe('other answers that mean the file never arrived, and 413 on any call', () => {
	const world = useWorld({});

	it('"Filesize received was zero." for a file that is not empty', async () => {
		world.sandbox.fail(
			{ endpoint: 'file/upload' },
			{
				status: 200,
				body: '{"response":"Filesize received was zero.","_status":"error","_datetime":"2026-12-02 10:00:00"}',
			},
		);
		const run = await upload(world, 5000, 'notes.txt');
		expect(run.json[0].error).toBe(
			'The site did not receive the file "notes.txt" (4.9 KiB): it arrived empty, ' +
				"likely for being larger than the site's PHP upload_max_filesize [item 0]",
		);
		expect(world.sandbox.count('file/upload')).toBe(1);
	});

	it('a 413 from a proxy on a call that is not an upload: said as such, not retried', async () => {
		world.sandbox.fail({ endpoint: 'folder/info', times: 3 }, { status: 413 });
		const run = await world.run(
			{ resource: 'folder', operation: 'get', folderId: folderById(123) },
			{ continueOnFail: true },
		);
		expect(run.json[0].error).toBe(
			"The site's web server refused the request to folder/info as too large (HTTP 413) [item 0]",
		);
		expect(world.sandbox.count('folder/info')).toBe(1);
	});

	it('"Please provide the access_token param." when the node sent none is the site\'s own answer, kept as it is', async () => {
		// a token the credential lost is not a size limit: only an upload that carried the token is explained
		world.sandbox.fail(
			{ endpoint: 'folder/info' },
			{
				status: 200,
				body: '{"response":"Please provide the access_token param.","_status":"error","_datetime":"2026-12-02 10:00:00"}',
			},
		);
		const run = await world.run(
			{ resource: 'folder', operation: 'get', folderId: folderById(123) },
			{ continueOnFail: true },
		);
		expect(run.json[0].error).toMatch(/^Please provide the access_token param\./);
	});
});
