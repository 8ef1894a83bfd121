/**
 * The editor's "Test credential" button, done the way n8n 2.40's CredentialsTester does it:
 * a declarative `test` request runs through n8n-core's RoutingNode as a temporary noOp node
 * (which is also what makes preAuthentication run in test mode), and `rules` are applied to
 * the answer; a function test (`testedBy: 'name'` on a node) runs with a CredentialTestContext.
 */
import { Container } from '@n8n/di';
import { CredentialTestContext, ErrorReporter, ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialTestRequest,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { VersionedNodeType, Workflow, createRunExecutionData } from 'n8n-workflow';

import type { HarnessCredentialsHelper } from './credentials';
import { createNoOpNode } from './stand-in-nodes';
import { NodeTypeRegistry } from './types-registry';
import type { CredentialTypeRegistry } from './types-registry';

type TestDefinition =
	| ICredentialTestFunction
	| { nodeType?: INodeType; testRequest: ICredentialTestRequest };

/** lodash-style `get` for the `key` of a `responseSuccessBody` rule (`a.b`, `a[0].b`). */
function getPath(value: unknown, path: string): unknown {
	let current = value;
	for (const part of path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}

export class CredentialTester {
	constructor(
		private readonly credentialTypes: CredentialTypeRegistry,
		private readonly nodeTypes: NodeTypeRegistry,
		private readonly helper: HarnessCredentialsHelper,
	) {}

	/** The same search order as n8n: the type's own `test`, then nodes' `testedBy`. */
	findTest(credentialType: string): TestDefinition | undefined {
		const type = this.credentialTypes.getByName(credentialType);
		if (type.test) return { testRequest: type.test };
		for (const name of this.nodeTypes.names()) {
			const node = this.nodeTypes.getByName(name);
			const versions: INodeType[] =
				node instanceof VersionedNodeType ? Object.values(node.nodeVersions) : [node as INodeType];
			for (const version of versions) {
				for (const { name: credName, testedBy } of version.description.credentials ?? []) {
					if (credName !== credentialType || !testedBy) continue;
					if (typeof testedBy === 'string') {
						const fn = version.methods?.credentialTest?.[testedBy];
						if (fn) return fn;
						continue;
					}
					return { nodeType: version, testRequest: testedBy };
				}
			}
		}
		return undefined;
	}

	async test(
		credentialType: string,
		credentials: ICredentialsDecrypted,
		additionalData: IWorkflowExecuteAdditionalData,
	): Promise<INodeCredentialTestResult> {
		const definition = this.findTest(credentialType);
		if (definition === undefined) {
			return { status: 'Error', message: 'No testing function found for this credential.' };
		}

		if (credentials.data) {
			try {
				credentials.data = await this.helper.applyDefaultsAndOverwrites(
					additionalData,
					credentials.data,
					credentialType,
					'internal',
				);
			} catch (error) {
				return { status: 'Error', message: String((error as Error).message) };
			}
		}

		if (typeof definition === 'function') {
			return await definition.call(new CredentialTestContext(additionalData), credentials);
		}

		const nodeType = definition.nodeType ?? createNoOpNode();
		const version = nodeType.description.version;
		const node: INode = {
			id: 'temp',
			parameters: {},
			name: 'Temp-Node',
			type: nodeType.description.name,
			typeVersion: Array.isArray(version) ? version[version.length - 1] : version,
			position: [0, 0],
			credentials: { [credentialType]: { id: credentials.id, name: credentials.name } },
		};
		// A copy of the node whose only parameter carries the test request as its routing.
		const nodeTypeCopy: INodeType = {
			description: {
				...nodeType.description,
				credentials: [{ name: credentialType, required: true }],
				properties: [
					{
						displayName: 'Temp',
						name: 'temp',
						type: 'string',
						routing: { request: definition.testRequest.request },
						default: '',
					},
				],
			},
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: new NodeTypeRegistry({ [nodeTypeCopy.description.name]: nodeTypeCopy }),
		});
		const runExecutionData: IRunExecutionData = createRunExecutionData({
			resultData: { runData: {} },
		});
		const executeData: IExecuteData = { node, data: {}, source: null };
		const context = new ExecuteContext(
			workflow,
			node,
			additionalData,
			'internal',
			runExecutionData,
			0,
			[],
			{ main: [[{ json: {} }]] },
			executeData,
			[],
		);
		const routingNode = new RoutingNode(context, nodeTypeCopy, credentials);

		let response: INodeExecutionData[][] | null | undefined;
		await workflow.expression.acquireIsolate();
		try {
			response = await routingNode.runNode();
		} catch (caught) {
			const error = caught as Error & {
				cause?: { response?: { status: number; statusText?: string }; code?: string };
			};
			Container.get(ErrorReporter).error(error);
			if (error.cause?.response) {
				const statusCode = error.cause.response.status;
				for (const rule of definition.testRequest.rules ?? []) {
					if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
						return { status: 'Error', message: rule.properties.message };
					}
				}
				if (statusCode < 199 || statusCode > 299) {
					return {
						status: 'Error',
						message: error.cause.response.statusText || `Received HTTP status code: ${statusCode}`,
					};
				}
			} else if (error.cause?.code) {
				return { status: 'Error', message: error.cause.code };
			}
			return { status: 'Error', message: String(error.message) };
		} finally {
			await workflow.expression.releaseIsolate();
		}

		for (const rule of definition.testRequest.rules ?? []) {
			if (rule.type !== 'responseSuccessBody') continue;
			const body = response?.[0]?.[0]?.json;
			if (getPath(body, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		return { status: 'OK', message: 'Connection successful!' };
	}
}
