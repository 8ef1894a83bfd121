import { createHash, randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nCli, outputOf, testWorkflow } from './cli';
import { expectEveryOperation } from './expectations';
import { cliWithPackageInstalled } from './packed';
import { ensureN8n, N8N_VERSIONS } from './runtime';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// each version its own user folder and ports (5710–5713): `n8n execute` on 2.x opens its task
// runners' broker port, which must not collide with another n8n
describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5710 + 2 * index })))(
	'the example workflows in a real n8n $version',
	({ version, port }) => {
		const sandbox = new SandboxServer();
		let cli: N8nCli;
		let home: string;
		/** The only folder the workflows may read and write files in. */
		let files: string;

		beforeAll(async () => {
			const runtime = await ensureN8n(version);
			await sandbox.start();
			home = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
			files = join(home, 'files');
			mkdirSync(files);
			// the packed package installed in ~/.n8n/nodes, as users install it (not the build folder)
			cli = await cliWithPackageInstalled(runtime, home, {
				N8N_PORT: String(port),
				N8N_RUNNERS_BROKER_PORT: String(port + 1),
				N8N_RESTRICT_FILE_ACCESS_TO: files,
			});
			await cli.importSandboxCredential(sandbox);
			await cli.importWorkflows([
				...exampleWorkflows(),
				testWorkflow('all-operations.json'),
				testWorkflow('round-trip.json', files),
			]);
		});
		afterAll(async () => {
			await sandbox.stop();
			if (home) rmSync(home, { recursive: true, force: true });
		});

		it('uploads a file into a folder path it creates', async () => {
			const run = await cli.execute('ys-upload-a-file');
			expect(run.data.resultData.error).toBeUndefined();
			expect(run.status).toBe('success');
			const [uploaded] = outputOf(run, 'Upload to YetiShare');
			expect(uploaded.json.name).toBe('hello-from-n8n.txt');
			const file = sandbox.state.files.find((entry) => entry.id === String(uploaded.json.file_id))!;
			const folder = sandbox.state.folders.find((entry) => entry.id === file.folderId)!;
			expect(folder.folderName).toBe('Uploads from n8n');
		});

		it('lists a folder, and the token n8n stored is reused by the next execution', async () => {
			const authorizations = sandbox.count('authorize');
			const run = await cli.execute('ys-list-a-folder');
			expect(run.status).toBe('success');
			const names = outputOf(run, 'List Invoices/2026').map(
				(item) => item.json.folderName ?? item.json.filename,
			);
			expect(names).toEqual(expect.arrayContaining(['March', 'summary-2026.csv']));
			// the previous test's execution signed in and n8n saved the token with the credential
			expect(sandbox.count('authorize')).toBe(authorizations);
		});

		it('downloads the PDFs of a folder as binary data', async () => {
			const run = await cli.execute('ys-download-pdfs');
			expect(run.status).toBe('success');
			const downloads = outputOf(run, 'Download each');
			expect(downloads.map((item) => item.binary?.data?.fileName).sort()).toEqual([
				'invoice-2026-001.pdf',
				'invoice-2026-002.pdf',
			]);
			expect(sandbox.count('download')).toBe(2);
		});

		// in each version's default binary data mode: in memory on 1.x, on disk (filesystem) on 2.x
		it('uploads a file of a few MiB and downloads it back byte for byte', async () => {
			const original = randomBytes(5 * 1024 * 1024 + 123);
			writeFileSync(join(files, 'original.bin'), original);
			const downloads = sandbox.count('download');
			const run = await cli.execute('e2e-round-trip');
			expect(run.data.resultData.error).toBeUndefined();
			expect(run.status).toBe('success');
			const [uploaded] = outputOf(run, 'Upload');
			const stored = sandbox.state.files.find(
				(entry) => entry.id === String(uploaded.json.file_id),
			)!;
			expect(stored.filename).toBe('original.bin');
			expect(sha256(readFileSync(stored.storagePath))).toBe(sha256(original));
			// what the Download node fetched from the site, as n8n wrote it to disk
			expect(sandbox.count('download')).toBe(downloads + 1);
			expect(outputOf(run, 'Download')[0].binary?.data?.fileName).toBe('original.bin');
			const downloaded = readFileSync(join(files, 'downloaded.bin'));
			expect(downloaded.length).toBe(original.length);
			expect(sha256(downloaded)).toBe(sha256(original));
		});

		it('runs every operation of the node once, in one workflow', async () => {
			expectEveryOperation(await cli.execute('e2e-all-ops'), sandbox);
		});
	},
);
