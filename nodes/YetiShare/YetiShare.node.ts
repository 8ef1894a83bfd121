import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchFiles, searchFolders, searchFoldersWithRoot } from './methods/listSearch';
import { resources } from './resources';
import { describeResource } from './resources/types';
import { router } from './router';
import { requestsInParallelField } from './shared/descriptions';

export class YetiShare implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'YetiShare',
		name: 'yetiShare',
		icon: { light: 'file:../../icons/yetishare.svg', dark: 'file:../../icons/yetishare.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Upload, download and organise files on a site running the File Upload Script (YetiShare) API v2',
		defaults: { name: 'YetiShare' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'yetiShareApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: Object.values(resources).map((resource) => resource.option),
				default: 'file',
			},
			...Object.values(resources).flatMap(describeResource),
			requestsInParallelField,
		],
	};

	methods = {
		listSearch: { searchFiles, searchFolders, searchFoldersWithRoot },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
