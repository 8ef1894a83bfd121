import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { useActiveWorkflows } from './active';
import { exampleWorkflows } from './cli';
import { N8N_VERSIONS } from './runtime';

const WORKFLOW = 'ys-new-files';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// each version its own user folder and ports (5700–5703), so runs never share a database or a port
describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5700 + 2 * index })))(
	'the trigger activated in a running n8n $version',
	({ version, port }) => {
		const sandbox = new SandboxServer();
		const active = useActiveWorkflows({ version, port, sandbox, name: 'trigger' }, () =>
			exampleWorkflows().filter((workflow) => workflow.id === WORKFLOW),
		);
		/** The file ids the workflow looked up (its second node calls file/info once per emitted file). */
		const lookedUp = () =>
			sandbox.log
				.filter((entry) => entry.endpoint === 'file/info')
				.map((entry) => entry.params.file_id);
		async function waitFor(condition: () => boolean, what: string, ms = 150_000) {
			for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(500))
				if (condition()) return;
			const calls = sandbox.log
				.filter((entry) => entry.kind === 'api')
				.map(
					(entry) =>
						`${new Date(entry.at).toISOString().slice(11, 19)} ${entry.endpoint} ` +
						`${entry.params.file_id ?? entry.params.parent_folder_id ?? ''} ${entry.outcome}`,
				);
			throw new Error(
				`timed out waiting for ${what}; the site saw:\n${calls.join('\n')}\nn8n printed:\n${active.n8n.output.slice(-4000)}`,
			);
		}

		it('emits each new file once, across a restart of n8n, with nothing missed', async () => {
			await active.n8n.start();
			// activation: the first poll lists the watched tree and emits nothing
			await waitFor(() => sandbox.count('folder/listing') >= 4, 'the activation poll');
			expect(lookedUp()).toEqual([]);

			const march = sandbox.state.folders.find((folder) => folder.folderName === 'March')!;
			const invoices = sandbox.state.folders.find((folder) => folder.folderName === 'Invoices')!;
			const firstBatch = [
				sandbox.addFile(sandbox.demoAccount.id, {
					name: 'inv-1.pdf',
					folderId: march.id,
					content: '1',
				}).id,
				sandbox.addFile(sandbox.demoAccount.id, {
					name: 'inv-2.pdf',
					folderId: march.id,
					content: '2',
				}).id,
				sandbox.addFile(sandbox.demoAccount.id, {
					name: 'top.pdf',
					folderId: invoices.id,
					content: '3',
				}).id,
			];
			sandbox.addFile(sandbox.demoAccount.id, { name: 'elsewhere.pdf', content: 'not watched' });
			await waitFor(() => lookedUp().length >= 3, 'the next poll to run the workflow');
			expect(lookedUp().sort()).toEqual(firstBatch.sort());

			await active.n8n.stop();
			const whileStopped = [
				sandbox.addFile(sandbox.demoAccount.id, {
					name: 'late-1.pdf',
					folderId: march.id,
					content: '4',
				}).id,
				sandbox.addFile(sandbox.demoAccount.id, {
					name: 'late-2.pdf',
					folderId: invoices.id,
					content: '5',
				}).id,
			];
			const listingsBefore = sandbox.count('folder/listing');
			await active.n8n.start();
			await waitFor(() => lookedUp().length >= 5, 'the files added while n8n was stopped');
			expect(lookedUp().slice(3).sort()).toEqual(whileStopped.sort());

			// one more poll after that: nothing again
			await waitFor(
				() => sandbox.count('folder/listing') >= listingsBefore + 8,
				'one more poll',
				150_000,
			);
			await sleep(2000);
			expect(lookedUp()).toHaveLength(5);
		});
	},
);
