/**
 * The package at a site's real web stack, in real n8n: nginx and PHP-FPM (Debian's packages, see
 * test/sandbox/web-stack.ts) in front of the sandbox. The credential's Base URL is nginx's, so
 * every API call is parsed by PHP's own $_POST and $_FILES, with PHP's and nginx's limits, and
 * downloads come through nginx too. One stack serves the whole suite and is reconfigured (and
 * restarted on the same ports) per test.
 *
 * What users met there (issue 19): uploads PHP or nginx refused for their size, explained as
 * such and never as a credential problem; nginx's 504 after PHP stored an upload; a small PHP
 * pool under 1,000 items; a Base URL that nginx redirects.
 */
import { createHash, randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
	chain,
	fileInfoWorkflow,
	readFile,
	uploadWorkflow,
	yetiShare,
	type SiteAccess,
} from '../bench/n8n-workflows';
import { SandboxServer } from '../sandbox/server';
import { WebStack, type Redirect, type WebStackSettings } from '../sandbox/web-stack';
import { N8nCli, N8nServer, outputOf, type N8nRun, type Workflow } from './cli';
import { cliWithPackageInstalled } from './packed';
import { N8nRest } from './rest';
import { ParallelExecutions } from './parallel-executions';
import { ensureN8n, N8N_VERSIONS, type N8nRuntime } from './runtime';

const MiB = 1024 * 1024;
/** Limits well above this suite's files. */
const RAISED: Partial<WebStackSettings> = {
	postMaxSize: '64M',
	uploadMaxFilesize: '64M',
	clientMaxBodySize: '64m',
};
/** A stock PHP (8M, 2M) behind an nginx that lets the body through. */
const STOCK_PHP: Partial<WebStackSettings> = {
	postMaxSize: '8M',
	uploadMaxFilesize: '2M',
	clientMaxBodySize: '64m',
};
/** nginx's own default body limit, PHP's raised. */
const NGINX_1M: Partial<WebStackSettings> = {
	postMaxSize: '64M',
	uploadMaxFilesize: '64M',
	clientMaxBodySize: '1m',
};
/** PHP-FPM's default pool size, and nginx giving up on PHP after 2 s. */
const SMALL_POOL: Partial<WebStackSettings> = {
	...RAISED,
	maxChildren: 5,
	pm: 'static',
	fastcgiReadTimeout: '2s',
};

/** Words that blame the credential: none of the failures here is about the keys or the token. */
const BLAMES_KEYS =
	/Could not authenticate|Could not validate access_token|Please provide key[12]|check the keys|refused the access token|keys (are|may be) (wrong|invalid)/i;
/** The script's answer, word for word, when PHP dropped the whole body: it reads as a broken credential. */
const BARE_TOKEN_MESSAGE = /^Please provide the access_token param\.?( \[item \d+\])?$/;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What n8n shows of a failed run: the error's message and its description. */
function failureOf(run: N8nRun): { message: string; text: string } {
	const error = run.data.resultData.error;
	const message = String(error?.message ?? '');
	return { message, text: `${message}\n${String(error?.description ?? '')}` };
}

function expectNoKeyBlame(failure: { message: string; text: string }) {
	expect(failure.text).not.toMatch(BLAMES_KEYS);
	expect(failure.message).not.toMatch(BARE_TOKEN_MESSAGE);
}

async function waitFor(condition: () => boolean, what: string, ms = 15_000) {
	for (const deadline = Date.now() + ms; !condition(); await sleep(50))
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

/** n8n's credential test, as the editor's Test button runs it (REST, signed in as the new instance's owner), for each credential. */
async function testCredentials(
	n8n: N8nServer,
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>,
) {
	const rest = new N8nRest(n8n.url);
	await rest.setUpOwner();
	const results: Array<{ status: string; message: string }> = [];
	for (const credential of credentials) results.push(await rest.testCredential(credential));
	return results;
}

describe('the package behind nginx and PHP-FPM', () => {
	const sandbox = new SandboxServer();
	const stack = new WebStack(sandbox, RAISED);
	/** What the 504 runs ended with, per version, for the report. */
	const outcomes: string[] = [];

	beforeAll(async () => {
		await sandbox.start();
		await stack.start();
	});
	afterAll(async () => {
		if (outcomes.length) process.stdout.write(`web stack:\n  ${outcomes.join('\n  ')}\n`);
		await stack.stop();
		await sandbox.stop();
	});

	// each version its own user folder and ports (5780–5783)
	describe.each(N8N_VERSIONS.map((version, index) => ({ version, port: 5780 + 2 * index })))(
		'in a real n8n $version',
		({ version, port }) => {
			let runtime: N8nRuntime;
			let cli: N8nCli;
			let editor: N8nServer | undefined;
			let home: string;
			/** The only folder the workflows may read and write files in. */
			let files: string;
			/** The credentials whose Base URL nginx redirects. */
			let credentials: Record<
				'toHttps' | 'toWww',
				{ id: string; name: string; type: string; data: Record<string, unknown> }
			>;

			/** Workflow ids and the file each one uploads. */
			const UPLOADS = {
				'ws-up-3mib': 'three-mib.bin',
				'ws-up-12mib': 'twelve-mib.bin',
				'ws-up-2mib': 'two-mib.bin',
				'ws-up-stored-504': 'stored-before-504.bin',
				'ws-up-late-504': 'stored-after-504.bin',
			};

			function workflows(): Workflow[] {
				const site: SiteAccess = { apiUrl: stack.apiUrl, key1: '', key2: '' };
				const account = (id: string, credential?: { id: string; name: string }) => {
					const step = yetiShare('Account', { resource: 'account', operation: 'get' });
					return chain(id, id, [
						credential ? { ...step, credentials: { yetiShareApi: credential } } : step,
					]);
				};
				const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });
				const lookups = sandbox.state.files
					.filter((file) => file.accountId === sandbox.demoAccount.id && file.status === 'active')
					.map((file) => file.id);
				return [
					account('ws-account'),
					chain('ws-round-trip', 'Web stack: round trip', [
						readFile(join(files, 'one-mib.bin')),
						yetiShare('Upload', {
							resource: 'file',
							operation: 'upload',
							binaryPropertyName: 'data',
							parentFolder: byId('root'),
							options: {},
						}),
						yetiShare('Get', {
							resource: 'file',
							operation: 'get',
							fileId: byId('={{ $json.file_id }}'),
						}),
						yetiShare('Download', {
							resource: 'file',
							operation: 'download',
							fileId: byId("={{ $('Upload').item.json.file_id }}"),
							binaryPropertyName: 'data',
							options: {},
						}),
						{
							name: 'Write',
							type: 'n8n-nodes-base.readWriteFile',
							typeVersion: 1,
							parameters: {
								operation: 'write',
								fileName: join(files, 'downloaded.bin'),
								dataPropertyName: 'data',
								options: {},
							},
						},
					]),
					...Object.entries(UPLOADS).map(([id, name]) => ({
						...uploadWorkflow('yetishare', site, join(files, name)),
						id,
						name: id,
					})),
					fileInfoWorkflow(
						'yetishare',
						site,
						'ws-get-1000',
						Array.from({ length: 1000 }, (_, i) => lookups[i % lookups.length]),
					),
					account('ws-to-https', credentials.toHttps),
					account('ws-to-www', credentials.toWww),
				];
			}

			beforeAll(async () => {
				runtime = await ensureN8n(version);
				sandbox.reset();
				await stack.configure(RAISED);
				home = mkdtempSync(join(tmpdir(), 'n8n-e2e-web-stack-'));
				files = join(home, 'files');
				mkdirSync(files);
				cli = await cliWithPackageInstalled(runtime, home, {
					N8N_PORT: String(port),
					N8N_RUNNERS_BROKER_PORT: String(port + 1),
					N8N_RESTRICT_FILE_ACCESS_TO: files,
				});
				const { key1, key2 } = sandbox.demoAccount;
				await cli.importSandboxCredential({
					baseUrl: stack.baseUrl,
					demoAccount: sandbox.demoAccount,
				});
				const redirected = (id: string, name: string, redirect: Redirect) => ({
					id,
					name,
					type: 'yetiShareApi',
					// ignoreSSLIssues: a client that followed the redirect to the https site would get there
					data: {
						baseUrl: redirect.from,
						authentication: 'apiKeys',
						apiKey1: key1,
						apiKey2: key2,
						timeout: 30,
						ignoreSSLIssues: true,
						accessToken: '',
						accountId: '',
					},
				});
				credentials = {
					toHttps: redirected('ws-to-https', 'Web stack: http to https', stack.redirects.toHttps),
					toWww: redirected('ws-to-www', 'Web stack: without www.', stack.redirects.toWww),
				};
				for (const credential of Object.values(credentials)) await cli.importCredential(credential);
				await cli.importWorkflows(workflows());
				// the credential signs in once, here; no test below may sign in again
				const signIn = await cli.execute('ws-account');
				expect(signIn.status).toBe('success');
				expect(sandbox.count('authorize')).toBe(1);
			});
			afterAll(async () => {
				await editor?.stop();
				if (home) rmSync(home, { recursive: true, force: true });
			});

			it('uploads 1 MiB, gets it and downloads it byte for byte, all through nginx and PHP', async () => {
				await stack.configure(RAISED);
				const original = randomBytes(MiB);
				writeFileSync(join(files, 'one-mib.bin'), original);
				const since = Date.now();
				const run = await cli.execute('ws-round-trip');
				expect(run.data.resultData.error).toBeUndefined();
				const [uploaded] = outputOf(run, 'Upload');
				const stored = sandbox.state.files.find(
					(file) => file.id === String(uploaded.json.file_id),
				)!;
				expect(sha256(readFileSync(stored.storagePath))).toBe(sha256(original));
				expect(outputOf(run, 'Get')[0].json.filename).toBe('one-mib.bin');
				expect(sha256(readFileSync(join(files, 'downloaded.bin')))).toBe(sha256(original));
				// the site's links name nginx's address, and the bytes came through nginx
				expect(String(uploaded.json.url)).toMatch(new RegExp(`^${stack.baseUrl}/`));
				const download = stack
					.accessLog(since)
					.find((entry) => entry.uri.startsWith(`/${stored.shortUrl}?download_token=`));
				expect(download).toMatchObject({ status: 200, upstreamStatus: '200' });
				expect(download!.bytesSent).toBeGreaterThan(MiB);
				expect(stack.count('file/upload', { since, status: 200 })).toBe(1);
			});

			/**
			 * Runs an upload the site refuses and returns what the node said and what the site and
			 * nginx saw. nginx logs a request once done with it: after an early 413 it may still be
			 * reading the rest of the body.
			 */
			async function refusedUpload(
				workflowId: keyof typeof UPLOADS,
				size: number,
				settings: Partial<WebStackSettings>,
			) {
				await stack.configure(settings);
				const name = UPLOADS[workflowId];
				writeFileSync(join(files, name), randomBytes(size));
				const since = Date.now();
				const before = {
					authorize: sandbox.count('authorize'),
					uploads: sandbox.count('file/upload'),
					files: sandbox.state.files.length,
				};
				const run = await cli.executeToTheEnd(workflowId);
				await waitFor(() => stack.count('file/upload', { since }) >= 1, 'nginx to log the upload');
				const failure = failureOf(run);
				process.stdout.write(
					`n8n ${version}, ${name} (${size / MiB} MiB): ${run.status}: ${failure.text.trim()}\n`,
				);
				return {
					name,
					run,
					failure,
					signIns: sandbox.count('authorize') - before.authorize,
					uploadsAtSite: sandbox.count('file/upload') - before.uploads,
					uploadsAtNginx: stack.count('file/upload', { since }),
					stored: sandbox.state.files.filter((file) => file.filename === name).length,
					added: sandbox.state.files.length - before.files,
					since,
				};
			}

			it.each([
				{
					size: 3,
					limit: 'upload_max_filesize',
					workflow: 'ws-up-3mib' as const,
					scriptSaw: 'Did not receive uploaded file.',
				},
				// PHP dropped the whole body: the script got no fields at all, the token included
				{
					size: 12,
					limit: 'post_max_size',
					workflow: 'ws-up-12mib' as const,
					scriptSaw: 'Please provide the access_token param.',
				},
			])(
				'a $size MiB upload against a stock PHP ($limit) fails, explained, with no sign-in and one upload call',
				async ({ size, limit, workflow, scriptSaw }) => {
					const refused = await refusedUpload(workflow, size * MiB, STOCK_PHP);
					expect(refused.run.status).toBe('error');
					expect(refused).toMatchObject({
						signIns: 0,
						uploadsAtSite: 1,
						uploadsAtNginx: 1,
						stored: 0,
						added: 0,
					});
					expect(
						sandbox.log
							.filter((entry) => entry.endpoint === 'file/upload' && entry.at >= refused.since)
							.map((entry) => entry.message),
					).toEqual([scriptSaw]);
					expectNoKeyBlame(refused.failure);
					expect(refused.failure.text).toContain(refused.name);
					expect(refused.failure.text).toContain(limit);
				},
			);

			it("a 2 MiB upload against nginx's 1m client_max_body_size fails with 413, explained, with no sign-in and one upload call", async () => {
				const refused = await refusedUpload('ws-up-2mib', 2 * MiB, NGINX_1M);
				expect(refused.run.status).toBe('error');
				// the site never saw it: nginx answered by itself
				expect(refused).toMatchObject({
					signIns: 0,
					uploadsAtSite: 0,
					uploadsAtNginx: 1,
					stored: 0,
					added: 0,
				});
				expect(stack.count('file/upload', { since: refused.since, status: 413 })).toBe(1);
				expectNoKeyBlame(refused.failure);
				expect(refused.failure.text).toContain(refused.name);
				expect(refused.failure.text).toContain('413');
				expect(refused.failure.text).toContain('client_max_body_size');
			});

			/**
			 * An upload that nginx answers with 504 while PHP still waits on the site, which stores the
			 * file at some point and answers later. After PHP is done, the folder holds the file once.
			 */
			async function uploadThrough504(
				workflowId: 'ws-up-stored-504' | 'ws-up-late-504',
				afterSite: boolean,
			) {
				await stack.configure(SMALL_POOL);
				const name = UPLOADS[workflowId];
				writeFileSync(join(files, name), randomBytes(256 * 1024));
				// nginx gives up after 2 s; the site answers after 4 s, having stored the file first or last
				sandbox.fail({ endpoint: 'file/upload' }, { slowMs: 4000, afterSite });
				const since = Date.now();
				const run = await cli.executeToTheEnd(workflowId);
				// PHP finishes after the site answered: wait for every upload call to have ended
				await waitFor(
					() =>
						sandbox.log.every(
							(entry) =>
								entry.endpoint !== 'file/upload' || entry.at < since || entry.endedAt !== undefined,
						),
					'PHP to finish the uploads',
					30_000,
				);
				await sleep(200);
				expect(stack.count('file/upload', { since, status: 504 })).toBeGreaterThanOrEqual(1);
				const copies = sandbox.state.files.filter(
					(file) => file.filename === name && file.folderId === null && file.status === 'active',
				);
				const failure = failureOf(run);
				const outcome =
					run.status === 'success'
						? `success with file ${String(outputOf(run, 'Upload')[0]?.json.file_id)}`
						: `error: ${failure.text.trim()}`;
				const calls = sandbox.log.filter(
					(entry) => entry.endpoint === 'file/upload' && entry.at >= since,
				).length;
				outcomes.push(
					`n8n ${version}, ${name}: ${calls} upload call(s), ${copies.length} file(s) stored; the run ended in ${outcome}`,
				);
				expect(copies).toHaveLength(1);
				if (run.status === 'success')
					expect(String(outputOf(run, 'Upload')[0].json.file_id)).toBe(copies[0].id);
				else expect(failure.text).toMatch(/unknown|not known|may (still )?have|may still/i);
				expectNoKeyBlame(failure);
			}

			it('an upload nginx answers 504 after PHP stored it leaves one file', async () => {
				await uploadThrough504('ws-up-stored-504', true);
			});

			it('an upload nginx answers 504 before the site stored it (PHP still working) leaves one file', async () => {
				await uploadThrough504('ws-up-late-504', false);
			});

			it('1,000 File → Get items through a pool of 5 PHP workers finish with no failed item', async () => {
				await stack.configure(SMALL_POOL);
				// 20 ms of the script's own time a call, so the pool is busy
				sandbox.configure({ workMs: 20 });
				const since = Date.now();
				try {
					const run = await cli.execute('ws-get-1000-ys');
					expect(run.data.resultData.error).toBeUndefined();
					const items = outputOf(run, 'File info');
					expect(items).toHaveLength(1000);
					expect(
						items.filter((item) => item.json.error !== undefined || item.json.id === undefined),
					).toEqual([]);
					const answered = stack
						.accessLog(since)
						.filter((entry) => entry.uri.toLowerCase().startsWith('/api/v2/file/info'));
					const by = (status: number) => answered.filter((entry) => entry.status === status).length;
					outcomes.push(
						`n8n ${version}, 1,000 File → Get: ${answered.length} calls at nginx ` +
							`(${by(502)} × 502, ${by(504)} × 504) ` +
							`in ${((Date.now() - since) / 1000).toFixed(1)} s, ` +
							`${sandbox.peakInFlight('file/info', since)} at the site at once`,
					);
				} finally {
					sandbox.configure({ workMs: 0 });
				}
			});

			it(
				'two n8n processes on one credential, 200 items each, ' +
					'every token dropped midway: no item fails, sign-ins within drops + processes',
				async () => {
					await stack.configure(RAISED);
					// ports 5790–5797: two processes per version, each with its task broker port beside it
					const parallel = new ParallelExecutions(
						runtime,
						sandbox,
						5790 + 4 * N8N_VERSIONS.indexOf(version),
						200,
						stack.baseUrl,
					);
					try {
						await parallel.setUp();
						const row = await parallel.run('dropped midway');
						outcomes.push(
							`n8n ${version}, two processes, tokens dropped midway: ${JSON.stringify(row)}`,
						);
						expect(row).toMatchObject({ overlapped: true, failed: 0, errors: [] });
						expect(row.drops).toBeGreaterThanOrEqual(2);
						// the run starts with a live token: one sign-in per drop, at most one more per process
						expect(row.authorize).toBeGreaterThanOrEqual(1);
						expect(row.authorize).toBeLessThanOrEqual(row.drops + 2);
					} finally {
						parallel.tearDown();
					}
				},
			);

			const REDIRECTS = [
				{ what: 'http:// for an https:// site', key: 'toHttps' as const, workflow: 'ws-to-https' },
				{ what: 'a host without www.', key: 'toWww' as const, workflow: 'ws-to-www' },
			];

			it.each(REDIRECTS)(
				'a Base URL nginx redirects with 301 ($what) fails in the node with an error that names the address to use',
				async ({ key, workflow }) => {
					await stack.configure({ ...RAISED, redirectStatus: 301 });
					const { from, to } = stack.redirects[key];
					const since = Date.now();
					const before = sandbox.count('authorize');
					const run = await cli.executeToTheEnd(workflow);
					const failure = failureOf(run);
					process.stdout.write(
						`n8n ${version}, Base URL ${from}: ${run.status}: ${failure.text.trim()}\n`,
					);
					expect(run.status).toBe('error');
					// nginx redirected, and nothing reached the site (a followed redirect would)
					expect(
						stack.accessLog(since).filter((entry) => entry.status === 301).length,
					).toBeGreaterThanOrEqual(1);
					expect(sandbox.count('authorize')).toBe(before);
					expect(failure.message).toBe(
						`The site redirects its API to another address: set the credential's Base URL to ${to} [item 0]`,
					);
					expectNoKeyBlame(failure);
				},
			);

			// last: `n8n start` on this user folder, which no `n8n execute` may share
			it("n8n's credential test of a Base URL nginx redirects with 301 fails with an error that names the address to use", async () => {
				await stack.configure({ ...RAISED, redirectStatus: 301 });
				editor = new N8nServer(cli);
				await editor.start();
				const results = await testCredentials(
					editor,
					REDIRECTS.map(({ key }) => credentials[key]),
				);
				const problems: string[] = [];
				REDIRECTS.forEach(({ key }, i) => {
					const { status, message } = results[i];
					process.stdout.write(
						`n8n ${version}, credential test of ${String(credentials[key].data.baseUrl)}: ${status}: ${message}\n`,
					);
					if (
						status !== 'Error' ||
						!message.includes(stack.redirects[key].to) ||
						BLAMES_KEYS.test(message)
					)
						problems.push(`${key}: ${status}: ${message}`);
				});
				expect(problems).toEqual([]);
			});
		},
	);
});
