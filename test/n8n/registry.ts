/**
 * The npm registry as users' n8n reaches it, kept on loopback. n8n's installer always runs npm with
 * `--registry=https://registry.npmjs.org` (another registry needs an Enterprise licence), so the
 * suite answers for that host itself: Verdaccio holds what the suite publishes, and an HTTPS proxy
 * opens tunnels to registry.npmjs.org only, where a TLS front with a certificate from a CA made
 * for the run passes each request on to Verdaccio. Every other host is refused and recorded.
 * n8n and its npm get the proxy and the CA through the environment (`env()`).
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer as createHttpServer, request, type Server } from 'http';
import { createServer as createHttpsServer } from 'https';
import { connect, type Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import { ROOT } from './runtime';
import { freePort, stopProcess } from './services';

export const REGISTRY_HOST = 'registry.npmjs.org';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hosts n8n and npm may reach directly, never through the proxy: the sandbox, n8n itself, the services. */
const LOOPBACK = '127.0.0.1,localhost,::1';

export class LocalRegistry {
	/** Every tunnel the proxy opened or refused, as `host:port`, in order. */
	readonly tunnels: Array<{ to: string; opened: boolean }> = [];
	/** While false, the proxy refuses registry.npmjs.org too, as when the registry cannot be reached. */
	reachable = true;
	private folder = '';
	private verdaccio?: ChildProcess;
	private verdaccioPort = 0;
	private proxy?: Server;
	private front?: Server;
	private proxyPort = 0;
	private readonly sockets = new Set<Socket>();
	private output = '';

	/** @param node the Node.js that runs Verdaccio (its dependencies want Node 22 or later) */
	constructor(private readonly node: string) {}

	get caFile() {
		return join(this.folder, 'ca.crt');
	}

	async start() {
		this.folder = mkdtempSync(join(tmpdir(), 'yetishare-registry-'));
		this.makeCertificates();
		await this.startVerdaccio();
		await this.startFront();
		await this.startProxy();
	}

	/**
	 * What n8n and any npm it runs need to reach the registry through the proxy: the proxy, the CA,
	 * and an npm configuration of their own (not this machine's ~/.npmrc or npm cache).
	 */
	env(): NodeJS.ProcessEnv {
		const proxy = `http://127.0.0.1:${this.proxyPort}`;
		return {
			HTTPS_PROXY: proxy,
			HTTP_PROXY: proxy,
			https_proxy: proxy,
			http_proxy: proxy,
			NO_PROXY: LOOPBACK,
			no_proxy: LOOPBACK,
			NODE_EXTRA_CA_CERTS: this.caFile,
			npm_config_cafile: this.caFile,
			npm_config_https_proxy: proxy,
			npm_config_proxy: proxy,
			npm_config_noproxy: LOOPBACK,
			npm_config_registry: `https://${REGISTRY_HOST}/`,
			npm_config_userconfig: join(this.folder, 'npmrc'),
			npm_config_globalconfig: join(this.folder, 'global-npmrc'),
			npm_config_cache: join(this.folder, 'npm-cache'),
			npm_config_update_notifier: 'false',
		};
	}

	/**
	 * The same as an `.npmrc` for n8n's nodes folder (`~/.n8n/nodes`), as an n8n behind a proxy is
	 * set up: n8n 1.x runs some npm commands (`npm outdated`, which finds updates) with only PATH
	 * and NODE_PATH of its environment, and npm then reads the folder's .npmrc.
	 */
	npmrc(): string {
		const env = this.env();
		return [
			`registry=${env.npm_config_registry}`,
			`https-proxy=${env.npm_config_https_proxy}`,
			`proxy=${env.npm_config_proxy}`,
			`noproxy=${LOOPBACK}`,
			`cafile=${this.caFile}`,
			`cache=${env.npm_config_cache}`,
			'',
		].join('\n');
	}

	/** The distinct `host:port`s the proxy opened tunnels to (`opened`), or refused. */
	hosts(opened: boolean): string[] {
		return [
			...new Set(
				this.tunnels.filter((tunnel) => tunnel.opened === opened).map((tunnel) => tunnel.to),
			),
		];
	}

	/** Publishes a packed tarball straight to Verdaccio (no provenance: that needs a CI's identity). */
	publish(tarball: string) {
		const registry = `http://127.0.0.1:${this.verdaccioPort}/`;
		execFileSync(
			'npm',
			[
				'publish',
				tarball,
				`--registry=${registry}`,
				'--provenance=false',
				`--//127.0.0.1:${this.verdaccioPort}/:_authToken=suite`,
			],
			{
				cwd: this.folder,
				env: {
					...process.env,
					npm_config_userconfig: join(this.folder, 'npmrc'),
					npm_config_cache: join(this.folder, 'npm-cache'),
				},
				stdio: 'pipe',
			},
		);
	}

	async stop() {
		for (const socket of this.sockets) socket.destroy();
		await Promise.all(
			[this.proxy, this.front].map(
				(server) => server && new Promise((resolve) => server.close(resolve)),
			),
		);
		await stopProcess(this.verdaccio);
		if (this.folder) rmSync(this.folder, { recursive: true, force: true });
		this.folder = '';
	}

	/** A CA for this run and a certificate it signs for registry.npmjs.org (openssl, valid two days). */
	private makeCertificates() {
		const file = (name: string) => join(this.folder, name);
		const openssl = (...args: string[]) =>
			execFileSync('openssl', args, { cwd: this.folder, stdio: 'pipe' });
		openssl(
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			'ca.key',
			'-out',
			'ca.crt',
			'-days',
			'2',
			'-subj',
			'/CN=n8n-nodes-yetishare test registry CA',
			'-addext',
			'basicConstraints=critical,CA:TRUE',
			'-addext',
			'keyUsage=critical,keyCertSign,cRLSign',
		);
		openssl(
			'req',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			'front.key',
			'-out',
			'front.csr',
			'-subj',
			`/CN=${REGISTRY_HOST}`,
		);
		writeFileSync(
			file('front.ext'),
			`subjectAltName=DNS:${REGISTRY_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
		);
		openssl(
			'x509',
			'-req',
			'-in',
			'front.csr',
			'-CA',
			'ca.crt',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-out',
			'front.crt',
			'-days',
			'2',
			'-extfile',
			'front.ext',
		);
		writeFileSync(file('npmrc'), '');
		writeFileSync(file('global-npmrc'), '');
	}

	/** Verdaccio with no uplink and no audit proxy: it answers from what was published here, and never reaches out. */
	private async startVerdaccio() {
		this.verdaccioPort = await freePort();
		const storage = join(this.folder, 'storage');
		mkdirSync(storage);
		const config = join(this.folder, 'verdaccio.yaml');
		writeFileSync(
			config,
			[
				`storage: ${storage}`,
				'auth:',
				'  htpasswd:',
				`    file: ${join(this.folder, 'htpasswd')}`,
				'uplinks: {}',
				'packages:',
				"  '**':",
				'    access: $all',
				'    publish: $all',
				'    unpublish: $all',
				'middlewares:',
				'  audit:',
				'    enabled: false',
				'log: { type: stdout, format: pretty, level: warn }',
				'',
			].join('\n'),
		);
		const bin = join(ROOT, 'node_modules/verdaccio/bin/verdaccio');
		// tarball addresses in what it answers name the public host, so npm fetches them through the proxy too
		this.verdaccio = spawn(
			this.node,
			[bin, '--config', config, '--listen', `127.0.0.1:${this.verdaccioPort}`],
			{
				env: { ...process.env, VERDACCIO_PUBLIC_URL: `https://${REGISTRY_HOST}/` },
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
		this.verdaccio.stdout!.on('data', keep);
		this.verdaccio.stderr!.on('data', keep);
		for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
			const ok = await fetch(`http://127.0.0.1:${this.verdaccioPort}/-/ping`).then(
				(response) => response.ok,
				() => false,
			);
			if (ok) return;
			if (this.verdaccio.exitCode !== null || Date.now() > deadline)
				throw new Error(`Verdaccio did not start:\n${this.output}`);
		}
	}

	/** registry.npmjs.org's side of the tunnel: TLS with the run's certificate, each request passed on to Verdaccio. */
	private async startFront() {
		this.front = createHttpsServer(
			{
				key: readFileSync(join(this.folder, 'front.key')),
				cert: readFileSync(join(this.folder, 'front.crt')),
			},
			(incoming, answer) => {
				const onward = request(
					{
						host: '127.0.0.1',
						port: this.verdaccioPort,
						method: incoming.method,
						path: incoming.url,
						headers: incoming.headers,
					},
					(reply) => {
						answer.writeHead(reply.statusCode ?? 502, reply.headers);
						reply.pipe(answer);
					},
				);
				onward.on('error', () => answer.destroy());
				incoming.pipe(onward);
			},
		);
		this.front.on('connection', (socket: Socket) => this.track(socket));
		await new Promise<void>((resolve) => this.front!.listen(0, '127.0.0.1', resolve));
	}

	/** The proxy n8n and npm are given: CONNECT to registry.npmjs.org:443 is tunnelled to the front; nothing else passes. */
	private async startProxy() {
		this.proxyPort = await freePort();
		this.proxy = createHttpServer((incoming, answer) => {
			// a plain http:// request through the proxy
			this.tunnels.push({ to: incoming.headers.host ?? String(incoming.url), opened: false });
			answer.writeHead(403).end();
		});
		this.proxy.on('connection', (socket: Socket) => this.track(socket));
		this.proxy.on('connect', (incoming, client: Socket, head: Buffer) => {
			const to = String(incoming.url);
			const opened = this.reachable && to === `${REGISTRY_HOST}:443`;
			this.tunnels.push({ to, opened });
			if (!opened)
				return void client.end(
					`HTTP/1.1 ${this.reachable ? '403 Forbidden' : '502 Bad Gateway'}\r\n\r\n`,
				);
			const front = connect((this.front!.address() as { port: number }).port, '127.0.0.1', () => {
				client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				front.write(head);
				front.pipe(client);
				client.pipe(front);
			});
			this.track(front);
			front.on('error', () => client.destroy());
			client.on('error', () => front.destroy());
		});
		await new Promise<void>((resolve) => this.proxy!.listen(this.proxyPort, '127.0.0.1', resolve));
	}

	private track(socket: Socket) {
		this.sockets.add(socket);
		socket.on('close', () => this.sockets.delete(socket));
	}
}
