/**
 * The trigger's change events in a running n8n: one workflow with a File Changed, File Trashed,
 * Folder Changed and Folder Trashed trigger, each followed by an HTTP request to the sandbox that
 * names its event and the id it got, so the site's log shows every execution. One change of each
 * kind starts exactly one execution of its trigger, and so do changes made while n8n was stopped.
 */
import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { useActiveWorkflows } from './active';
import type { Workflow } from './cli';
import { PACKAGE_NAME } from './packed';
import { N8N_VERSIONS } from './runtime';

const WORKFLOW = 'ys-changes';
const EVENTS = ['fileChanged', 'fileTrashed', 'folderChanged', 'folderTrashed'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each event's trigger on the watched folder, and a request that says what it got. */
function changesWorkflow(sandboxUrl: string, folderId: string): Workflow {
	const credentials = { yetiShareApi: { id: 'yetishare-sandbox', name: 'YetiShare sandbox' } };
	const nodes = EVENTS.flatMap((event, index) => [
		{
			id: `t${index}`,
			name: `On ${event}`,
			type: `${PACKAGE_NAME}.yetiShareTrigger`,
			typeVersion: 1,
			position: [0, index * 200],
			parameters: {
				pollTimes: { item: [{ mode: 'everyMinute' }] },
				event,
				folder: { __rl: true, mode: 'id', value: folderId },
				options: { includeSubfolders: true },
			},
			credentials,
		},
		{
			id: `r${index}`,
			name: `Tell ${event}`,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [220, index * 200],
			parameters: {
				url: `=${sandboxUrl}/seen/${event}/{{ $json.id }}/{{ $json.change.kinds.join('+') }}`,
				options: { response: { response: { neverError: true } } },
			},
		},
	]);
	const connections = Object.fromEntries(
		EVENTS.map((event) => [
			`On ${event}`,
			{ main: [[{ node: `Tell ${event}`, type: 'main', index: 0 }]] },
		]),
	);
	return {
		id: WORKFLOW,
		name: 'YetiShare: changes in a folder',
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

// each version its own user folder and ports (5704–5707)
describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5704 + 2 * index })))(
	'the change events in a running n8n $version',
	({ version, port }) => {
		const sandbox = new SandboxServer();
		const demo = () => sandbox.demoAccount.id;
		let watched: { id: string };
		const active = useActiveWorkflows({ version, port, sandbox, name: 'changes' }, () => {
			watched = sandbox.addFolder(demo(), { name: 'Watched' });
			return [changesWorkflow(sandbox.baseUrl, watched.id)];
		});
		/** What each execution reported: "event id kinds", in the order they came. */
		const seen = () =>
			sandbox.log
				.filter((entry) => entry.path.startsWith('/seen/'))
				.map((entry) => decodeURIComponent(entry.path).split('/').slice(2).join(' '));
		async function waitFor(condition: () => boolean, what: string, ms = 150_000) {
			for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(500))
				if (condition()) return;
			throw new Error(
				`timed out waiting for ${what}; seen: ${seen().join(', ')}\n` +
					`n8n printed:\n${active.n8n.output.slice(-4000)}`,
			);
		}

		it('one change of each kind starts one execution of its trigger, across a restart', async () => {
			const folders = ['A', 'B', 'C', 'D', 'E'].map((name) =>
				sandbox.addFolder(demo(), { name, parentId: watched.id }),
			);
			const files = ['1', '2', '3', '4'].map((name) =>
				sandbox.addFile(demo(), { name: `${name}.txt`, folderId: folders[0].id, content: name }),
			);
			const file = (id: string) => sandbox.state.files.find((entry) => entry.id === id)!;
			const folder = (id: string) => sandbox.state.folders.find((entry) => entry.id === id)!;

			await active.n8n.start();
			// activation: every trigger lists the tree (6 folders) once and starts nothing
			const answered = () =>
				sandbox.log.filter((entry) => entry.endpoint === 'folder/listing' && entry.endedAt).length;
			// answered, not only asked: what the site changes next is not in a baseline
			await waitFor(() => answered() >= 4 * 6, 'the activation polls');
			expect(seen()).toEqual([]);

			file(files[0].id).filename = '1-renamed.txt';
			file(files[1].id).status = 'trash';
			folder(folders[1].id).folderName = 'B renamed';
			folder(folders[2].id).status = 'trash';
			const first = [
				`fileChanged ${files[0].id} renamed`,
				`fileTrashed ${files[1].id} trashed`,
				`folderChanged ${folders[1].id} renamed`,
				`folderTrashed ${folders[2].id} gone`,
			];
			await waitFor(() => seen().length >= 4, 'one execution per change');
			expect([...seen()].sort()).toEqual([...first].sort());

			await active.n8n.stop();
			file(files[2].id).folderId = folders[3].id;
			file(files[3].id).folderId = null;
			folder(folders[3].id).isPublic = folder(folders[3].id).isPublic === '0' ? '1' : '0';
			folder(folders[4].id).status = 'trash';
			const whileStopped = [
				`fileChanged ${files[2].id} moved`,
				`fileTrashed ${files[3].id} gone`,
				`folderChanged ${folders[3].id} privacy`,
				`folderTrashed ${folders[4].id} gone`,
			];
			const listingsBefore = sandbox.count('folder/listing');
			await active.n8n.start();
			await waitFor(() => seen().length >= 8, 'the changes made while n8n was stopped');
			expect([...seen().slice(4)].sort()).toEqual([...whileStopped].sort());

			// another poll of every trigger after that (4 folders left): nothing again
			await waitFor(
				() => sandbox.count('folder/listing') >= listingsBefore + 2 * 4 * 4,
				'one more poll of every trigger',
			);
			await sleep(2000);
			expect(seen()).toHaveLength(8);
		});
	},
);
