import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nCli } from './cli';
import { ensureN8n } from './runtime';

describe('the example workflows in a real n8n 2.40.7', () => {
	const sandbox = new SandboxServer();
	let cli: N8nCli;
	let home: string;

	beforeAll(async () => {
		const runtime = await ensureN8n('2.40.7');
		await sandbox.start();
		home = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
		cli = new N8nCli(runtime, home);
		await cli.importSandboxCredential(sandbox);
		await cli.importWorkflows([...exampleWorkflows(), JSON.parse(readFileSync(join(__dirname, 'workflows/all-operations.json'), 'utf8'))]);
	});
	afterAll(async () => {
		await sandbox.stop();
		if (home) rmSync(home, { recursive: true, force: true });
	});

	const outputOf = (run: Awaited<ReturnType<N8nCli['execute']>>, node: string) =>
		(run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? []) as Array<{ json: any; binary?: any }>;

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
		const names = outputOf(run, 'List Invoices/2026').map((item) => item.json.folderName ?? item.json.filename);
		expect(names).toEqual(expect.arrayContaining(['March', 'summary-2026.csv']));
		// the previous test's execution signed in and n8n saved the token with the credential
		expect(sandbox.count('authorize')).toBe(authorizations);
	});

	it('downloads the PDFs of a folder as binary data', async () => {
		const run = await cli.execute('ys-download-pdfs');
		expect(run.status).toBe('success');
		const downloads = outputOf(run, 'Download each');
		expect(downloads.map((item) => item.binary?.data?.fileName).sort()).toEqual(['invoice-2026-001.pdf', 'invoice-2026-002.pdf']);
		expect(sandbox.count('download')).toBe(2);
	});

	it('runs every operation of the node once, in one workflow', async () => {
		const run = await cli.execute('e2e-all-ops');
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		const one = (node: string) => outputOf(run, node)[0]?.json;
		expect(one('Account').username).toBe(sandbox.demoAccount.username);
		expect(one('Package').max_upload_size).toBe('1073741824');
		expect(one('Get folder').folderName).toBe('E2E folder');
		expect(one('Rename folder').folderName).toBe('E2E renamed');
		expect(one('Get file').filename).toBe('e2e.txt');
		expect(one('Rename file').filename).toBe('e2e-renamed.txt');
		expect(outputOf(run, 'Download')[0].binary?.data?.fileName).toBe('e2e-renamed.txt');
		expect(one('Copy file').original_file.id).toBe(one('Get file').id);
		expect(one('Move file').folderId).toBeNull();
		expect(one('Delete file').status).toBe('trash');
		expect(one('Upload from URL').status).toBe('complete');
		expect(one('URL upload status').downloaded_file.name).toBeDefined();
		expect(one('Move folder').parentId).toBe('123');
		expect(outputOf(run, 'List root').length).toBeGreaterThan(3);
		expect(one('Delete folder').deleted).toBe(true);
		expect(one('End session').success).toBe(true);
	});
});
