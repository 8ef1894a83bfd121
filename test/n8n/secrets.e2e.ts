/**
 * Keys and tokens never leave the credential: a real n8n runs every operation, a failing call
 * and a refused sign-in with debug logging, and then its log output, its log file and its
 * database (where execution data is stored unencrypted) are searched for key1, key2, the
 * password, every access token the site handed out, and the MD5 of a folder's password.
 */
import { createHash } from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from '@jest/globals';

import { SandboxServer } from '../sandbox/server';
import { N8nCli, type Workflow } from './cli';
import { cliWithPackageInstalled } from './packed';
import { ensureN8n, N8N_VERSIONS } from './runtime';

const credentialRef = (id: string, name: string) => ({ yetiShareApi: { id, name } });
const FOLDER_PASSWORD = 'folder pass 7d1c';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sandboxCredential = credentialRef('yetishare-sandbox', 'YetiShare sandbox');

/**
 * A manual trigger and YetiShare nodes in a row (name → parameters); the last may fail, as with
 * bad input or a bad login.
 */
function workflow(
	id: string,
	steps: Record<string, Record<string, unknown>>,
	credentials: Record<string, unknown>,
	continueOnFail = false,
): Workflow {
	const names = Object.keys(steps);
	return {
		id,
		name: id,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'start',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			...names.map((name, i) => ({
				id: `n${i}`,
				name,
				type: 'n8n-nodes-yetishare.yetiShare',
				typeVersion: 1,
				position: [220 * (i + 1), 0],
				parameters: steps[name],
				credentials,
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
			})),
		],
		connections: Object.fromEntries(
			['Start', ...names]
				.slice(0, -1)
				.map((from, i) => [from, { main: [[{ node: names[i], type: 'main', index: 0 }]] }]),
		),
	};
}

/** Every file under `folder`, as text (binary files too: a secret in a database page is still there). */
function filesUnder(folder: string): Array<{ path: string; text: string }> {
	const found: Array<{ path: string; text: string }> = [];
	for (const name of readdirSync(folder)) {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) found.push(...filesUnder(path));
		else found.push({ path, text: readFileSync(path).toString('latin1') });
	}
	return found;
}

// ports 5720–5723: `n8n execute` on 2.x opens its task runners' broker port
describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5720 + 2 * index })))(
	'secrets in a real n8n $version',
	({ version, port }) => {
		const sandbox = new SandboxServer();
		let cli: N8nCli;
		let home: string;
		const printed: string[] = [];

		async function execute(id: string) {
			try {
				const run = await cli.execute(id);
				printed.push(JSON.stringify(run));
				return run;
			} catch (error) {
				// a failed workflow makes the CLI exit non-zero; what it printed is in the message
				printed.push(String((error as Error).message));
				return undefined;
			}
		}

		beforeAll(async () => {
			const runtime = await ensureN8n(version);
			await sandbox.start();
			home = mkdtempSync(join(tmpdir(), 'n8n-e2e-secrets-'));
			cli = await cliWithPackageInstalled(runtime, home, {
				N8N_PORT: String(port),
				N8N_RUNNERS_BROKER_PORT: String(port + 1),
				N8N_LOG_LEVEL: 'debug',
				N8N_LOG_OUTPUT: 'console,file',
				N8N_LOG_FILE_LOCATION: join(home, 'logs/n8n.log'),
			});
			await cli.importSandboxCredential(sandbox);
			const { demoAccount } = sandbox;
			await cli.importCredential({
				id: 'yetishare-wrong-keys',
				name: 'YetiShare wrong keys',
				type: 'yetiShareApi',
				data: {
					baseUrl: sandbox.baseUrl,
					authentication: 'apiKeys',
					apiKey1: demoAccount.key1,
					apiKey2: demoAccount.key1,
					timeout: 30,
					accessToken: '',
					accountId: '',
				},
			});
			await cli.importCredential({
				id: 'yetishare-login',
				name: 'YetiShare login',
				type: 'yetiShareApi',
				data: {
					baseUrl: sandbox.baseUrl,
					authentication: 'usernamePassword',
					username: demoAccount.username,
					password: demoAccount.password,
					timeout: 30,
					accessToken: '',
					accountId: '',
				},
			});
			await cli.importWorkflows([
				JSON.parse(readFileSync(join(__dirname, 'workflows/all-operations.json'), 'utf8')),
				workflow(
					'sec-api-error',
					{
						'Get folder': {
							resource: 'folder',
							operation: 'get',
							folderId: { __rl: true, mode: 'id', value: '987654' },
						},
					},
					sandboxCredential,
				),
				// The bad ID comes from an expression, as bad input reaches a node (a typed-in one is
				// refused by n8n's own checks before the run). A call comes first: n8n 2.40's CLI loses
				// track of an execution that ends within milliseconds ("No active execution found").
				workflow(
					'sec-continue',
					{
						Account: { resource: 'account', operation: 'get' },
						'Get folder': {
							resource: 'folder',
							operation: 'get',
							folderId: { __rl: true, mode: 'id', value: '={{ "abc" }}' },
						},
					},
					sandboxCredential,
					true,
				),
				workflow(
					'sec-refused',
					{ Account: { resource: 'account', operation: 'get' } },
					credentialRef('yetishare-wrong-keys', 'YetiShare wrong keys'),
				),
				workflow(
					'sec-folder-pass',
					{
						'Create folder': {
							resource: 'folder',
							operation: 'create',
							folderName: 'Locked',
							parentFolder: { __rl: true, mode: 'id', value: 'root' },
							additionalFields: { password: FOLDER_PASSWORD },
						},
						'Get folder': {
							resource: 'folder',
							operation: 'get',
							folderId: { __rl: true, mode: 'id', value: "={{ $('Create folder').item.json.id }}" },
						},
						'Rename folder': {
							resource: 'folder',
							operation: 'update',
							folderId: { __rl: true, mode: 'id', value: "={{ $('Create folder').item.json.id }}" },
							updateFields: { folderName: 'Still locked' },
						},
						'List root': {
							resource: 'folder',
							operation: 'getMany',
							parentFolder: { __rl: true, mode: 'id', value: 'root' },
							include: 'folders',
							returnAll: true,
						},
					},
					sandboxCredential,
				),
				workflow(
					'sec-login',
					{
						Link: {
							resource: 'file',
							operation: 'download',
							fileId: { __rl: true, mode: 'id', value: '1161' },
							options: { linkOnly: true },
						},
					},
					credentialRef('yetishare-login', 'YetiShare login'),
				),
			]);
		});
		afterAll(async () => {
			await sandbox.stop();
			if (home) rmSync(home, { recursive: true, force: true });
		});

		it('appear in no execution data, log line or file n8n writes', async () => {
			const all = await execute('e2e-all-ops');
			if (all?.status !== 'success') throw new Error(printed.at(-1)?.slice(-3000));
			expect(await execute('sec-api-error')).toBeUndefined();
			expect(printed.at(-1)).toMatch(/Could not find folder based on folder_id/);
			const continued = await execute('sec-continue');
			expect(continued?.status).toBe('success');
			expect(
				continued?.data.resultData.runData['Get folder'][0].data?.main?.[0]?.[0]?.json.error,
			).toMatch(/Parameter "Folder" is not a folder ID/);
			expect(await execute('sec-refused')).toBeUndefined();
			// a folder's password, which the site shows as its MD5 (in listings too, here)
			sandbox.configure({ listingPasswords: true });
			const locked = await execute('sec-folder-pass');
			if (locked?.status !== 'success') throw new Error(printed.at(-1)?.slice(-3000));
			const listed = locked?.data.resultData.runData['List root'][0].data?.main?.[0] ?? [];
			expect(listed.find((item) => item.json.folderName === 'Still locked')?.json.hasPassword).toBe(
				true,
			);
			expect(
				sandbox.state.folders.find((folder) => folder.folderName === 'Still locked')
					?.accessPassword,
			).toBe(md5(FOLDER_PASSWORD));
			// a site set to account login, for the password
			sandbox.configure({ authMode: 'login' });
			const login = await execute('sec-login');
			expect(login?.status).toBe('success');

			// what there is to find: both keys, the password, and every token the site issued
			const { key1, key2, password } = sandbox.demoAccount;
			const tokens = [
				...new Set(sandbox.log.map((entry) => entry.params.access_token).filter(Boolean)),
			];
			expect(tokens.length).toBeGreaterThanOrEqual(2);
			// (the folder's password itself is a parameter of the workflow, stored with it by design)
			const secrets: Record<string, string> = {
				key1,
				key2,
				password,
				"folder password's MD5": md5(FOLDER_PASSWORD),
			};
			tokens.forEach((token, i) => (secrets[`access token ${i + 1}`] = token));

			const files = filesUnder(home);
			const log = files.find((file) => /n8n\.log$/.test(file.path));
			// the search has something to search: the runs' data (in the database and its journal)
			// and the debug log are there
			const holding = (text: string) =>
				files
					.filter((file) => file.text.includes(text))
					.map((file) => file.path.slice(home.length));
			expect(holding('E2E renamed')).toEqual(
				expect.arrayContaining([expect.stringMatching(/database\.sqlite/)]),
			);
			expect(holding('Could not find folder based on folder_id')).toEqual(
				expect.arrayContaining([expect.stringMatching(/database\.sqlite/)]),
			);
			expect(log?.text.length).toBeGreaterThan(1000);
			expect(cli.transcript).toMatch(/\| debug \|/);

			const leaks: string[] = [];
			for (const [what, secret] of Object.entries(secrets)) {
				for (const file of files)
					if (file.text.includes(secret)) leaks.push(`${what} in ${file.path.slice(home.length)}`);
				if (cli.transcript.includes(secret)) leaks.push(`${what} in what n8n printed`);
			}
			expect(leaks).toEqual([]);
		});
	},
);
