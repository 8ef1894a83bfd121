/**
 * The shipped upload body through the HTTP helper of each installed n8n (`.n8n/<version>`, from
 * `npm run n8n:install`): n8n 2.x's @n8n/backend-network and n8n 1.x's n8n-core differ in how they
 * pass a body to axios, so each is tried as it is installed. Per version, in a process of its own:
 * one upload of a random file (SIZE_MIB, default 1024) to the sandbox; prints time, RSS growth
 * and whether the site's MD5 matches. Needs a build (npm run build).
 *
 *   npx ts-node --transpile-only test/bench/multipart-n8n.ts
 */
import { spawn } from 'child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

import { SandboxServer } from '../sandbox/server';
import { makeRandomFile, MiB } from './measure';

const ROOT = resolve(__dirname, '../..');
const SIZE_MIB = Number(process.env.SIZE_MIB ?? 1024);

/** The function each n8n version's nodes reach through `helpers.httpRequest`. */
function helperOf(version: string): string {
	const modules = join(ROOT, '.n8n', version, 'node_modules');
	return version.startsWith('1.')
		? join(
				modules,
				'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions.js',
			)
		: join(modules, '@n8n/backend-network/dist/http/axios/request.js');
}

/** Child: one upload through `version`'s helper, the session fields added as the credential adds them. */
async function send(version: string, api: string, token: string, accountId: string, file: string) {
	const { httpRequest } = require(helperOf(version)) as {
		httpRequest: (options: object) => Promise<{ statusCode: number; body: unknown }>;
	};
	const { multipartForm } = require(
		join(ROOT, 'dist/nodes/YetiShare/transport/multipart.js'),
	) as typeof import('../../nodes/YetiShare/transport/multipart');
	const size = statSync(file).size;
	const form = multipartForm({ folder_id: '' }, 'upload_file', {
		name: `n8n-${version}.bin`,
		type: 'application/octet-stream',
		size,
		stream: () => createReadStream(file, { highWaterMark: 256 * 1024 }),
	});
	form.append('access_token', token);
	form.append('account_id', accountId);
	(global as { gc?: () => void }).gc?.();
	const rssBefore = process.memoryUsage().rss;
	const started = process.hrtime.bigint();
	const response = await httpRequest({
		method: 'POST',
		url: `${api}/file/upload`,
		body: form,
		headers: { accept: 'application/json' },
		disableFollowRedirect: true,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const answer = (
		(typeof response.body === 'string' ? JSON.parse(response.body) : response.body) as {
			data?: Array<{ file_id?: string; size?: string }>;
		}
	).data?.[0];
	process.stdout.write(
		`${JSON.stringify({ ms, rssBefore, rssPeak: process.resourceUsage().maxRSS * 1024, fileId: answer?.file_id, size: Number(answer?.size) })}\n`,
	);
}

async function main() {
	const versions = existsSync(join(ROOT, '.n8n'))
		? readdirSync(join(ROOT, '.n8n')).filter((version) => existsSync(helperOf(version)))
		: [];
	if (versions.length === 0) throw new Error('no n8n installed under .n8n (npm run n8n:install)');
	const work = mkdtempSync(join(tmpdir(), 'yetishare-multipart-'));
	const sandbox = new SandboxServer();
	await sandbox.start();
	try {
		const file = join(work, 'upload.bin');
		const md5 = await makeRandomFile(file, SIZE_MIB * MiB);
		const { key1, key2 } = sandbox.demoAccount;
		const session = (
			(await (
				await fetch(`${sandbox.apiUrl}/authorize`, {
					method: 'POST',
					body: new URLSearchParams({ key1, key2 }),
				})
			).json()) as { data: Record<string, string> }
		).data;
		const rows = [];
		for (const version of versions) {
			const child = spawn(
				process.execPath,
				[
					'--expose-gc',
					require.resolve('ts-node/dist/bin.js'),
					'--transpile-only',
					__filename,
					'--send',
					version,
					sandbox.apiUrl,
					session.access_token,
					session.account_id,
					file,
				],
				{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
			);
			let stdout = '';
			child.stdout.on('data', (chunk) => (stdout += chunk));
			const code = await new Promise((done) => child.on('exit', done));
			if (code !== 0) throw new Error(`n8n ${version}: the upload process exited with ${code}`);
			const sent = JSON.parse(stdout) as {
				ms: number;
				rssBefore: number;
				rssPeak: number;
				fileId: string;
				size: number;
			};
			const stored = sandbox.state.files.find((entry) => entry.id === String(sent.fileId));
			rows.push(
				`| ${version} | ${SIZE_MIB} MiB | ${(sent.ms / 1000).toFixed(2)} s ` +
					`| ${((sent.rssPeak - sent.rssBefore) / MiB).toFixed(1)} ` +
					`| ${sent.size === SIZE_MIB * MiB && stored?.md5 === md5 ? 'yes' : `NO (${sent.size} bytes, MD5 ${stored?.md5})`} |`,
			);
		}
		process.stdout.write(
			`\n| n8n | file | time | RSS growth (MiB) | stored byte for byte |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
		);
	} finally {
		await sandbox.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

const [mode, ...rest] = process.argv.slice(2);
(mode === '--send' ? send(...(rest as [string, string, string, string, string])) : main()).catch(
	(error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	},
);
