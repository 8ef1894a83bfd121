/**
 * Runs a node inside n8n's own engine: n8n-core's WorkflowExecute (and its ExecuteContext,
 * request helpers, binary data service, PollContext, RoutingNode) with our credentials helper
 * standing in for n8n's database-backed one. Only the plumbing n8n's CLI adds around the
 * engine (database, queue, UI) is replaced, and nothing in the request path is mocked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { Logger } from '@n8n/backend-common';
import { SsrfProtectionConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	PollContext,
	TriggersAndPollers,
	WorkflowExecute,
	copyBinaryFile,
	prepareBinaryData,
} from 'n8n-core';
import type {
	ICredentialType,
	IDataObject,
	IBinaryData,
	INode,
	INodeCredentials,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodePropertyOptions,
	INodeType,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Expression, LoggerProxy, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';

// Not re-exported by n8n-core's index; n8n-core has no exports map, so the path is public.
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

import { CredentialTester } from './credential-tester';
import {
	CredentialStore,
	HarnessCredentialsHelper,
	type CredentialInput,
	type CredentialRef,
} from './credentials';
import { MemoryLogger, type LogEntry } from './logger';
import {
	INPUT_NODE_NAME,
	INPUT_NODE_TYPE,
	NOOP_NODE_TYPE,
	createInputNode,
	createNoOpNode,
} from './stand-in-nodes';
import { CredentialTypeRegistry, NodeTypeRegistry } from './types-registry';

/** `filesystem` is n8n 2.x's default (items carry an `id`); `default` keeps binaries in memory (base64). */
export type BinaryMode = 'filesystem' | 'default';

/**
 * `legacy` evaluates expressions in-process (n8n-workflow's own default); `quickjs` goes through
 * n8n's sandboxed expression runtime like a real 2.x instance does with its default `vm` engine,
 * but on a WebAssembly isolate, since `vm` needs isolated-vm's native build (Node 24).
 */
export type ExpressionEngine = 'legacy' | 'quickjs';

export interface EngineOptions {
	/** Full type name as a workflow names it (`CUSTOM.yetiShare`) → node class instance. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes?: ICredentialType[];
	/** Default `filesystem`, as in n8n 2.x. */
	binaryMode?: BinaryMode;
	/** Default `legacy`. */
	expressionEngine?: ExpressionEngine;
	/** The workflow's timezone (`$now`, scheduling). Default `UTC`. */
	timezone?: string;
}

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

/** The node under test, as it would sit in a workflow's JSON. */
export interface NodeUnderTest {
	type: string;
	/** Default: the type's newest version. */
	typeVersion?: number;
	/** Default: the type's `defaults.name`. */
	name?: string;
	parameters?: INodeParameters;
	credentials?: INodeCredentials;
	onError?: OnError;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
}

export interface RunOptions {
	node: NodeUnderTest;
	/** Items the preceding node emits into the node under test. Default: one empty item. */
	items?: INodeExecutionData[];
	/** Shorthand for `node.onError` (`continueRegularOutput` is the old continueOnFail). */
	onError?: OnError;
	/** Default `manual` (the editor's "Test workflow"); `trigger`/`webhook` are production runs. */
	mode?: WorkflowExecuteMode;
	/** The workflow's static data before the run. */
	staticData?: IDataObject;
	settings?: IWorkflowSettings;
}

export interface RunResult {
	/** What the node emitted on output 0 (json, binary, pairedItem as n8n produced them). */
	items: INodeExecutionData[];
	/** Every output of the node (the error output is the last one with `continueErrorOutput`). */
	outputs: INodeExecutionData[][];
	/**
	 * The error n8n recorded for the node, if it failed. n8n 2.40's WorkflowExecute stores a plain
	 * copy of the thrown error (`{ ...error, message, stack }`), not the instance: check `name`
	 * (`NodeApiError`, `NodeOperationError`), `message`, `description`, `httpCode`, `context`.
	 */
	error?: ExecutionErrorRecord;
	/** The raw IRun from WorkflowExecute. */
	run: IRun;
	executionId: string;
	/** The workflow's static data after the run. */
	staticData: IDataObject;
}

/** The shape n8n records a node's error in (`runData[node][0].error`). */
export interface ExecutionErrorRecord {
	name?: string;
	message: string;
	description?: string | null;
	httpCode?: string | null;
	/** NodeApiError: the messages of the underlying errors (e.g. `timeout of 200ms exceeded`). */
	messages?: string[];
	context?: IDataObject;
	level?: string;
	node?: INode;
	stack?: string;
	[key: string]: unknown;
}

export interface PollOptions {
	node: NodeUnderTest;
	/** The workflow's static data before the poll (pass the previous poll's `staticData` on). */
	staticData?: IDataObject;
	/** `trigger`: a scheduled poll of an active workflow; `manual`: the editor's "Fetch test event". */
	mode?: 'trigger' | 'manual';
	/** Default `activate` for `trigger`, `manual` for `manual`. */
	activation?: WorkflowActivateMode;
}

export interface PollResult {
	/** What `poll()` returned: null means "nothing new" (n8n then starts no execution). */
	items: INodeExecutionData[][] | null;
	/** The workflow's static data after the poll, to hand to the next one. */
	staticData: IDataObject;
	/** This node's part of it (`getWorkflowStaticData('node')`): where the cursor lives. */
	nodeStaticData: IDataObject;
	/** Whether the poll changed the static data (n8n saves it only when changed). */
	staticDataChanged: boolean;
	error?: Error;
}

export interface MethodOptions {
	node: NodeUnderTest;
	/** The method's name under `methods.listSearch` / `methods.loadOptions`. */
	method: string;
	/** The parameter being edited (n8n passes its path); default the method name. */
	path?: string;
}

export interface BinaryItemOptions {
	fileName?: string;
	mimeType?: string;
	/** Binary property name; default `data`. */
	property?: string;
	json?: IDataObject;
}

/** Only one engine can own n8n's process-wide DI container at a time. */
let activeEngine: Engine | undefined;

const WORKFLOW_ID = 'harness-workflow';
/** Binaries made by `binaryItem()` belong to this execution, like a preceding node's output. */
const INPUT_EXECUTION_ID = 'harness-input';

export class Engine {
	readonly credentials = new CredentialStore();

	private readonly logEntries: LogEntry[] = [];

	readonly logger = new MemoryLogger(this.logEntries);

	readonly nodeTypes: NodeTypeRegistry;

	readonly credentialTypes: CredentialTypeRegistry;

	readonly binaryMode: BinaryMode;

	readonly expressionEngine: ExpressionEngine;

	private readonly helper: HarnessCredentialsHelper;

	private readonly tester: CredentialTester;

	private readonly pendingInputs = new Map<string, INodeExecutionData[]>();

	private executionCounter = 0;

	private folder: string | undefined;

	private previousUserFolder: string | undefined;

	constructor(private readonly options: EngineOptions) {
		this.binaryMode = options.binaryMode ?? 'filesystem';
		this.expressionEngine = options.expressionEngine ?? 'legacy';
		this.nodeTypes = new NodeTypeRegistry(options.nodeTypes);
		this.nodeTypes.add(INPUT_NODE_TYPE, createInputNode(this.pendingInputs));
		if (!options.nodeTypes[NOOP_NODE_TYPE]) this.nodeTypes.add(NOOP_NODE_TYPE, createNoOpNode());
		this.credentialTypes = new CredentialTypeRegistry(options.credentialTypes);
		this.helper = new HarnessCredentialsHelper(this.credentialTypes, this.credentials);
		this.tester = new CredentialTester(this.credentialTypes, this.nodeTypes, this.helper);
	}

	/** Every line n8n-core and the node logged, as `level [scopes] message metadata`. */
	get logs(): string[] {
		return this.logger.lines;
	}

	/** The temporary N8N_USER_FOLDER (its `.n8n/storage` holds filesystem binaries). */
	get userFolder(): string {
		if (this.folder === undefined) throw new UnexpectedError('Call engine.init() first');
		return this.folder;
	}

	async init(): Promise<void> {
		if (activeEngine !== undefined && activeEngine !== this) {
			throw new UnexpectedError(
				'Another Engine is still open: close it first (n8n-core keeps one DI container per process)',
			);
		}
		if (this.folder !== undefined) return;
		activeEngine = this;
		// n8n-core reads N8N_USER_FOLDER when its config objects are built: point it at a fresh
		// temp folder first, so nothing (encryption key file, binaries) lands in the home folder.
		this.folder = await mkdtemp(path.join(tmpdir(), 'n8n-harness-'));
		this.previousUserFolder = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = this.folder;

		// Fresh instances of every n8n service, built from the environment set above.
		Container.reset();
		Container.set(Logger, this.logger as unknown as Logger);
		LoggerProxy.init(this.logger);

		// Set explicitly so a developer's N8N_DEFAULT_BINARY_DATA_MODE / N8N_BINARY_DATA_STORAGE_PATH
		// or N8N_SSRF_PROTECTION_ENABLED cannot change what the tests exercise (the loopback server).
		const binaryConfig = Container.get(BinaryDataConfig);
		binaryConfig.mode = this.binaryMode;
		binaryConfig.localStoragePath = path.join(this.folder, '.n8n', 'storage');
		await Container.get(BinaryDataService).init();
		Container.get(SsrfProtectionConfig).enabled = false;

		Expression.setExpressionEngine('legacy');
		if (this.expressionEngine === 'quickjs') {
			try {
				// The settings of n8n's ExpressionEngineConfig defaults.
				await Expression.initExpressionEngine({
					engine: 'quickjs',
					poolSize: 1,
					maxCodeCacheSize: 1024,
					bridgeTimeout: 5000,
					bridgeMemoryLimit: 128,
				});
			} catch (error) {
				await this.close();
				if (String((error as Error).message).includes('experimental-vm-modules')) {
					throw new UnexpectedError(
						'The quickjs expression engine is loaded with import(), ' +
							'which Jest allows only when Node runs with --experimental-vm-modules: ' +
							'run NODE_OPTIONS=--experimental-vm-modules npx jest …',
						{ cause: error },
					);
				}
				throw error;
			}
		}
	}

	/** Which evaluator n8n-workflow is actually using: `legacy` or `quickjs`. */
	get activeExpressionEngine(): string {
		return Expression.getActiveImplementation();
	}

	async close(): Promise<void> {
		if (activeEngine !== this) return;
		if (this.expressionEngine === 'quickjs') {
			await Expression.disposeExpressionEngine();
			Expression.setExpressionEngine('legacy');
		}
		// The SSH client manager (built by every ExecuteContext) registers a process exit
		// listener and a timer; n8n removes them at shutdown, so must we before dropping it.
		Container.get(SSHClientsManager).onShutdown();
		Container.reset();
		if (this.previousUserFolder === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = this.previousUserFolder;
		if (this.folder !== undefined) await rm(this.folder, { recursive: true, force: true });
		this.folder = undefined;
		activeEngine = undefined;
	}

	/**
	 * Runs the node once, fed by an input node emitting `items`, through WorkflowExecute.
	 * Several runs may be in flight at once; they share the credential store.
	 */
	async run(options: RunOptions): Promise<RunResult> {
		this.assertOpen();
		const mode = options.mode ?? 'manual';
		const executionId = String(++this.executionCounter);
		const node = this.buildNode(options.node, options.onError);
		const input: INode = {
			id: `input-${executionId}`,
			name: INPUT_NODE_NAME,
			type: INPUT_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { key: executionId },
		};
		this.pendingInputs.set(executionId, options.items ?? [{ json: {} }]);

		const connections = {
			[INPUT_NODE_NAME]: { main: [[{ node: node.name, type: 'main' as const, index: 0 }]] },
		};
		const settings: IWorkflowSettings = {
			executionOrder: 'v1',
			timezone: this.timezone,
			...options.settings,
		};
		const workflow = new Workflow({
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			nodes: [input, node],
			connections,
			active: false,
			nodeTypes: this.nodeTypes,
			staticData: structuredClone(options.staticData ?? {}),
			settings,
		});
		const workflowData = {
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			active: false,
			activeVersionId: null,
			isArchived: false,
			nodes: [input, node],
			connections,
			settings,
			createdAt: new Date(),
			updatedAt: new Date(),
		} as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		const additionalData = this.additionalData(executionId, hooks);

		try {
			const run = await new WorkflowExecute(additionalData, mode).run({
				workflow,
				startNode: workflow.getNode(INPUT_NODE_NAME) ?? undefined,
			});
			const task = run.data.resultData.runData[node.name]?.[0];
			const outputs = (task?.data?.main ?? []).map((output) => output ?? []);
			return {
				items: outputs[0] ?? [],
				outputs,
				error: (task?.error ?? run.data.resultData.error) as ExecutionErrorRecord | undefined,
				run,
				executionId,
				staticData: this.plainStaticData(workflow.staticData),
			};
		} finally {
			this.pendingInputs.delete(executionId);
		}
	}

	/**
	 * Calls the node's `poll()` the way n8n does, with n8n-core's PollContext, and returns what it
	 * returned plus the static data it left. Scheduling and saving are n8n's, so not simulated.
	 */
	async poll(options: PollOptions): Promise<PollResult> {
		this.assertOpen();
		const mode = options.mode ?? 'trigger';
		const node = this.buildNode(options.node);
		const workflow = new Workflow({
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			nodes: [node],
			connections: {},
			active: mode === 'trigger',
			nodeTypes: this.nodeTypes,
			staticData: structuredClone(options.staticData ?? {}),
			settings: { executionOrder: 'v1', timezone: this.timezone },
		});
		const workflowNode = workflow.getNode(node.name) as INode;
		const activation = options.activation ?? (mode === 'manual' ? 'manual' : 'activate');
		const context = new PollContext(
			workflow,
			workflowNode,
			this.additionalData(undefined),
			mode,
			activation,
		);
		let items: INodeExecutionData[][] | null = null;
		let error: Error | undefined;
		await workflow.expression.acquireIsolate();
		try {
			items = await Container.get(TriggersAndPollers).runPollFunction(
				workflow,
				workflowNode,
				context,
			);
		} catch (caught) {
			error = caught as Error;
		} finally {
			await workflow.expression.releaseIsolate();
		}
		const changed = Boolean((workflow.staticData as IDataObject).__dataChanged);
		const staticData = this.plainStaticData(workflow.staticData);
		return {
			items,
			staticData,
			nodeStaticData: (staticData[`node:${node.name}`] as IDataObject | undefined) ?? {},
			staticDataChanged: changed,
			error,
		};
	}

	/** Runs a `methods.listSearch` function as the editor's resource locator does. */
	async listSearch(
		options: MethodOptions & { filter?: string; paginationToken?: string },
	): Promise<INodeListSearchResult> {
		const { context, type } = this.methodContext(options);
		const method = type.methods?.listSearch?.[options.method];
		if (!method) throw new UnexpectedError(`No listSearch method "${options.method}"`);
		return await method.call(context, options.filter, options.paginationToken);
	}

	/** Runs a `methods.loadOptions` function as the editor's options dropdown does. */
	async loadOptions(options: MethodOptions): Promise<INodePropertyOptions[]> {
		const { context, type } = this.methodContext(options);
		const method = type.methods?.loadOptions?.[options.method];
		if (!method) throw new UnexpectedError(`No loadOptions method "${options.method}"`);
		return await method.call(context);
	}

	/**
	 * The editor's "Test credential": given data, the credential is saved first (as the editor
	 * does before testing), then tested; given a stored credential, that one is tested.
	 */
	async testCredential(
		type: string,
		credential: CredentialInput | CredentialRef,
	): Promise<INodeCredentialTestResult & { credential: CredentialRef }> {
		this.assertOpen();
		const ref =
			typeof credential.id === 'string' && this.credentials.has(credential.id)
				? (credential as CredentialRef)
				: this.credentials.add(type, 'Credential under test', credential as CredentialInput);
		const result = await this.tester.test(
			type,
			{ id: ref.id, name: ref.name, type, data: this.credentials.get(ref.id) },
			this.additionalData(undefined),
		);
		return { ...result, credential: ref };
	}

	/** Reads an output binary property back, from the filesystem store or from memory. */
	async binaryBuffer(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
		this.assertOpen();
		const binary = item.binary?.[property];
		if (binary === undefined)
			throw new UnexpectedError(`The item has no binary property "${property}"`);
		return await Container.get(BinaryDataService).getAsBuffer(binary);
	}

	/**
	 * An input item whose binary lives in n8n's binary store, as a preceding node would have made
	 * it (`prepareBinaryData`): in filesystem mode it carries an `id`, in memory mode base64 data.
	 * `source` is the content, a stream, or the path of a file to copy.
	 */
	async binaryItem(
		source: Buffer | Readable | string,
		options: BinaryItemOptions = {},
	): Promise<INodeExecutionData> {
		this.assertOpen();
		let binary: IBinaryData;
		if (typeof source === 'string') {
			binary = await copyBinaryFile(
				WORKFLOW_ID,
				INPUT_EXECUTION_ID,
				source,
				options.fileName ?? path.basename(source),
				options.mimeType,
			);
		} else {
			binary = await prepareBinaryData(
				source,
				INPUT_EXECUTION_ID,
				WORKFLOW_ID,
				options.fileName,
				options.mimeType,
			);
		}
		return { json: options.json ?? {}, binary: { [options.property ?? 'data']: binary } };
	}

	/** The additionalData n8n's CLI builds for an execution, minus what needs its server. */
	additionalData(
		executionId: string | undefined,
		hooks?: ExecutionLifecycleHooks,
	): IWorkflowExecuteAdditionalData {
		const base = 'http://127.0.0.1:5678';
		return {
			credentialsHelper: this.helper,
			executeWorkflow: async () => {
				throw new UnexpectedError('Sub-workflows are not available in the test harness');
			},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			executionId,
			workflowId: WORKFLOW_ID,
			userId: 'harness-user',
			currentNodeExecutionIndex: 0,
			restApiUrl: `${base}/rest`,
			instanceBaseUrl: `${base}/`,
			formBaseUrl: `${base}/form`,
			formWaitingBaseUrl: `${base}/form-waiting`,
			formTestBaseUrl: `${base}/form-test`,
			webhookBaseUrl: `${base}/webhook`,
			webhookWaitingBaseUrl: `${base}/webhook-waiting`,
			webhookTestBaseUrl: `${base}/webhook-test`,
			mcpBaseUrl: `${base}/mcp`,
			mcpTestBaseUrl: `${base}/mcp-test`,
			variables: {},
			logAiEvent: () => {},
			startRunnerTask: async () => {
				throw new UnexpectedError('Task runners (Code node) are not available in the test harness');
			},
			hooks,
			externalSecretsProxy: Container.get(ExternalSecretsProxy),
		};
	}

	private get timezone(): string {
		return this.options.timezone ?? 'UTC';
	}

	private assertOpen(): void {
		if (activeEngine !== this)
			throw new UnexpectedError('Call engine.init() first (or this engine was closed)');
	}

	private buildNode(spec: NodeUnderTest, onError?: OnError): INode {
		const type = this.nodeTypes.getByName(spec.type);
		let typeVersion = spec.typeVersion;
		if (typeVersion === undefined) {
			if ('nodeVersions' in type) {
				typeVersion = type.currentVersion;
			} else {
				const { version, defaultVersion } = type.description;
				typeVersion = defaultVersion ?? (Array.isArray(version) ? Math.max(...version) : version);
			}
		}
		const description = this.nodeTypes.getByNameAndVersion(spec.type, typeVersion).description;
		const node: INode = {
			id: `node-${spec.type}`,
			name: spec.name ?? description.defaults?.name ?? description.displayName,
			type: spec.type,
			typeVersion,
			position: [200, 0],
			parameters: spec.parameters ?? {},
		};
		if (spec.credentials) node.credentials = spec.credentials;
		const errorMode = onError ?? spec.onError;
		if (errorMode) node.onError = errorMode;
		if (spec.retryOnFail !== undefined) node.retryOnFail = spec.retryOnFail;
		if (spec.maxTries !== undefined) node.maxTries = spec.maxTries;
		if (spec.waitBetweenTries !== undefined) node.waitBetweenTries = spec.waitBetweenTries;
		if (spec.alwaysOutputData !== undefined) node.alwaysOutputData = spec.alwaysOutputData;
		if (spec.executeOnce !== undefined) node.executeOnce = spec.executeOnce;
		return node;
	}

	private methodContext(options: MethodOptions): { context: LoadOptionsContext; type: INodeType } {
		this.assertOpen();
		const node = this.buildNode(options.node);
		const type = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		// The editor sends the node's current parameters with defaults filled in.
		node.parameters =
			NodeHelpers.getNodeParameters(
				type.description.properties,
				node.parameters,
				true,
				false,
				node,
				type.description,
			) ?? {};
		const workflow = new Workflow({
			id: WORKFLOW_ID,
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
			settings: { executionOrder: 'v1', timezone: this.timezone },
		});
		const additionalData = this.additionalData(undefined);
		additionalData.currentNodeParameters = node.parameters;
		const context = new LoadOptionsContext(
			workflow,
			workflow.getNode(node.name) as INode,
			additionalData,
			options.path ?? options.method,
		);
		return { context, type };
	}

	/** Static data as plain JSON, without n8n's change-tracking marker. */
	private plainStaticData(data: IDataObject): IDataObject {
		const copy = JSON.parse(JSON.stringify(data ?? {})) as IDataObject;
		delete copy.__dataChanged;
		return copy;
	}
}
