/**
 * Credentials as a real n8n keeps and uses them: a store standing in for the database, and a
 * credentials helper that behaves like the CLI's `CredentialsHelper` in everything a node can
 * observe (defaults, hidden fields, expressions, preAuthentication and saving, authenticate).
 */
import { getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	isExpression,
} from 'n8n-workflow';

import type { CredentialTypeRegistry } from './types-registry';

/** What a workflow node names a credential by, as in `node.credentials.<type>`. */
export interface CredentialRef {
	id: string;
	name: string;
}

interface Row {
	id: string;
	name: string;
	type: string;
	/** JSON text, as the database holds it (encrypted there): every read is a fresh copy. */
	data: string;
}

/** Credential data as tests write it (IDataObject allowed: it is stored as JSON either way). */
export type CredentialInput = ICredentialDataDecryptedObject | IDataObject;

export interface CredentialSave {
	id: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/**
 * Stands in for n8n's credentials table. Shared by every execution of an engine, so a token
 * saved by one run is what the next (or a parallel) run reads, as with n8n's database.
 */
export class CredentialStore {
	private readonly rows = new Map<string, Row>();

	private nextId = 1;

	/** Every save n8n made (updateCredentials / OAuth token updates), oldest first. */
	readonly history: CredentialSave[] = [];

	/** How many times n8n read a credential's data for a node (`getDecrypted`), as it queries its database. */
	reads = 0;

	/** How many times n8n saved a credential. Edits made by the test itself are not counted. */
	get saves(): number {
		return this.history.length;
	}

	/** Creates a credential, like a user saving it in the editor. */
	add(type: string, name: string, data: CredentialInput): CredentialRef {
		const id = String(this.nextId++);
		this.rows.set(id, { id, name, type, data: JSON.stringify(data) });
		return { id, name };
	}

	has(id: string): boolean {
		return this.rows.has(id);
	}

	/** The stored (decrypted) data, as n8n would have saved it. A copy: changing it changes nothing. */
	get(id: string): ICredentialDataDecryptedObject {
		return JSON.parse(this.row(id).data) as ICredentialDataDecryptedObject;
	}

	type(id: string): string {
		return this.row(id).type;
	}

	/** Replaces the stored data, like a user editing the credential (not counted as a save). */
	set(id: string, data: CredentialInput): void {
		this.row(id).data = JSON.stringify(data);
	}

	/** Changes some fields, e.g. `{ accessToken: 'stale' }` to make the next run meet a dead token. */
	update(id: string, changes: CredentialInput): void {
		this.set(id, { ...this.get(id), ...changes });
	}

	remove(id: string): void {
		this.rows.delete(id);
	}

	/** n8n looks a credential up by id *and* type, and fails the same two ways. */
	find(details: INodeCredentialsDetails, type: string): Row {
		if (!details.id) {
			throw new UserError(`Credential "${details.name}" of type "${type}" has no ID.`);
		}
		const row = this.rows.get(details.id);
		if (row === undefined || row.type !== type) {
			throw new UserError(`Credential with ID "${details.id}" does not exist for type "${type}".`);
		}
		return row;
	}

	/** What n8n's updateCredentials does to the database row. */
	save(details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): void {
		const row = this.find(details, type);
		row.data = JSON.stringify(data);
		this.history.push({
			id: row.id,
			type,
			data: JSON.parse(row.data) as ICredentialDataDecryptedObject,
		});
	}

	private row(id: string): Row {
		const row = this.rows.get(id);
		if (row === undefined)
			throw new UnexpectedError(`No credential with id "${id}" in the harness store`);
		return row;
	}
}

/**
 * A credentials row as n8n-core's `ICredentials` API presents it. n8n encrypts `data` with a key
 * its CLI provides from the database (n8n-core 2.40 has no provider of its own), so here `data`
 * is plain JSON text: what matters to a node, the JSON round trip on every save, is kept.
 */
export class StoredCredentials extends ICredentials {
	async getData(): Promise<ICredentialDataDecryptedObject> {
		if (this.data === undefined)
			throw new UnexpectedError('No data is set so nothing can be returned.');
		return JSON.parse(this.data) as ICredentialDataDecryptedObject;
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: this.data };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.data = JSON.stringify(data);
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: Array<keyof ICredentialDataDecryptedObject> = [],
	): Promise<void> {
		const updated = { ...(await this.getData()), ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete updated[key];
		await this.setData(updated);
	}
}

/** The node n8n resolves credential-level expressions against when no item is at hand. */
const mockNode: INode = {
	id: 'credentials-mock',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

const mockNodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getKnownTypes: () => ({}),
};

/**
 * Our `ICredentialsHelper`. It follows n8n 2.40's CLI CredentialsHelper step by step for the
 * parts nodes can observe; what it leaves out (overwrites, external secrets, dynamic and
 * project-scoped credentials, AI gateway) plays no part for a community node's own credential.
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: CredentialTypeRegistry,
		private readonly store: CredentialStore,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.types.getParentTypes(name);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!this.types.recognizes(credentialType)) return true;
		const type = this.types.getByName(credentialType);
		if (!type.restrictToSupportedNodes) return true;
		const supported = type.supportedNodes ?? [];
		return supported.some((name) => name === nodeType || nodeType.endsWith(`.${name}`));
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const properties = this.types.getProperties(type);
		// n8n adds the field that holds the OAuth tokens to the base OAuth types.
		if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
			return [
				...properties,
				{
					displayName: 'oauthTokenData',
					name: 'oauthTokenData',
					type: 'json',
					required: false,
					default: {},
				},
			];
		}
		return properties;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<StoredCredentials> {
		const row = this.store.find(details, type);
		return new StoredCredentials({ id: row.id, name: row.name }, row.type, row.data);
	}

	/**
	 * Reads the stored data on every call (n8n reads its database each time), then fills
	 * defaults, drops fields hidden by displayOptions and resolves expressions, as n8n does.
	 */
	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const row = this.store.find(details, type);
		this.store.reads++;
		const stored = JSON.parse(row.data) as ICredentialDataDecryptedObject;
		if (raw === true) return stored;
		return await this.applyDefaultsAndOverwrites(
			additionalData,
			stored,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** Same steps and order as n8n's `applyDefaultsAndOverwrites` (there are no overwrites here). */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		original: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(type);
		// Keeps only declared, displayed fields and fills defaults: a field hidden by the
		// chosen options (e.g. the password when API keys are selected) does not reach the node.
		let data = NodeHelpers.getNodeParameters(
			properties,
			{ ...original } as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined) data.oauthTokenData = original.oauthTokenData;
		if (
			data.allowedHttpRequestDomains === undefined &&
			original.allowedHttpRequestDomains !== undefined
		) {
			data.allowedHttpRequestDomains = original.allowedHttpRequestDomains;
		}
		if (data.allowedDomains === undefined && original.allowedDomains !== undefined) {
			data.allowedDomains = original.allowedDomains;
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				data = expressionResolveValues.workflow.expression.getParameterValue(
					data as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				throw error;
			}
		} else {
			const workflow = new Workflow({
				nodes: [mockNode],
				connections: {},
				active: false,
				nodeTypes: mockNodeTypes,
			});
			await workflow.expression.acquireIsolate();
			try {
				data = workflow.expression.getComplexParameterValue(
					mockNode,
					data as INodeParameters,
					mode,
					additionalKeys,
					undefined,
					undefined,
					data,
				) as ICredentialDataDecryptedObject;
			} finally {
				await workflow.expression.releaseIsolate();
			}
		}
		return data;
	}

	/** Both forms n8n supports: a function, or a generic template whose values may be expressions. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions & Record<string, unknown>;
		const type = this.types.getByName(typeName);
		if (typeof type.authenticate === 'function') {
			return await type.authenticate(credentials, requestOptions);
		}
		if (typeof type.authenticate === 'object') {
			if (!workflow || !node) {
				throw new UnexpectedError(
					'Workflow and node are required for declarative credential authentication',
				);
			}
			requestOptions.headers ??= {};
			if (type.authenticate.type === 'generic') {
				for (const [outerKey, outerValue] of Object.entries(type.authenticate.properties)) {
					for (const [key, value] of Object.entries(outerValue as Record<string, unknown>)) {
						const keyResolved = this.resolveValue(
							key,
							{ $credentials: credentials },
							workflow,
							node,
						);
						const valueResolved = this.resolveValue(
							value as string,
							{ $credentials: credentials },
							workflow,
							node,
						);
						const target = (requestOptions[outerKey] ??= {}) as Record<string, unknown>;
						target[keyResolved] = valueResolved;
					}
				}
			}
		}
		return requestOptions;
	}

	/**
	 * Runs the type's preAuthentication exactly when n8n does: the expirable hidden field is
	 * empty, the caller says the credentials expired (after a 401), or this is a credential test.
	 * The result is saved into the store and merged into `credentials`, as n8n does.
	 */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.getByName(typeName);
		const expirable = this.getCredentialsProperties(typeName).find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined) return undefined;
		if (typeof type.preAuthentication !== 'function') return undefined;

		// n8n recognises a credential test by the temporary noOp node its tester builds.
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (!(credentials[expirable.name] === '' || credentialsExpired || isTestingCredentials))
			return undefined;

		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (!node.credentials) return undefined;

		const details = node.credentials[type.name];
		const stored = JSON.parse(
			this.store.find(details, type.name).data,
		) as ICredentialDataDecryptedObject;
		const toPersist: ICredentialDataDecryptedObject = { ...stored };
		for (const [key, value] of Object.entries(output)) {
			// A field the user set as an expression keeps its expression.
			if (key === expirable.name || !isExpression(stored[key])) toPersist[key] = value;
		}
		await this.updateCredentials(details, type.name, toPersist);
		return Object.assign(credentials, output);
	}

	/** The in-memory form used by OAuth2 requests: no expirable check, nothing saved. */
	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.getByName(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (
			((await type.preAuthentication.call(
				helpers,
				credentials,
			)) as ICredentialDataDecryptedObject) ?? undefined
		);
	}

	async updateCredentials(
		details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		// Through a JSON round trip, so the saved value is what n8n's database would return,
		// not the live object the node still holds.
		const credentials = await this.getCredentials(details, type);
		await credentials.setData(data);
		this.store.save(details, type, await credentials.getData());
	}

	async updateCredentialsOauthTokenData(
		details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const credentials = await this.getCredentials(details, type);
		await credentials.updateData({ oauthTokenData: data.oauthTokenData });
		this.store.save(details, type, await credentials.getData());
	}

	private resolveValue(
		value: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		return resolved ? resolved.toString() : '';
	}
}
