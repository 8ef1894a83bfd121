/**
 * What every test file needs: a sandbox site on loopback, n8n's engine with this package's node
 * and credential, and a credential pointing at the sandbox.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { YetiShareApi } from '../credentials/YetiShareApi.credentials';
import { YetiShare } from '../nodes/YetiShare/YetiShare.node';
import { useClock } from '../nodes/YetiShare/execution/clock';
import { YetiShareTrigger } from '../nodes/YetiShareTrigger/YetiShareTrigger.node';
import { Engine } from './harness';
import { SkippingClock } from './harness/clock';
import { useSiteClock } from './sandbox/clock';
import { SandboxServer, type SandboxOptions } from './sandbox/server';

export const NODE_TYPE = 'CUSTOM.yetiShare';
export const TRIGGER_TYPE = 'CUSTOM.yetiShareTrigger';

export interface World {
	sandbox: SandboxServer;
	engine: Engine;
	/** The clock the node and the sandbox share: the node's waits are skipped (see SkippingClock). */
	clock: SkippingClock;
	/** A credential for the sandbox's demo account in the sandbox's auth mode. */
	credential: { id: string; name: string };
	/** Runs the YetiShare node once with these parameters over the given input items. */
	run(parameters: INodeParameters, options?: RunOptions): Promise<RunResult>;
	addCredential(data?: IDataObject): { id: string; name: string };
}

export interface RunOptions {
	items?: INodeExecutionData[];
	credential?: { id: string; name: string };
	continueOnFail?: boolean;
}

export interface RunResult {
	items: INodeExecutionData[];
	json: IDataObject[];
	error?: any;
}

export function credentialData(sandbox: SandboxServer, overrides: IDataObject = {}): IDataObject {
	const demo = sandbox.demoAccount;
	const login = overrides.authentication === 'usernamePassword';
	return {
		baseUrl: sandbox.baseUrl,
		authentication: 'apiKeys',
		...(login ? {} : { apiKey1: demo.key1, apiKey2: demo.key2 }),
		username: demo.username,
		password: demo.password,
		timeout: 5,
		accessToken: '',
		accountId: '',
		...overrides,
	};
}

/** Starts a sandbox and an engine for one test file; `beforeEach` resets the site's state. */
export function useWorld(
	options: SandboxOptions & { binaryMode?: 'filesystem' | 'default' } = {},
): World {
	const { binaryMode = 'filesystem', ...sandboxOptions } = options;
	const world = {} as World;

	beforeAll(async () => {
		world.clock = new SkippingClock();
		useClock(world.clock);
		useSiteClock(world.clock.forSite());
		world.sandbox = new SandboxServer(sandboxOptions);
		await world.sandbox.start();
		world.engine = new Engine({
			nodeTypes: { [NODE_TYPE]: new YetiShare(), [TRIGGER_TYPE]: new YetiShareTrigger() },
			credentialTypes: [new YetiShareApi()],
			binaryMode,
		});
		await world.engine.init();
	});

	beforeEach(() => {
		world.clock.clear();
		world.sandbox.reset();
		world.sandbox.configure(sandboxOptions);
		world.credential = world.addCredential();
	});

	afterAll(async () => {
		await world.engine?.close();
		await world.sandbox?.stop();
		useClock();
		useSiteClock();
	});

	world.addCredential = (data: IDataObject = {}) => {
		const login = sandboxOptions.authMode === 'login' || data.authentication === 'usernamePassword';
		return world.engine.credentials.add(
			'yetiShareApi',
			'YetiShare sandbox',
			credentialData(world.sandbox, {
				...(login ? { authentication: 'usernamePassword' } : {}),
				...data,
			}),
		);
	};

	world.run = async (parameters, runOptions = {}) => {
		const result = await world.engine.run({
			node: {
				type: NODE_TYPE,
				typeVersion: 1,
				parameters,
				credentials: { yetiShareApi: runOptions.credential ?? world.credential },
			},
			items: runOptions.items ?? [{ json: {} }],
			onError: runOptions.continueOnFail ? 'continueRegularOutput' : undefined,
		});
		return {
			items: result.items,
			json: result.items.map((item) => item.json),
			error: result.error,
		};
	};

	return world;
}

/** A folder picker value as the editor stores it. */
export function folderById(id: string | number) {
	return { __rl: true, mode: 'id', value: String(id) };
}

export function items(
	count: number,
	make: (i: number) => IDataObject = (i) => ({ i }),
): INodeExecutionData[] {
	return Array.from({ length: count }, (_, i) => ({ json: make(i) }));
}
