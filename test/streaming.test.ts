/**
 * What n8n's verification asks of the package (no runtime dependency), and what dropping
 * form-data must not cost: an upload streamed from n8n's binary store, byte for byte.
 */
import { execFileSync, spawn } from 'child_process';
import { once } from 'events';
import { randomBytes } from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'fs';
import { builtinModules } from 'module';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';
import { describe, expect, it } from '@jest/globals';

import { makeRandomFile, MiB } from './bench/measure';
import { useWorld } from './setup';

const ROOT = resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** Every module a source file imports or requires, as written. */
function importsOf(path: string): string[] {
	const text = readFileSync(path, 'utf8');
	const found = [
		...text.matchAll(
			/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm,
		),
	];
	return found.map((match) => match[1]);
}

const isBuiltin = (specifier: string) => builtinModules.includes(specifier.replace(/^node:/, ''));

describe('no runtime dependencies', () => {
	it('the packed package.json declares no dependencies, and the shipped code imports nothing but n8n-workflow and Node', () => {
		const work = mkdtempSync(join(tmpdir(), 'yetishare-pack-'));
		try {
			const [packed] = JSON.parse(
				execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
					cwd: ROOT,
					encoding: 'utf8',
					stdio: ['ignore', 'pipe', 'ignore'],
				}),
			) as Array<{ filename: string }>;
			execFileSync('tar', [
				'-xzf',
				join(work, packed.filename),
				'-C',
				work,
				'package/package.json',
			]);
			const manifest = JSON.parse(
				readFileSync(join(work, 'package/package.json'), 'utf8'),
			) as Record<string, unknown>;
			expect(manifest.dependencies ?? {}).toEqual({});
			expect(manifest.bundleDependencies ?? manifest.bundledDependencies ?? []).toEqual([]);
			expect(Object.keys((manifest.peerDependencies as object | undefined) ?? {})).toEqual([
				'n8n-workflow',
			]);
		} finally {
			rmSync(work, { recursive: true, force: true });
		}

		// Anything else would work only because n8n happens to install it for itself.
		const foreign = [
			...sourceFiles(join(ROOT, 'nodes')),
			...sourceFiles(join(ROOT, 'credentials')),
		].flatMap((path) =>
			importsOf(path)
				.filter(
					(specifier) =>
						!specifier.startsWith('.') && specifier !== 'n8n-workflow' && !isBuiltin(specifier),
				)
				.map((specifier) => `${relative(ROOT, path)}: ${specifier}`),
		);
		expect(foreign).toEqual([]);
	});

	it("the upload's multipart path imports only n8n-workflow and its own modules (n8n Cloud's import rule)", () => {
		const uploadPath = [
			'nodes/YetiShare/resources/file/upload.ts',
			'nodes/YetiShare/transport/multipart.ts',
		];
		const imports = uploadPath.flatMap((path) =>
			importsOf(join(ROOT, path)).filter((specifier) => !specifier.startsWith('.')),
		);
		expect(imports).toEqual(['n8n-workflow', 'n8n-workflow']);
	});
});

describe('uploads are streamed', () => {
	const world = useWorld();

	it(
		"a 256 MiB upload from n8n's binary store (filesystem mode) grows " +
			'the process by far less than the file, and arrives byte for byte',
		async () => {
			const work = mkdtempSync(join(tmpdir(), 'yetishare-stream-'));
			try {
				const file = join(work, 'large.bin');
				const md5 = await makeRandomFile(file, 256 * MiB);
				const { key1, key2 } = world.sandbox.demoAccount;
				// A process of its own (n8n-core's engine, as in npm run bench), so that its peak RSS is this upload's.
				const child = spawn(
					process.execPath,
					[
						'--expose-gc',
						require.resolve('ts-node/dist/bin.js'),
						'--transpile-only',
						'test/bench/node-transfer.ts',
						'upload',
						world.sandbox.baseUrl,
						key1,
						key2,
						file,
					],
					{
						cwd: ROOT,
						env: { ...process.env, TRANSFER_FROM_SOURCES: '1' },
						stdio: ['ignore', 'pipe', 'pipe'],
					},
				);
				let stdout = '';
				let stderr = '';
				child.stdout.on('data', (chunk) => (stdout += chunk));
				child.stderr.on('data', (chunk) => (stderr += chunk));
				const [code] = (await once(child, 'exit')) as [number];
				expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
				const measured = JSON.parse(stdout) as {
					bytes: number;
					rssBefore: number;
					rssPeak: number;
					fileId: string;
				};

				expect(measured.bytes).toBe(256 * MiB);
				expect(
					world.sandbox.state.files.find((stored) => stored.id === String(measured.fileId))?.md5,
				).toBe(md5);
				// A body held in memory (as when the HTTP client keeps it to follow redirects) grows it by the file's size.
				expect(measured.rssPeak - measured.rssBefore).toBeLessThan(64 * MiB);
			} finally {
				rmSync(work, { recursive: true, force: true });
			}
		},
		180_000,
	);
});

describe('an upload that breaks off lets go of the file it was reading', () => {
	const world = useWorld({ binaryMode: 'filesystem' });

	/** This process's descriptors open on files of n8n's binary store. */
	function openInStore(): string[] {
		const store = join(world.engine.userFolder, '.n8n', 'storage');
		return readdirSync('/proc/self/fd')
			.map((fd) => {
				try {
					return readlinkSync(join('/proc/self/fd', fd));
				} catch {
					return '';
				}
			})
			.filter((target) => target.startsWith(store));
	}

	it('no file of the binary store stays open after uploads cut off midway', async () => {
		const items = await Promise.all(
			[1, 2, 3].map(
				async (n) =>
					await world.engine.binaryItem(randomBytes(4 * MiB), {
						fileName: `cut-${n}.bin`,
						mimeType: 'application/octet-stream',
					}),
			),
		);
		world.sandbox.fail({ endpoint: 'file/upload', times: 3 }, { cutAfterBytes: 256 * 1024 });
		const run = await world.run(
			{
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: { __rl: true, mode: 'id', value: 'root' },
			},
			{ items, credential: world.addCredential({ maxRetryWait: 0 }), continueOnFail: true },
		);
		expect(run.json.map((json) => typeof json.error)).toEqual(['string', 'string', 'string']);
		// each attempt read part of its file; a body never sent in full must not keep it open until
		// garbage collection. Closing a file ends on Node's thread pool, a moment after the node is
		// done: wait for that moment (2 s at most), not for a collection that never comes here
		for (let waited = 0; openInStore().length > 0 && waited < 2000; waited += 20)
			await new Promise((resolve) => setTimeout(resolve, 20));
		expect(openInStore()).toEqual([]);
	});
});
