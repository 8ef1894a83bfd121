/**
 * The web stack a real site runs behind, in front of the sandbox: nginx and PHP-FPM from Debian's
 * packages (`apt-get install nginx-light php-fpm`), started as the current user on free loopback
 * ports with every config, pid, log and temporary file in a folder of their own (removed by
 * stop()), never the system's services.
 *
 * nginx hands `/api/v2/…` to PHP-FPM, where front.php hands what PHP parsed to the sandbox; every
 * other path (downloads, short links, the home page) nginx proxies to the sandbox. So PHP's and
 * nginx's own limits, parsing and failures (413, 502, 504) are real, and the site's logic stays
 * in the sandbox. Beside the site, two redirecting fronts answer every request with a redirect:
 * plain http to the site's https listener, and `localhost` to `www.localhost`.
 *
 * Request bodies: nginx reads a whole body before PHP gets it (its default request buffering),
 * into memory up to client_body_buffer_size and into a temporary file in this folder beyond
 * that; PHP then writes the upload to its own temporary file. The site's disk holds an upload
 * twice for a moment; the client's memory is not affected.
 */
import { spawn, type ChildProcess } from 'child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'fs';
import { connect } from 'net';
import { networkInterfaces, tmpdir } from 'os';
import { join } from 'path';

import { freePort, stopProcess } from '../n8n/services';
import type { SandboxServer } from './server';

export interface WebStackSettings {
	/** PHP's post_max_size: a larger body reaches the script with no fields and no file. Default '8M', as a stock PHP. */
	postMaxSize: string | number;
	/** PHP's upload_max_filesize: a larger file reaches the script with error 1 and no bytes. Default '2M'. */
	uploadMaxFilesize: string | number;
	/** nginx's client_max_body_size: a larger body is answered 413 before PHP sees it. Default '1m'; 0: no limit. */
	clientMaxBodySize: string | number;
	/** PHP-FPM's pm.max_children: how many API calls PHP serves at once. Default 5, as Debian's pool. */
	maxChildren: number;
	/** PHP-FPM's process manager. Default 'static'. */
	pm: 'static' | 'dynamic' | 'ondemand';
	/** nginx's fastcgi_read_timeout (seconds, or nginx's '500ms', '2s'): nginx answers 504 after waiting that long on PHP. Default '60s'. */
	fastcgiReadTimeout: string | number;
	/** What the redirecting fronts answer with. Default 301, nginx's usual `return 301`. */
	redirectStatus: 301 | 302 | 307 | 308;
}

export interface WebStackOptions extends Partial<WebStackSettings> {
	/** nginx's port for the site (the Base URL's). Default 0: a free one. The others are always free ones. */
	port?: number;
}

export const STOCK_SETTINGS: Readonly<WebStackSettings> = {
	postMaxSize: '8M',
	uploadMaxFilesize: '2M',
	clientMaxBodySize: '1m',
	maxChildren: 5,
	pm: 'static',
	fastcgiReadTimeout: '60s',
	redirectStatus: 301,
};

/** One request as nginx logged it (its access log, JSON lines). */
export interface StackLogEntry {
	/** When nginx finished with it, ms since the epoch. */
	at: number;
	/** nginx's listener: the site's (http or https) or a redirecting front's. */
	port: number;
	method: string;
	/** As the client sent it, query included. */
	uri: string;
	/** What nginx answered: the site's status, or nginx's own (301, 413, 502, 504…). */
	status: number;
	requestLength: number;
	bytesSent: number;
	/** Seconds. */
	requestTime: number;
	/** What PHP-FPM or the sandbox answered nginx ('' when nginx answered by itself). */
	upstreamStatus: string;
	host: string;
}

/** A redirecting front: every request to `from` is answered with a redirect to the same path at `to`. */
export interface Redirect {
	from: string;
	to: string;
}

const SIZE = /^\d+[kKmMgG]?$/;
const TIME = /^\d+(ms|s|m)?$/;

/** Where Debian puts the binaries: php-fpm8.2 (or any php-fpm* version), nginx. */
function binary(name: 'php-fpm' | 'nginx'): string {
	const found =
		name === 'nginx'
			? ['/usr/sbin/nginx'].filter((path) => existsSync(path))
			: [
					'/usr/sbin/php-fpm8.2',
					...readdirSync('/usr/sbin')
						.filter((file) => /^php-fpm[\d.]*$/.test(file))
						.sort()
						.reverse()
						.map((file) => join('/usr/sbin', file)),
				].filter((path) => existsSync(path));
	if (!found.length)
		throw new Error(`${name} is not installed: apt-get install nginx-light php-fpm`);
	return found[0];
}

/** Resolves once something accepts connections on the port; rejects if the process exits first or it takes too long. */
async function waitForPort(
	port: number,
	child: ChildProcess,
	name: string,
	log: () => string,
	timeoutMs = 20_000,
): Promise<void> {
	for (const deadline = Date.now() + timeoutMs; ; ) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}:\n${log()}`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() > deadline)
			throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms:\n${log()}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** The last lines of a log file, for an error message. */
function tail(path: string, chars = 3000): string {
	return existsSync(path) ? readFileSync(path, 'utf8').slice(-chars) : '';
}

export class WebStack {
	private settings: WebStackSettings;
	private folder = '';
	private php?: ChildProcess;
	private nginx?: ChildProcess;
	/** What the processes printed themselves (early errors, before their logs are open). */
	private printed = '';
	private ports = { site: 0, https: 0, toHttps: 0, php: 0 };
	private readonly sitePort: number;
	/** A process that exits without stop() (a crashed test run) must not leave nginx and PHP-FPM running. */
	private readonly onExit = () => {
		this.nginx?.kill();
		this.php?.kill();
		if (this.folder) rmSync(this.folder, { recursive: true, force: true });
	};

	constructor(
		readonly sandbox: SandboxServer,
		{ port = 0, ...settings }: WebStackOptions = {},
	) {
		this.settings = validate({ ...STOCK_SETTINGS, ...settings });
		this.sitePort = port;
	}

	/** The site through nginx, e.g. 'http://127.0.0.1:23456': the Base URL to give clients. */
	get baseUrl(): string {
		return this.ports.site ? `http://127.0.0.1:${this.ports.site}` : '';
	}

	/** `${baseUrl}/api/v2` */
	get apiUrl(): string {
		return `${this.baseUrl}/api/v2`;
	}

	/** The same site over https (the self-signed certificate in tls/). */
	get httpsUrl(): string {
		return this.ports.https ? `https://127.0.0.1:${this.ports.https}` : '';
	}

	/** The redirecting fronts: plain http to the https site, and the host without www. to the one with it (which need not resolve). */
	get redirects(): { toHttps: Redirect; toWww: Redirect } {
		return {
			toHttps: { from: `http://127.0.0.1:${this.ports.toHttps}`, to: this.httpsUrl },
			toWww: {
				from: `http://localhost:${this.ports.site}`,
				to: `http://www.localhost:${this.ports.site}`,
			},
		};
	}

	/** The settings in force. */
	get options(): Readonly<WebStackSettings> {
		return { ...this.settings };
	}

	/** Where the configs, logs and temporary files are; empty when stopped. */
	get path(): string {
		return this.folder;
	}

	/** Starts PHP-FPM, then nginx, in front of the (started) sandbox; resolves the site's base URL. */
	async start(): Promise<string> {
		if (this.folder) return this.baseUrl;
		if (!this.sandbox.baseUrl) throw new Error('WebStack: start the sandbox first');
		this.folder = mkdtempSync(join(tmpdir(), 'yetishare-stack-'));
		process.on('exit', this.onExit);
		try {
			for (const dir of [
				'php-uploads',
				'tmp',
				'nginx/body',
				'nginx/proxy',
				'nginx/fastcgi',
				'nginx/uwsgi',
				'nginx/scgi',
			])
				mkdirSync(join(this.folder, dir), { recursive: true });
			this.ports = {
				site: this.sitePort || (await freePort()),
				https: await freePort(),
				toHttps: await freePort(),
				php: await freePort(),
			};
			await this.launch();
			return this.baseUrl;
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	/**
	 * New settings from the next request on: both servers are restarted on the same ports (the
	 * access log is kept). Requests under way are cut.
	 */
	async configure(settings: Partial<WebStackSettings>): Promise<void> {
		const next = validate({ ...this.settings, ...settings });
		if (this.folder) await this.halt();
		this.settings = next;
		if (this.folder) await this.launch();
	}

	/** Stops nginx and PHP-FPM and removes the folder. The sandbox is left running. */
	async stop(): Promise<void> {
		await this.halt();
		process.off('exit', this.onExit);
		if (this.folder) rmSync(this.folder, { recursive: true, force: true });
		this.folder = '';
		this.ports = { site: 0, https: 0, toHttps: 0, php: 0 };
	}

	/** Every request nginx has logged so far (with `since`, those finished from then on, ms since the epoch). */
	accessLog(since = 0): StackLogEntry[] {
		const path = join(this.folder, 'access.log');
		if (!this.folder || !existsSync(path)) return [];
		return readFileSync(path, 'utf8')
			.split('\n')
			.filter((line) => line !== '')
			.map((line) => {
				const entry = JSON.parse(line) as Omit<StackLogEntry, 'at'> & { at: number };
				return { ...entry, at: Math.round(entry.at * 1000) };
			})
			.filter((entry) => entry.at >= since);
	}

	/**
	 * How many calls of an API endpoint ('file/upload', 'authorize') reached nginx at the site's
	 * listeners, refused or not (from `since` on); with `status`, only those nginx answered so.
	 */
	count(endpoint: string, { since = 0, status }: { since?: number; status?: number } = {}): number {
		const wanted = endpoint.toLowerCase().replace(/^\/+|\/+$/g, '');
		return this.accessLog(since).filter(
			(entry) =>
				(entry.port === this.ports.site || entry.port === this.ports.https) &&
				(status === undefined || entry.status === status) &&
				decodeURIComponent(entry.uri.split('?')[0])
					.toLowerCase()
					.replace(/^\/api\/v2\/+/, '')
					.replace(/\/+$/, '') === wanted,
		).length;
	}

	/** The end of nginx's and PHP's error logs, to say why something failed. */
	logs(): string {
		const files = ['nginx-error.log', 'php-fpm.log', 'php-errors.log'];
		return [
			...files.map((file) => `--- ${file}\n${tail(join(this.folder, file))}`),
			`--- printed\n${this.printed.slice(-2000)}`,
		].join('\n');
	}

	private async launch(): Promise<void> {
		const root = process.getuid?.() === 0;
		this.writeConfig(root);
		const capture = (child: ChildProcess) => {
			const keep = (chunk: Buffer) =>
				(this.printed = (this.printed + chunk.toString()).slice(-8000));
			child.stdout?.on('data', keep);
			child.stderr?.on('data', keep);
			return child;
		};
		// As root, PHP-FPM wants -R and nginx `user root;` (its workers would otherwise be nobody,
		// who cannot enter this folder).
		this.php = capture(
			spawn(
				binary('php-fpm'),
				[
					'-F',
					'-y',
					join(this.folder, 'php-fpm.conf'),
					'-c',
					join(this.folder, 'php.ini'),
					...(root ? ['-R'] : []),
				],
				{ stdio: ['ignore', 'pipe', 'pipe'] },
			),
		);
		await waitForPort(this.ports.php, this.php, 'PHP-FPM', () => this.logs());
		this.nginx = capture(
			spawn(
				binary('nginx'),
				[
					'-p',
					`${this.folder}/`,
					'-c',
					join(this.folder, 'nginx.conf'),
					'-e',
					join(this.folder, 'nginx-error.log'),
				],
				{ stdio: ['ignore', 'pipe', 'pipe'] },
			),
		);
		for (const port of [this.ports.site, this.ports.https, this.ports.toHttps])
			await waitForPort(port, this.nginx, 'nginx', () => this.logs());
	}

	private async halt(): Promise<void> {
		await stopProcess(this.nginx, 5000);
		await stopProcess(this.php, 5000);
		this.nginx = undefined;
		this.php = undefined;
	}

	private writeConfig(root: boolean): void {
		const { folder, ports, settings } = this;
		const file = (name: string) => join(folder, name);
		writeFileSync(
			file('php.ini'),
			[
				"; the site's PHP, written by web-stack.ts",
				`post_max_size = ${settings.postMaxSize}`,
				`upload_max_filesize = ${settings.uploadMaxFilesize}`,
				`upload_tmp_dir = ${file('php-uploads')}`,
				`sys_temp_dir = ${file('tmp')}`,
				'display_errors = Off',
				'log_errors = On',
				`error_log = ${file('php-errors.log')}`,
				'',
			].join('\n'),
		);
		const pool: Record<WebStackSettings['pm'], string[]> = {
			static: [],
			ondemand: ['pm.process_idle_timeout = 10s'],
			dynamic: [
				'pm.start_servers = 1',
				'pm.min_spare_servers = 1',
				`pm.max_spare_servers = ${Math.min(3, settings.maxChildren)}`,
			],
		};
		writeFileSync(
			file('php-fpm.conf'),
			[
				'[global]',
				`pid = ${file('php-fpm.pid')}`,
				`error_log = ${file('php-fpm.log')}`,
				'daemonize = no',
				'[site]',
				`listen = 127.0.0.1:${ports.php}`,
				...(root ? ['user = root', 'group = root'] : []),
				`pm = ${settings.pm}`,
				`pm.max_children = ${settings.maxChildren}`,
				...pool[settings.pm],
				'catch_workers_output = yes',
				'',
			].join('\n'),
		);

		const sandbox = this.sandbox.baseUrl;
		const secret = this.sandbox.frontSecret;
		const timeout =
			typeof settings.fastcgiReadTimeout === 'number'
				? `${settings.fastcgiReadTimeout}s`
				: settings.fastcgiReadTimeout;
		// The site itself, on its http and its https listener.
		const site = `
		location ~* ^/api/v2(/|$) {
			fastcgi_pass 127.0.0.1:${ports.php};
			fastcgi_read_timeout ${timeout};
			fastcgi_param SCRIPT_FILENAME ${join(__dirname, 'front.php')};
			fastcgi_param SCRIPT_NAME /api/v2/index.php;
			fastcgi_param REQUEST_METHOD $request_method;
			fastcgi_param QUERY_STRING $query_string;
			fastcgi_param CONTENT_TYPE $content_type;
			fastcgi_param CONTENT_LENGTH $content_length;
			fastcgi_param REQUEST_URI $request_uri;
			fastcgi_param DOCUMENT_URI $document_uri;
			fastcgi_param SERVER_PROTOCOL $server_protocol;
			fastcgi_param REQUEST_SCHEME $scheme;
			fastcgi_param HTTPS $https if_not_empty;
			fastcgi_param GATEWAY_INTERFACE CGI/1.1;
			fastcgi_param REMOTE_ADDR $remote_addr;
			fastcgi_param REMOTE_PORT $remote_port;
			fastcgi_param SERVER_ADDR $server_addr;
			fastcgi_param SERVER_PORT $server_port;
			fastcgi_param SERVER_NAME $server_name;
			fastcgi_param SANDBOX_URL ${sandbox};
			fastcgi_param SANDBOX_SECRET ${secret};
		}
		location / {
			proxy_pass ${sandbox};
			proxy_http_version 1.1;
			proxy_set_header Host $http_host;
			proxy_set_header X-Forwarded-Host $http_host;
			proxy_set_header X-Forwarded-Proto $scheme;
			proxy_set_header X-Sandbox-Front ${secret};
		}`;
		// `localhost` may resolve to ::1 first on other machines
		const ipv6 = Object.values(networkInterfaces()).some((addresses) =>
			addresses?.some((address) => address.address === '::1'),
		);
		const listen = (port: number) =>
			`listen 127.0.0.1:${port};${ipv6 ? ` listen [::1]:${port};` : ''}`;
		writeFileSync(
			file('nginx.conf'),
			`# the site's nginx, written by web-stack.ts
${root ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${file('nginx.pid')};
error_log ${file('nginx-error.log')} warn;
# 1,000 calls at once hold 2,000 connections (client and PHP); fewer would be cut by nginx, not by the site's limits
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
	log_format stack escape=json '{"at":$msec,"port":$server_port,"method":"$request_method","uri":"$request_uri","status":$status,'
		'"requestLength":$request_length,"bytesSent":$bytes_sent,"requestTime":$request_time,"upstreamStatus":"$upstream_status","host":"$http_host"}';
	access_log ${file('access.log')} stack;
	client_body_temp_path ${file('nginx/body')};
	proxy_temp_path ${file('nginx/proxy')};
	fastcgi_temp_path ${file('nginx/fastcgi')};
	uwsgi_temp_path ${file('nginx/uwsgi')};
	scgi_temp_path ${file('nginx/scgi')};
	client_max_body_size ${settings.clientMaxBodySize};
	default_type application/octet-stream;

	server {
		${listen(ports.site)}
		server_name 127.0.0.1 www.localhost;
		${site}
	}
	server {
		${listen(ports.site)}
		server_name localhost;
		return ${settings.redirectStatus} http://www.localhost:${ports.site}$request_uri;
	}
	server {
		listen 127.0.0.1:${ports.https} ssl;
		server_name 127.0.0.1 localhost;
		ssl_certificate ${join(__dirname, 'tls/self-signed.crt')};
		ssl_certificate_key ${join(__dirname, 'tls/self-signed.key')};
		${site}
	}
	server {
		listen 127.0.0.1:${ports.toHttps};
		return ${settings.redirectStatus} https://127.0.0.1:${ports.https}$request_uri;
	}
}
`,
		);
	}
}

function validate(settings: WebStackSettings): WebStackSettings {
	const problems: string[] = [];
	for (const key of ['postMaxSize', 'uploadMaxFilesize', 'clientMaxBodySize'] as const) {
		if (!SIZE.test(String(settings[key])))
			problems.push(
				`${key} must be bytes, optionally with K, M or G (e.g. '8M'), not ${settings[key]}`,
			);
	}
	if (!Number.isInteger(settings.maxChildren) || settings.maxChildren < 1)
		problems.push(`maxChildren must be a whole number of at least 1, not ${settings.maxChildren}`);
	if (!['static', 'dynamic', 'ondemand'].includes(settings.pm))
		problems.push(`pm must be 'static', 'dynamic' or 'ondemand', not ${settings.pm}`);
	if (!TIME.test(String(settings.fastcgiReadTimeout)))
		problems.push(
			`fastcgiReadTimeout must be seconds or an nginx time such as '2s', not ${settings.fastcgiReadTimeout}`,
		);
	if (![301, 302, 307, 308].includes(settings.redirectStatus))
		problems.push(`redirectStatus must be 301, 302, 307 or 308, not ${settings.redirectStatus}`);
	if (problems.length) throw new Error(`WebStack: ${problems.join('; ')}`);
	return settings;
}
