/**
 * Redis and PostgreSQL from Debian's packages (`redis-server`, `postgresql` 15), each started by
 * the test itself on a free loopback port with its data in a temporary folder, and stopped (the
 * folder removed) afterwards: what n8n's queue mode needs besides n8n.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'child_process';
import { once } from 'events';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

const POSTGRES_BIN = (() => {
	const versions = existsSync('/usr/lib/postgresql')
		? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
		: [];
	return versions.length ? join('/usr/lib/postgresql', versions[0], 'bin') : '';
})();

/**
 * Where the kernel takes ports from for outgoing connections and `listen(0)`. A port handed out
 * from there and bound only later by another process can meanwhile be taken by any connection
 * (n8n's to Redis, say) or handed out again, so the ports below are picked under it.
 */
const EPHEMERAL_START = (() => {
	try {
		return (
			Number(
				readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
			) || 32768
		);
	} catch {
		return 32768;
	}
})();
const LOWEST_PORT = 10_000;
const handedOut = new Set<number>();

/** Whether a port can be listened on now, on loopback. */
function canListen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * A port nobody listens on now, on loopback, below the kernel's ephemeral range, and never the
 * same one twice in this process: the processes that will bind it start later.
 */
export async function freePort(): Promise<number> {
	const span = Math.max(1, EPHEMERAL_START - LOWEST_PORT);
	for (let attempt = 0; attempt < 200; attempt++) {
		const port = LOWEST_PORT + Math.floor(Math.random() * span);
		if (handedOut.has(port) || !(await canListen(port))) continue;
		handedOut.add(port);
		return port;
	}
	throw new Error(`No free port found between ${LOWEST_PORT} and ${EPHEMERAL_START}`);
}

/** Resolves once `ready` matches what the process printed; rejects if it exits first. */
function waitForOutput(
	child: ChildProcess,
	name: string,
	ready: RegExp,
	timeoutMs = 60_000,
): Promise<void> {
	let output = '';
	return new Promise<void>((resolve, reject) => {
		const timer = setTimeout(
			() =>
				reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.slice(-3000)}`)),
			timeoutMs,
		);
		const take = (chunk: Buffer) => {
			output += chunk.toString();
			if (ready.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.on('data', take);
		child.stderr?.on('data', take);
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			reject(new Error(`${name} exited with ${code ?? signal}:\n${output.slice(-3000)}`));
		});
	});
}

/** Ends a process this test started (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
export async function stopProcess(
	child: ChildProcess | undefined,
	graceMs = 20_000,
): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const exited = once(child, 'exit');
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

abstract class Service {
	protected process?: ChildProcess;
	protected folder = '';
	port = 0;

	async stop() {
		await stopProcess(this.process);
		this.process = undefined;
		if (this.folder) rmSync(this.folder, { recursive: true, force: true });
		this.folder = '';
	}
}

export class Redis extends Service {
	async start() {
		this.folder = mkdtempSync(join(tmpdir(), 'n8n-queue-redis-'));
		this.port = await freePort();
		// no persistence: the queue lives as long as the test
		this.process = spawn(
			'redis-server',
			[
				'--port',
				String(this.port),
				'--bind',
				'127.0.0.1',
				'--dir',
				this.folder,
				'--save',
				'',
				'--appendonly',
				'no',
			],
			{
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		await waitForOutput(this.process, 'redis-server', /Ready to accept connections/);
	}

	/** Runs one Redis command with redis-cli and resolves its answer. */
	command(...args: string[]): Promise<string> {
		return new Promise((resolve, reject) => {
			execFile(
				'redis-cli',
				['-h', '127.0.0.1', '-p', String(this.port), ...args],
				(error, stdout, stderr) => {
					if (error) return reject(new Error(`redis-cli failed: ${stderr || error.message}`));
					resolve(stdout.trim());
				},
			);
		});
	}

	/** How many jobs n8n's queue (Bull's "jobs" queue, default prefix) holds as being worked on. */
	async activeJobs(): Promise<number> {
		return Number(await this.command('LLEN', 'bull:jobs:active'));
	}
}

/**
 * PostgreSQL refuses to run as root: when the test runs as root, the server runs as the
 * `postgres` user Debian's package creates (Node's spawn sets the child's uid and gid), in a
 * folder given to that user. Trust authentication on loopback only, no fsync: a throwaway
 * database.
 */
export class Postgres extends Service {
	readonly user = 'n8n';
	readonly database = 'n8n';

	private owner(): { uid: number; gid: number } | undefined {
		if (process.getuid?.() !== 0) return undefined;
		const id = (flag: string) =>
			Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
		const uid = id('-u');
		if (!uid)
			throw new Error(
				'PostgreSQL cannot run as root, and there is no `postgres` user to run it as',
			);
		return { uid, gid: id('-g') };
	}

	async start() {
		if (!POSTGRES_BIN) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
		const owner = this.owner();
		this.folder = mkdtempSync(join(tmpdir(), 'n8n-queue-postgres-'));
		if (owner) chownSync(this.folder, owner.uid, owner.gid);
		const data = join(this.folder, 'data');
		const asOwner = { ...owner, env: { ...process.env, LC_ALL: 'C.UTF-8' }, cwd: this.folder };
		const init = spawnSync(
			join(POSTGRES_BIN, 'initdb'),
			['-D', data, '-U', this.user, '-A', 'trust', '-E', 'UTF8', '--no-sync'],
			{ ...asOwner, encoding: 'utf8' },
		);
		if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
		this.port = await freePort();
		this.process = spawn(
			join(POSTGRES_BIN, 'postgres'),
			[
				'-D',
				data,
				'-p',
				String(this.port),
				'-k',
				this.folder,
				'-c',
				'listen_addresses=127.0.0.1',
				'-c',
				'fsync=off',
				'-c',
				'synchronous_commit=off',
				'-c',
				'full_page_writes=off',
			],
			{ ...asOwner, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		await waitForOutput(this.process, 'postgres', /database system is ready to accept connections/);
		const create = spawnSync(
			join(POSTGRES_BIN, 'createdb'),
			['-h', '127.0.0.1', '-p', String(this.port), '-U', this.user, this.database],
			{ ...asOwner, encoding: 'utf8' },
		);
		if (create.status !== 0) throw new Error(`createdb failed:\n${create.stderr}`);
	}

	/** Runs SQL and resolves the rows, each a list of column values (psql's unaligned output). */
	query(sql: string): Promise<string[][]> {
		const args = [
			'-h',
			'127.0.0.1',
			'-p',
			String(this.port),
			'-U',
			this.user,
			'-d',
			this.database,
			'-At',
			'-F',
			'\t',
			'-v',
			'ON_ERROR_STOP=1',
			'-c',
			sql,
		];
		return new Promise((resolve, reject) => {
			execFile(
				join(POSTGRES_BIN, 'psql'),
				args,
				{ maxBuffer: 256 * 1024 * 1024 },
				(error, stdout, stderr) => {
					if (error) return reject(new Error(`psql failed: ${stderr || error.message}`));
					resolve(
						stdout
							.split('\n')
							.filter((line) => line !== '')
							.map((line) => line.split('\t')),
					);
				},
			);
		});
	}
}
