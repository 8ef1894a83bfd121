/**
 * The node and credential types the engine knows: the classes under test plus the few
 * stand-ins n8n's own code paths look up by name (the input node that feeds items, and the
 * `n8n-nodes-base.noOp` that n8n's credential tester runs a credential test as).
 */
import type {
	ICredentialType,
	IDataObject,
	INodeProperties,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

export class NodeTypeRegistry implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	constructor(types: Record<string, INodeType | IVersionedNodeType> = {}) {
		for (const [name, type] of Object.entries(types)) this.add(name, type);
	}

	/** Registers a type under the full name workflows use (`CUSTOM.yetiShare`, `n8n-nodes-base.noOp`, ...). */
	add(name: string, type: INodeType | IVersionedNodeType): void {
		this.types.set(name, type);
	}

	remove(name: string): void {
		this.types.delete(name);
	}

	names(): string[] {
		return [...this.types.keys()];
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (type === undefined) {
			throw new UnexpectedError(
				`Unknown node type "${nodeType}": pass it to new Engine({ nodeTypes })`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			this.names().map((name) => [name, { className: name, sourcePath: '' }]),
		);
	}
}

export class CredentialTypeRegistry {
	private readonly types = new Map<string, ICredentialType>();

	constructor(types: ICredentialType[] = []) {
		for (const type of types) this.types.set(type.name, type);
	}

	recognizes(name: string): boolean {
		return this.types.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.types.get(name);
		if (type === undefined) {
			throw new UnexpectedError(
				`Unknown credential type "${name}": pass it to new Engine({ credentialTypes })`,
			);
		}
		return type;
	}

	/** Every type this one `extends`, nearest first, like n8n's CredentialTypes.getParentTypes. */
	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return [...parents, ...parents.flatMap((parent) => this.getParentTypes(parent))];
	}

	/**
	 * The properties with the parents' merged in (the child's win), which is what n8n fills
	 * defaults from and what decides which stored fields a node sees.
	 */
	getProperties(name: string): INodeProperties[] {
		const type = this.getByName(name);
		if (type.extends === undefined) return type.properties;
		const combined: INodeProperties[] = [];
		for (const parent of type.extends)
			NodeHelpers.mergeNodeProperties(combined, this.getProperties(parent));
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}
}
