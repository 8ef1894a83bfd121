import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

/** One API endpoint as a node operation: its form, and what it does for one input item. */
export interface Operation {
	option: INodePropertyOptions & { action: string };
	properties: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
	/** Moves a file's bytes (upload, download): fewer of these run at once. */
	transfer?: true;
}

export interface Resource {
	option: INodePropertyOptions;
	defaultOperation: string;
	/** Keyed by operation value; adding an endpoint is adding its file and one line here. */
	operations: Record<string, Operation>;
}

function showFor(displayOptions: IDisplayOptions | undefined, resource: string, operation: string): IDisplayOptions {
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
			options: operations.map((operation) => operation.option).sort((a, b) => a.name.localeCompare(b.name)),
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
