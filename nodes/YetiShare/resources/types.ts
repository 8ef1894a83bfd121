import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

/**
 * One API endpoint as a node operation: its form, and what it does for one input item. `Value` is
 * the operation's value, which the form sends and the router looks the operation up by.
 */
export interface Operation<Value extends string = string> {
	option: INodePropertyOptions & { value: Value; action: string };
	properties: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
	/** Moves a file's bytes (upload, download): fewer of these run at once. */
	transfer?: true;
}

export interface Resource<Name extends string = string> {
	option: INodePropertyOptions & { value: Name };
	defaultOperation: string;
	/** Keyed by operation value; adding an endpoint is adding its file and one line here. */
	operations: Record<string, Operation>;
}

/** Operations, or resources, keyed by their values, as the router looks them up. */
type Operations<Ops> = { [Key in keyof Ops]: Operation<Key & string> };
type Resources<Rs> = { [Key in keyof Rs]: Resource<Key & string> };

/**
 * A resource, checked by the build: an operation under a key other than its value, or a default
 * that is none of the keys, fails it, where at run time the router would find no operation.
 */
export function defineResource<Name extends string, Ops extends Operations<Ops>>(resource: {
	option: INodePropertyOptions & { value: Name };
	defaultOperation: NoInfer<keyof Ops & string>;
	operations: Ops;
}): Resource<Name> {
	return resource;
}

/** The node's resources, checked like their operations: each under its own value. */
export function defineResources<Rs extends Resources<Rs>>(resources: Rs): Record<string, Resource> {
	return resources;
}

function showFor(
	displayOptions: IDisplayOptions | undefined,
	resource: string,
	operation: string,
): IDisplayOptions {
	return {
		...displayOptions,
		show: { ...displayOptions?.show, resource: [resource], operation: [operation] },
	};
}

/** The operation selector of a resource and every operation's parameters, shown only for it. */
export function describeResource(resource: Resource): INodeProperties[] {
	const value = resource.option.value as string;
	const operations = Object.values(resource.operations);
	const defaultOperation = resource.defaultOperation;
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [value] } },
			options: operations
				.map((operation) => operation.option)
				.sort((a, b) => a.name.localeCompare(b.name)),
			default: defaultOperation,
		},
		...operations.flatMap((operation) =>
			operation.properties.map((property) => ({
				...property,
				displayOptions: showFor(property.displayOptions, value, operation.option.value as string),
			})),
		),
	];
}
