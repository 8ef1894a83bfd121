/** What a user checks in a run of the end-to-end workflows, whichever way n8n ran them. */
import { expect } from '@jest/globals';

import type { SandboxServer } from '../sandbox/server';
import { outputOf, type N8nRun } from './cli';

/** test/n8n/workflows/all-operations.json ran to the end, every operation answering as the site does. */
export function expectEveryOperation(run: N8nRun, sandbox: SandboxServer) {
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
	const found = (node: string) => outputOf(run, node).map((item) => item.json);
	// the uploaded file, moved to the root, and the site's copy of it from Upload From URL; not the trashed copy
	const inRoot = (id: unknown) =>
		expect.objectContaining({ id: String(id), path: 'e2e-renamed.txt', type: 'file' });
	expect(found('Search files')).toEqual(
		expect.arrayContaining([
			inRoot(one('Upload').file_id),
			inRoot(one('Upload from URL').downloaded_file.file_id),
		]),
	);
	expect(found('Search files').map((file) => file.id)).not.toContain(one('Copy file').id);
	expect(found('Search folders')).toEqual([
		expect.objectContaining({
			id: one('Create folder').id,
			path: 'Invoices/E2E renamed',
			type: 'folder',
		}),
	]);
	expect(one('Delete folder').deleted).toBe(true);
	expect(one('End session').success).toBe(true);
}
