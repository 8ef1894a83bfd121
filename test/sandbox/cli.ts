/**
 * `npm run sandbox`: a fake YetiShare site on this machine, to try the package without an
 * account anywhere. Prints where it listens and the demo account's credentials, then runs
 * until Ctrl-C.
 */
import { SandboxServer, type SandboxOptions } from './server';

const USAGE = `Usage: npm run sandbox -- [options]

  --port <n>             port to listen on (default: $PORT or 8787; 0 = any free port)
  --host <address>       address to listen on (default: 127.0.0.1)
  --script-version <4|5> error shape and listing behaviour of script 4.x or 5.x (default: 5)
  --revision <newer|older>  API revision: older has no URL uploads (default: newer)
  --auth <keys|login>    what /authorize accepts: API keys or username + password (default: keys)
  --fields <full|reference|undated>  which fields answers carry: everything, only what the
                         reference's samples show, or that with every folder date null (default: full)
  --fixture <file>       seed data (default: test/sandbox/fixture.json)
  --storage <dir>        keep uploaded files here (default: a temporary directory)
  --latency <ms>[+<ms>]  delay every request, as a distant site would; +jitter at random (default: 0)
  --bandwidth <bytes/s>  cap file transfers each way, e.g. 12.5M for 100 Mbit/s (K, M, G: 1000s; default: none)
  --workers <n>[x<ms>]   serve n API calls at once, each taking ms, as a server's PHP workers do; the others
                         wait their turn (e.g. 5x20; default: any number at once, no time)
  --big-account <folders>,<files>  add that many folders (five levels deep) and files to the demo account
`;

function fail(message: string): never {
	process.stderr.write(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function parseArguments(argv: string[]): { options: SandboxOptions; big?: { folders: number; files: number } } {
	const values: Record<string, string> = {};
	for (let i = 0; i < argv.length; i++) {
		const argument = argv[i];
		if (argument === '--help' || argument === '-h') {
			process.stdout.write(USAGE);
			process.exit(0);
		}
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
		if (!match) fail(`Unexpected argument: ${argument}`);
		const value = match[2] ?? argv[++i];
		if (value === undefined) fail(`--${match[1]} needs a value`);
		values[match[1]] = value;
	}
	const known = ['port', 'host', 'script-version', 'revision', 'auth', 'fields', 'fixture', 'storage', 'latency', 'bandwidth', 'workers', 'big-account'];
	for (const name of Object.keys(values)) if (!known.includes(name)) fail(`Unknown option: --${name}`);

	const portText = values.port ?? process.env.PORT ?? '8787';
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Not a port number: ${portText}`);
	const options: SandboxOptions = { host: values.host ?? '127.0.0.1', port };
	if (values['script-version'] !== undefined) {
		if (values['script-version'] !== '4' && values['script-version'] !== '5') fail('--script-version must be 4 or 5');
		options.scriptVersion = Number(values['script-version']) as 4 | 5;
	}
	if (values.revision !== undefined) {
		if (values.revision !== 'newer' && values.revision !== 'older') fail('--revision must be newer or older');
		options.revision = values.revision;
	}
	if (values.auth !== undefined) {
		if (values.auth !== 'keys' && values.auth !== 'login') fail('--auth must be keys or login');
		options.authMode = values.auth;
	}
	if (values.fields !== undefined) {
		if (values.fields !== 'full' && values.fields !== 'reference' && values.fields !== 'undated') fail('--fields must be full, reference or undated');
		options.fields = values.fields;
	}
	if (values.fixture !== undefined) options.fixture = values.fixture;
	if (values.storage !== undefined) options.storageDir = values.storage;
	if (values.latency !== undefined) {
		const latency = /^(\d+)(?:\+(\d+))?$/.exec(values.latency);
		if (!latency) fail('--latency must be milliseconds, optionally with +jitter (e.g. 50+20)');
		options.latencyMs = Number(latency[1]);
		options.latencyJitterMs = Number(latency[2] ?? 0);
	}
	if (values.bandwidth !== undefined) {
		const bandwidth = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(values.bandwidth);
		if (!bandwidth) fail('--bandwidth must be bytes per second, optionally with K, M or G (e.g. 12.5M)');
		const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[bandwidth[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
		options.bandwidthBytesPerSecond = Math.round(Number(bandwidth[1]) * scale);
	}
	if (values.workers !== undefined) {
		const workers = /^(\d+)(?:x(\d+))?$/.exec(values.workers);
		if (!workers) fail('--workers must be a number of workers, optionally with x and the milliseconds each call takes (e.g. 5x20)');
		options.workers = Number(workers[1]);
		options.workMs = Number(workers[2] ?? 0);
	}
	return { options, big: bigAccount(values['big-account']) };
}

function bigAccount(text: string | undefined): { folders: number; files: number } | undefined {
	if (text === undefined) return undefined;
	const size = /^(\d+),(\d+)$/.exec(text);
	if (!size || Number(size[1]) < 5) fail('--big-account must be <folders>,<files> with at least 5 folders, e.g. 2000,100000');
	return { folders: Number(size[1]), files: Number(size[2]) };
}

async function main() {
	const { options, big } = parseArguments(process.argv.slice(2));
	const sandbox = new SandboxServer(options);
	let baseUrl: string;
	try {
		baseUrl = await sandbox.start();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') fail(`Port ${options.port} is in use: pick another with --port or PORT.`);
		throw error;
	}
	const demo = sandbox.demoAccount;
	const settings = sandbox.options;
	if (big) sandbox.seedTree(demo.id, { ...big, depth: 5 });
	const mode = settings.authMode === 'keys' ? 'API keys (key1 + key2)' : 'account login (username + password)';
	process.stdout.write(
		[
			`YetiShare sandbox listening on ${baseUrl}`,
			`  API:        ${sandbox.apiUrl}/`,
			`  Site:       script ${settings.scriptVersion}.x, ${settings.revision} API revision, /authorize takes ${mode}, ${settings.fields} answers`,
			...(big ? [`  Big account: ${big.folders} folders five levels deep and ${big.files} files added to the demo account`] : []),
			...(settings.latencyMs || settings.bandwidthBytesPerSecond ? [`  Network:    ${settings.latencyMs}+${settings.latencyJitterMs} ms a request, file transfers ${settings.bandwidthBytesPerSecond ? `capped at ${settings.bandwidthBytesPerSecond} bytes/s each way` : 'not capped'}`] : []),
			...(settings.workers ? [`  Workers:    ${settings.workers} API calls at once, ${settings.workMs} ms each; the others wait their turn`] : []),
			'',
			'Demo account (use the base URL above as the credential\'s Base URL):',
			`  key1:       ${demo.key1}`,
			`  key2:       ${demo.key2}`,
			`  username:   ${demo.username}`,
			`  password:   ${demo.password}`,
			`  account id: ${demo.id}`,
			'',
			'Everything lives in memory and is gone when the sandbox stops. Press Ctrl-C to stop.',
			'',
		].join('\n'),
	);

	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		process.stdout.write('\nStopping the sandbox…\n');
		sandbox.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	process.stderr.write(`The sandbox could not start: ${(error as Error).message}\n`);
	process.exit(1);
});
