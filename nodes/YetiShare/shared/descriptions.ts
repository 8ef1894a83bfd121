import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_REQUESTS_IN_PARALLEL,
	FIRST_IN_FLIGHT,
	TRANSFERS_IN_PARALLEL,
} from '../execution/parallel';
import type { LocatorParameter } from './locators';

/** The value that stands for the account's top level in folder pickers. */
export const ROOT_FOLDER = 'root';

export const FOLDER_URL_REGEX = '^https?://.+/folder/(\\d+)(?:[/?#].*)?$';

export const rootFolderValue = {
	__rl: true,
	mode: 'list',
	value: ROOT_FOLDER,
	cachedResultName: '/ (Root)',
};

type LocatorMode = NonNullable<INodeProperties['modes']>[number];

/**
 * The three ways every picker offers: search a list, type an ID, paste the site's address.
 * The typed value is checked by the node itself (shared/locators.ts), with an error that names the
 * parameter and the item. The modes carry no `validation` regex: n8n runs those before every
 * execution in a sandbox with a 250 ms wall-clock limit, so a busy machine could fail a whole
 * workflow by chance, with an error that says neither which parameter nor why.
 */
function pickerModes(
	what: 'folder' | 'file',
	searchListMethod: string,
	id: { placeholder: string; hint: string },
	url: { placeholder: string; hint: string },
): { modes: LocatorMode[] } {
	return {
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${what}…`,
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: id.placeholder,
				hint: id.hint,
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: url.placeholder,
				hint: url.hint,
			},
		],
	};
}

/**
 * A picker declared once: its form field and the name, label and root rule that the resolvers
 * (shared/locators.ts) read it by and name in errors, so the form and the resolver cannot drift apart.
 */
export interface Picker extends LocatorParameter {
	property: INodeProperties;
}

interface PickerOptions {
	name: string;
	displayName: string;
	description: string;
	allowRoot?: boolean;
	/** The collection the picker is an option of: it is then optional, and read as `<collection>.<name>`. */
	collection?: string;
}

function picker(options: PickerOptions, property: INodeProperties): Picker {
	const { name, displayName, allowRoot, collection } = options;
	return { name: collection ? `${collection}.${name}` : name, displayName, allowRoot, property };
}

/**
 * A folder picker: From List (searchable, shows paths), By ID, By URL (the address the site
 * shows for a folder, `…/folder/<id>/<name>`), or By Path. With `allowRoot` the root folder is
 * offered first and is the default.
 */
export function folderPicker(options: PickerOptions): Picker {
	const defaultFolder = options.allowRoot ? rootFolderValue : { mode: 'list', value: '' };
	// what to give, in words: an expression or an AI agent's $fromAI() fills the value without the modes' hints
	const ways = options.allowRoot
		? 'Pick it from the list, or give its ID (a number; root for the top level), its address on the site, or its path from the top level (e.g. Invoices/2026; / for the top level)'
		: 'Pick it from the list, or give its ID (a number), its address on the site, or its path from the top level (e.g. Invoices/2026)';
	return picker(options, {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: defaultFolder,
		required: options.collection === undefined,
		description: `${options.description.replace(/\.$/, '')}. ${ways}.`,
		modes: [
			...pickerModes(
				'folder',
				options.allowRoot ? 'searchFoldersWithRoot' : 'searchFolders',
				options.allowRoot
					? {
							placeholder: 'e.g. 125, or root',
							hint: 'A folder ID (a number), or root for the top level',
						}
					: { placeholder: 'e.g. 125', hint: 'A folder ID (a number)' },
				{
					placeholder: 'e.g. https://files.example.com/folder/125/Invoices',
					hint: 'The folder address the site shows, …/folder/<ID>/<name>',
				},
			).modes,
			{
				displayName: 'By Path',
				name: 'path',
				type: 'string',
				placeholder: 'e.g. Invoices/2026/March',
				hint: 'Folder names from the top level down, separated by /',
			},
		],
	});
}

/** The folder pickers several operations show; each operation says what it picks the folder for. */
export const folderPickers = {
	/** The folder the operation works on. */
	folder: (description: string) =>
		folderPicker({ name: 'folderId', displayName: 'Folder', description }),
	/** Where something is made, put or looked in. */
	parent: (description: string) =>
		folderPicker({
			name: 'parentFolder',
			displayName: 'Parent Folder',
			allowRoot: true,
			description,
		}),
	/** Where something is moved or copied to. */
	destination: (description: string) =>
		folderPicker({
			name: 'destinationFolder',
			displayName: 'Parent Folder',
			allowRoot: true,
			description,
		}),
};

/**
 * The file picker: From List (searchable across the account's folders, showing paths), By ID, or
 * By URL (the file's short link as the site shows it, e.g. https://files.example.com/2Vv).
 */
export function filePicker(description: string): Picker {
	const options = { name: 'fileId', displayName: 'File', description };
	return picker(options, {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `${description.replace(/\.$/, '')}. Pick it from the list, or give its ID (a number, not its name) or its short link.`,
		modes: pickerModes(
			'file',
			'searchFiles',
			{ placeholder: 'e.g. 1253', hint: 'A file ID (a number)' },
			{
				placeholder: 'e.g. https://files.example.com/2Vv',
				hint: 'The short link the site shows for the file',
			},
		).modes,
	});
}

/** "Update Fields": only what the user adds is sent, so nothing else changes on the site. */
export function updateFieldsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields you add here are changed',
		options,
	};
}

/** "Filters": narrows what an operation returns; only the filters the user adds apply. */
export function filtersCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options,
	};
}

const visibilityOptions = [
	{ name: 'Private', value: 0, description: 'Only you can see the folder' },
	{ name: 'Unlisted', value: 1, description: 'Anyone with the link can see the folder' },
	{ name: 'Public', value: 2, description: 'Listed in the site search' },
];

export const visibilityField: INodeProperties = {
	displayName: 'Visibility',
	name: 'visibility',
	type: 'options',
	options: visibilityOptions,
	default: 0,
	description: 'Who can see the folder',
};

export const folderPasswordField: INodeProperties = {
	displayName: 'Password',
	name: 'password',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description:
		'A password visitors must enter to open the folder. Type it as is: the node sends the MD5 hash the API expects.',
};

/** Shown under every operation: how many input items the node works on at once, at most. */
export const requestsInParallelField: INodeProperties = {
	displayName: 'Requests in Parallel',
	name: 'requestsInParallel',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
	default: DEFAULT_REQUESTS_IN_PARALLEL,
	noDataExpression: true,
	description: `The most input items sent to the site at once. A run starts with ${FIRST_IN_FLIGHT} and adds one as each item ends; a site that answers "too many requests" (HTTP 429) gets half as many, for the rest of the run. 1 handles the items one after another. Uploads and downloads run at most ${TRANSFERS_IN_PARALLEL} at once. Output items keep the order of the input.`,
};

/** Return All, and the Limit shown without it. */
export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/**
 * A name filter: text anywhere in the name, or a * and ? pattern for the whole name. `overrides`
 * let a node word it for what it does (the trigger speaks of watching).
 */
export function nameFilterField(
	what: string,
	overrides: Pick<INodeProperties, 'placeholder' | 'description'> = {},
): INodeProperties {
	return {
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice or *.pdf',
		description: `Only ${what} whose name contains this text (case-insensitive). With * (any characters) or ? (one character) it is a pattern for the whole name, e.g. *.pdf or report-202?.csv. For a literal * or ? write \\* or \\? (and \\\\ for a backslash), e.g. *\\?.txt for names ending in "?.txt". Empty: every name.`,
		...overrides,
	};
}

/** Include Subfolders: whether a walk of the tree (shared/tree.ts) goes below the chosen folder; off unless overridden. */
export function includeSubfoldersField(
	description: string,
	overrides: { default?: boolean } = {},
): INodeProperties {
	return {
		displayName: 'Include Subfolders',
		name: 'includeSubfolders',
		type: 'boolean',
		default: false,
		description,
		...overrides,
	};
}
