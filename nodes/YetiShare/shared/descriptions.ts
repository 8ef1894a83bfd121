import type { INodeProperties } from 'n8n-workflow';

/** The value that stands for the account's top level in folder pickers. */
export const ROOT_FOLDER = 'root';

export const FOLDER_URL_REGEX = '^https?://.+/folder/(\\d+)(?:[/?#].*)?$';

export const rootFolderValue = { __rl: true, mode: 'list', value: ROOT_FOLDER, cachedResultName: '/ (Root)' };

/**
 * A folder picker: From List (searchable, shows paths), By ID, or By URL (the address the site
 * shows for a folder, `…/folder/<id>/<name>`). With `allowRoot` the root folder is offered first
 * and is the default.
 */
export function folderLocator(options: {
	name: string;
	displayName: string;
	description: string;
	allowRoot?: boolean;
}): INodeProperties {
	const byPath = {
		displayName: 'By Path',
		name: 'path',
		type: 'string' as const,
		placeholder: 'e.g. Invoices/2026/March',
		hint: 'Folder names from the top level down, separated by /',
	};
	const defaultFolder = options.allowRoot ? rootFolderValue : { mode: 'list', value: '' };
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: defaultFolder,
		required: true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a folder…',
				typeOptions: {
					searchListMethod: options.allowRoot ? 'searchFoldersWithRoot' : 'searchFolders',
					searchable: true,
				},
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: options.allowRoot ? 'e.g. 125, or root' : 'e.g. 125',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: options.allowRoot ? '^\\s*(\\d+|root)\\s*$' : '^\\s*[1-9]\\d*\\s*$',
							errorMessage: options.allowRoot ? 'Enter a folder ID (a number) or root' : 'Enter a folder ID (a number)',
						},
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://files.example.com/folder/125/Invoices',
				extractValue: { type: 'regex', regex: FOLDER_URL_REGEX },
				validation: [
					{
						type: 'regex',
						properties: {
							regex: FOLDER_URL_REGEX,
							errorMessage: 'Enter the folder address the site shows, e.g. https://files.example.com/folder/125/Invoices',
						},
					},
				],
			},
			byPath,
		],
	};
}

export const FILE_ID_REGEX = '^\\s*[1-9]\\d*\\s*$';

/**
 * A file picker: From List (searchable across the account's folders, showing paths), By ID, or
 * By URL (the file's short link as the site shows it, e.g. https://files.example.com/2Vv).
 */
export function fileLocator(options: { name: string; displayName: string; description: string }): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a file…',
				typeOptions: { searchListMethod: 'searchFiles', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 1253',
				validation: [{ type: 'regex', properties: { regex: FILE_ID_REGEX, errorMessage: 'Enter a file ID (a number)' } }],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://files.example.com/2Vv',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^https?://.+/.+', errorMessage: 'Enter the link the site shows for the file' },
					},
				],
			},
		],
	};
}

export const visibilityOptions = [
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
