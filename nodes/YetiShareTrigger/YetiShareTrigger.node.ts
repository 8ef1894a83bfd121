import type {
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchFolders, searchFoldersWithRoot } from '../YetiShare/methods/listSearch';
import { includeSubfoldersField, nameFilterField } from '../YetiShare/shared/descriptions';
import { pollAdditions } from './additions';
import { pollChanges, type ChangeEvent } from './changeEvents';
import { pollRemoteUploads } from './remoteUploads';
import { watchedFolder } from './watched';

/** The events that watch a folder. */
const TREE_EVENTS = [
	'fileAdded',
	'folderAdded',
	'fileChanged',
	'fileTrashed',
	'folderChanged',
	'folderTrashed',
] as const;

const includeSubfolders = includeSubfoldersField(
	'Whether to watch every folder below the chosen one too (one listing per folder per poll)',
);

/** The action node's Name filter, worded as the trigger's other options are. */
function nameFilter(what: 'files' | 'folders', placeholder: string) {
	return nameFilterField(what, {
		placeholder,
		description:
			`Only ${what} whose name contains this text, or matches it with * and ? as wildcards ` +
			`(case-insensitive). For a literal * or ? write \\* or \\? (and \\\\ for a backslash).`,
	});
}

export class YetiShareTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'YetiShare Trigger',
		name: 'yetiShareTrigger',
		icon: { light: 'file:../../icons/yetishare.svg', dark: 'file:../../icons/yetishare.dark.svg' },
		group: ['trigger'],
		version: 1,
		// the event in words on the canvas, as the node creator names it
		subtitle:
			'={{ { fileAdded: "On new file", folderAdded: "On new folder", ' +
			'fileChanged: "On file changed", fileTrashed: "On file trashed", ' +
			'folderChanged: "On folder changed", folderTrashed: "On folder trashed", ' +
			'remoteUploadFinished: "On remote upload finished" }[$parameter["event"]] }}',
		// n8n's node creator lists this node and the YetiShare node as one app and shows this text
		// under it in both the actions and the triggers panel, so it speaks for both.
		description:
			'Upload, download and organise files on a YetiShare site; start workflows when files or ' +
			'folders appear, change or are trashed, or remote uploads finish',
		defaults: { name: 'YetiShare Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'yetiShareApi', required: true }],
		properties: [
			{
				displayName: 'Trigger On',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					// action: the name the node creator gives this event (else "On " and the name in lower case).
					{
						name: 'File Added',
						value: 'fileAdded',
						action: 'On new file',
						description: 'A new file appears in the watched folder',
					},
					{
						name: 'File Changed',
						value: 'fileChanged',
						action: 'On file changed',
						description:
							'A watched file is renamed, moved to another watched folder, replaced (new size or ' +
							'type) or restored from the trash, or comes into view',
					},
					{
						name: 'File Trashed',
						value: 'fileTrashed',
						action: 'On file trashed',
						description:
							'A watched file is moved to the trash, or is no longer in the watched folder',
					},
					{
						name: 'Folder Added',
						value: 'folderAdded',
						action: 'On new folder',
						description: 'A new folder appears in the watched folder',
					},
					{
						name: 'Folder Changed',
						value: 'folderChanged',
						action: 'On folder changed',
						description:
							'A watched folder is renamed, moved or made public or private, or comes into view',
					},
					{
						name: 'Folder Trashed',
						value: 'folderTrashed',
						action: 'On folder trashed',
						description:
							'A watched folder is moved to the trash, or is no longer in the watched folder',
					},
					{
						name: 'Remote Upload Finished',
						value: 'remoteUploadFinished',
						action: 'On remote upload finished',
						description: 'A file scheduled with Upload From URL has been fetched by the site',
					},
				],
				default: 'fileAdded',
			},
			{
				...watchedFolder.property,
				displayOptions: { show: { event: [...TREE_EVENTS] } },
			},
			{
				displayName: 'Scheduled Item IDs',
				name: 'scheduledItemIds',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. 52, 53',
				description:
					'The scheduled_item_id numbers Upload From URL returned, separated by commas (an expression may give a list)',
				displayOptions: { show: { event: ['remoteUploadFinished'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['fileAdded'] } },
				options: [
					{
						displayName: 'Download File',
						name: 'download',
						type: 'boolean',
						default: false,
						description: 'Whether to attach each new file as binary data (field "data")',
					},
					includeSubfolders,
					nameFilter('files', 'e.g. *.pdf'),
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['folderAdded', 'folderChanged', 'folderTrashed'] } },
				options: [includeSubfolders, nameFilter('folders', 'e.g. Invoices*')],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['fileChanged', 'fileTrashed'] } },
				options: [includeSubfolders, nameFilter('files', 'e.g. *.pdf')],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['remoteUploadFinished'] } },
				options: [
					{
						displayName: 'Include Failed',
						name: 'includeFailed',
						type: 'boolean',
						default: false,
						description:
							'Whether to also start the workflow for URL uploads that failed or were cancelled (marked "failed": true)',
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchFolders, searchFoldersWithRoot },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event') as string;
		if (event === 'remoteUploadFinished') return await pollRemoteUploads(this);
		if (event === 'fileAdded' || event === 'folderAdded') {
			return await pollAdditions(this, event === 'fileAdded' ? 'file' : 'folder');
		}
		return await pollChanges(this, event as ChangeEvent);
	}
}
