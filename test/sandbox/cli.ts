/**
 * `npm run sandbox`: a fake YetiShare site on this machine, to try the package without an
 * account anywhere. Prints where it listens and the demo account's credentials, then runs
 * until Ctrl-C.
 */
import { SandboxServer, type SandboxOptions } from './server';
import { WebStack, type WebStackOptions } from './web-stack';

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

  Request sizes, in bytes or with K, M or G (1024s, as PHP writes them); 0 = no limit:
  --post-max-size <size>       PHP's post_max_size: a larger POST body reaches the script with no fields
                               and no file (default: none; with --stack 8M, as a stock PHP)
  --upload-max-filesize <size> PHP's upload_max_filesize: a larger file arrives refused, with error 1
                               (default: none; with --stack 2M)
  --body-limit <size>          the web server's body limit (nginx's client_max_body_size): a larger body
                               is answered 413 (default: none; with --stack 1M)
  --php-stock            PHP 8.2's and nginx's stock limits: 8M, 2M and 1M (the others above override them)

  --stack                serve the site behind real nginx and PHP-FPM (apt-get install nginx-light php-fpm):
                         PHP parses every API call, nginx serves downloads; --port is then nginx's
  --php-workers <n>            with --stack: PHP-FPM's pm.max_children (default 5)
  --fastcgi-read-timeout <s>   with --stack: nginx answers 504 after waiting this long on PHP (default 60)
`;

function fail(message: string): never {
	process.stderr.write(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function parseArguments(argv: string[]): {
	options: SandboxOptions;
	big?: { folders: number; files: number };
	stack?: WebStackOptions;
} {
	const values: Record<string, string> = {};
	let stack = false;
	let phpStock = false;
	for (let i = 0; i < argv.length; i++) {
		const argument = argv[i];
		if (argument === '--help' || argument === '-h') {
			process.stdout.write(USAGE);
			process.exit(0);
		}
		if (argument === '--stack') {
			stack = true;
			continue;
		}
		if (argument === '--php-stock') {
			phpStock = true;
			continue;
		}
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
		if (!match) fail(`Unexpected argument: ${argument}`);
		const value = match[2] ?? argv[++i];
		if (value === undefined) fail(`--${match[1]} needs a value`);
		values[match[1]] = value;
	}
	const stackOnly = ['php-workers', 'fastcgi-read-timeout'];
	const known = [
		'port',
		'host',
		'script-version',
		'revision',
		'auth',
		'fields',
		'fixture',
		'storage',
		'latency',
		'bandwidth',
		'workers',
		'big-account',
		'post-max-size',
		'upload-max-filesize',
		'body-limit',
		...stackOnly,
	];
	for (const name of Object.keys(values))
		if (!known.includes(name)) fail(`Unknown option: --${name}`);
	if (!stack)
		for (const name of stackOnly)
			if (values[name] !== undefined)
				fail(`--${name} configures the real PHP or nginx: add --stack`);

	const portText = values.port ?? process.env.PORT ?? '8787';
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Not a port number: ${portText}`);
	const options: SandboxOptions = { host: values.host ?? '127.0.0.1', port };
	if (values['script-version'] !== undefined) {
		if (values['script-version'] !== '4' && values['script-version'] !== '5')
			fail('--script-version must be 4 or 5');
		options.scriptVersion = Number(values['script-version']) as 4 | 5;
	}
	if (values.revision !== undefined) {
		if (values.revision !== 'newer' && values.revision !== 'older')
			fail('--revision must be newer or older');
		options.revision = values.revision;
	}
	if (values.auth !== undefined) {
		if (values.auth !== 'keys' && values.auth !== 'login') fail('--auth must be keys or login');
		options.authMode = values.auth;
	}
	if (values.fields !== undefined) {
		if (values.fields !== 'full' && values.fields !== 'reference' && values.fields !== 'undated')
			fail('--fields must be full, reference or undated');
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
		if (!bandwidth)
			fail('--bandwidth must be bytes per second, optionally with K, M or G (e.g. 12.5M)');
		const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[
			bandwidth[2].toUpperCase() as '' | 'K' | 'M' | 'G'
		];
		options.bandwidthBytesPerSecond = Math.round(Number(bandwidth[1]) * scale);
	}
	if (values.workers !== undefined) {
		const workers = /^(\d+)(?:x(\d+))?$/.exec(values.workers);
		if (!workers)
			fail(
				'--workers must be a number of workers, optionally with x and the milliseconds each call takes (e.g. 5x20)',
			);
		options.workers = Number(workers[1]);
		options.workMs = Number(workers[2] ?? 0);
	}
	if (!stack)
		return {
			options: { ...options, ...sizeLimits(values, phpStock) },
			big: bigAccount(values['big-account']),
		};
	// nginx takes the port people use; the sandbox behind it any free one, on loopback
	return {
		options: { ...options, host: '127.0.0.1', port: 0 },
		big: bigAccount(values['big-account']),
		stack: stackOptions(values, port),
	};
}

function stackOptions(values: Record<string, string>, port: number): WebStackOptions {
	const stack: WebStackOptions = { port };
	if (values.host !== undefined && values.host !== '127.0.0.1')
		fail('--host: with --stack, nginx listens on 127.0.0.1');
	const size = (name: string) => {
		phpSize(name, values[name]);
		return values[name];
	};
	if (values['post-max-size'] !== undefined) stack.postMaxSize = size('post-max-size');
	if (values['upload-max-filesize'] !== undefined)
		stack.uploadMaxFilesize = size('upload-max-filesize');
	if (values['body-limit'] !== undefined) stack.clientMaxBodySize = size('body-limit');
	if (values['php-workers'] !== undefined) {
		if (!/^[1-9]\d*$/.test(values['php-workers']))
			fail('--php-workers must be a whole number of at least 1');
		stack.maxChildren = Number(values['php-workers']);
	}
	if (values['fastcgi-read-timeout'] !== undefined) {
		if (!/^[1-9]\d*$/.test(values['fastcgi-read-timeout']))
			fail('--fastcgi-read-timeout must be a whole number of seconds');
		stack.fastcgiReadTimeout = Number(values['fastcgi-read-timeout']);
	}
	return stack;
}

/** The sandbox's own request-size limits (without --stack): --php-stock's, and any given one by one. */
function sizeLimits(
	values: Record<string, string>,
	phpStock: boolean,
): Pick<SandboxOptions, 'postMaxSize' | 'uploadMaxFilesize' | 'bodyLimit'> {
	const limits = phpStock
		? { postMaxSize: 8 * 1024 ** 2, uploadMaxFilesize: 2 * 1024 ** 2, bodyLimit: 1024 ** 2 }
		: {};
	const given = {
		postMaxSize: 'post-max-size',
		uploadMaxFilesize: 'upload-max-filesize',
		bodyLimit: 'body-limit',
	} as const;
	for (const [option, name] of Object.entries(given))
		if (values[name] !== undefined)
			Object.assign(limits, { [option]: phpSize(name, values[name]) });
	return limits;
}

/** A size as PHP's ini shorthand writes it (8M, 512K, 1G: 1024s) or plain bytes, in bytes. */
function phpSize(name: string, text: string): number {
	const size = /^(\d+)([KMG]?)$/i.exec(text);
	if (!size) fail(`--${name} must be bytes, optionally with K, M or G (e.g. 8M)`);
	return Number(size[1]) * 1024 ** ' KMG'.indexOf(size[2].toUpperCase() || ' ');
}

/** Bytes the way PHP's shorthand writes them, where it can (8388608 → 8M). */
function shorthand(bytes: number): string {
	for (const [unit, scale] of [
		['G', 1024 ** 3],
		['M', 1024 ** 2],
		['K', 1024],
	] as const)
		if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
	return String(bytes);
}

function bigAccount(text: string | undefined): { folders: number; files: number } | undefined {
	if (text === undefined) return undefined;
	const size = /^(\d+),(\d+)$/.exec(text);
	if (!size || Number(size[1]) < 5)
		fail('--big-account must be <folders>,<files> with at least 5 folders, e.g. 2000,100000');
	return { folders: Number(size[1]), files: Number(size[2]) };
}

async function main() {
	const { options, big, stack: stackOptions } = parseArguments(process.argv.slice(2));
	const sandbox = new SandboxServer(options);
	const stack = stackOptions && new WebStack(sandbox, stackOptions);
	let baseUrl: string;
	try {
		baseUrl = await sandbox.start();
		if (stack) baseUrl = await stack.start();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE')
			fail(`Port ${options.port} is in use: pick another with --port or PORT.`);
		await sandbox.stop();
		throw error;
	}
	const demo = sandbox.demoAccount;
	const settings = sandbox.options;
	if (big) sandbox.seedTree(demo.id, { ...big, depth: 5 });
	const mode =
		settings.authMode === 'keys' ? 'API keys (key1 + key2)' : 'account login (username + password)';
	process.stdout.write(
		[
			`YetiShare sandbox listening on ${baseUrl}${stack ? ' (nginx, PHP-FPM)' : ''}`,
			`  API:        ${baseUrl}/api/v2/`,
			...(stack ? stackLines(stack) : []),
			`  Site:       script ${settings.scriptVersion}.x, ${settings.revision} API revision, ` +
				`/authorize takes ${mode}, ${settings.fields} answers`,
			...(big
				? [
						`  Big account: ${big.folders} folders five levels deep and ${big.files} files added to the demo account`,
					]
				: []),
			...(settings.latencyMs || settings.bandwidthBytesPerSecond
				? [
						`  Network:    ${settings.latencyMs}+${settings.latencyJitterMs} ms a request, ` +
							`file transfers ` +
							`${settings.bandwidthBytesPerSecond ? `capped at ${settings.bandwidthBytesPerSecond} bytes/s each way` : 'not capped'}`,
					]
				: []),
			...(settings.workers
				? [
						`  Workers:    ${settings.workers} API calls at once, ${settings.workMs} ms each; the others wait their turn`,
					]
				: []),
			...(settings.postMaxSize || settings.uploadMaxFilesize || settings.bodyLimit
				? [`  Limits:     ${limitsLine(settings)}`]
				: []),
			'',
			"Demo account (use the base URL above as the credential's Base URL):",
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
		Promise.resolve(stack?.stop())
			.then(() => sandbox.stop())
			.then(
				() => process.exit(0),
				() => process.exit(1),
			);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

/** The sandbox's own request-size limits, as PHP and nginx would name them. */
function limitsLine(settings: SandboxServer['options']): string {
	const limit = (bytes: number) => (bytes ? shorthand(bytes) : 'none');
	return (
		`post_max_size ${limit(settings.postMaxSize)}, upload_max_filesize ` +
		`${limit(settings.uploadMaxFilesize)}, web server body limit ${limit(settings.bodyLimit)}`
	);
}

/** What the stack in front of the sandbox is set to, and its other addresses. */
function stackLines(stack: WebStack): string[] {
	const { postMaxSize, uploadMaxFilesize, clientMaxBodySize, maxChildren, pm, fastcgiReadTimeout } =
		stack.options;
	const { toHttps, toWww } = stack.redirects;
	return [
		`  PHP:        post_max_size ${postMaxSize}, upload_max_filesize ${uploadMaxFilesize}; PHP-FPM pm ${pm}, ${maxChildren} workers`,
		`  nginx:      client_max_body_size ${clientMaxBodySize}, fastcgi_read_timeout ${fastcgiReadTimeout}; logs in ${stack.path}`,
		`  Also:       ${stack.httpsUrl} (https, self-signed); ${toHttps.from} redirects to it; ${toWww.from} redirects to ${toWww.to}`,
		`  Behind it:  the sandbox itself at ${stack.sandbox.baseUrl}`,
	];
}

main().catch((error) => {
	process.stderr.write(`The sandbox could not start: ${(error as Error).message}\n`);
	process.exit(1);
});
