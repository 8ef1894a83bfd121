import type {
	IDataObject,
	IExecuteFunctions,
	INodeParameterResourceLocator,
	IPollFunctions,
} from 'n8n-workflow';

import { apiRequest, settle } from '../transport';
import { remember, TREE } from '../execution/cache';
import { FOLDER_URL_REGEX, ROOT_FOLDER } from './descriptions';
import { cachedListing, createFolder, forgetListing, isTrashed } from './listing';
import { walkTree } from './tree';
import { oneAtATime } from '../execution/parallel';
import { isSiteId, parameterError, requireName } from './utils';

export interface LocatorParameter {
	name: string;
	displayName: string;
	allowRoot?: boolean;
}

const HOW_TO_PICK =
	'Pick the folder from the list, enter its ID (a number), ' +
	'paste its address (…/folder/<id>/<name>), or give its path (Invoices/2026/March).';

/** Where a picker is read: an action node's item, or a trigger's poll (which has no items). */
export type LocatorContext = IExecuteFunctions | IPollFunctions;

function readLocator(ctx: LocatorContext, itemIndex: number, name: string) {
	const raw = (
		'getInputData' in ctx
			? ctx.getNodeParameter(name, itemIndex, '')
			: ctx.getNodeParameter(name, '')
	) as INodeParameterResourceLocator | string | number;
	const locator = typeof raw === 'object' && raw !== null ? raw : { mode: 'id', value: raw };
	return { mode: String(locator.mode), value: String(locator.value ?? '').trim() };
}

/**
 * The folder id a folder picker holds, checked: a positive number as the API expects, or ''
 * for the root folder where the operation allows it. Accepts the picker's value as well as a
 * plain id, URL or path produced by an expression. A path is looked up (once per execution)
 * and, with `createMissing`, its missing folders are created. `offersCreateMissing` says the
 * operation has a "Create Missing Folders" option: only then does a path not found suggest it.
 */
export async function resolveFolderId(
	ctx: LocatorContext,
	itemIndex: number,
	parameter: LocatorParameter,
	options: { createMissing?: boolean; offersCreateMissing?: boolean } = {},
): Promise<string> {
	const { mode, value } = readLocator(ctx, itemIndex, parameter.name);
	const fail = (problem: string) =>
		parameterError(ctx, itemIndex, parameter.displayName, problem, HOW_TO_PICK);

	if (mode === 'path') {
		return await folderIdByPath(ctx, itemIndex, parameter, value, {
			createMissing: options.createMissing === true,
			offersCreateMissing: options.offersCreateMissing === true,
		});
	}

	let id = value;
	if (mode === 'url' || /^https?:\/\//i.test(value)) {
		const match = new RegExp(FOLDER_URL_REGEX, 'i').exec(value);
		if (!match) throw fail(`is not a folder address: ${JSON.stringify(value)}`);
		id = match[1];
	}
	if (id === '') throw fail('is empty');
	if (id.toLowerCase() === ROOT_FOLDER || id === '0') {
		if (parameter.allowRoot) return '';
		throw fail('is the root folder, which this operation cannot use: choose a folder');
	}
	if (!isSiteId(id)) throw fail(`is not a folder ID: ${JSON.stringify(value)} is not a number`);
	return id;
}

async function subfolders(
	ctx: LocatorContext,
	parentId: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	return (await cachedListing(ctx, parentId, itemIndex)).folders.filter(
		(folder) => !isTrashed(folder),
	);
}

async function folderIdByPath(
	ctx: LocatorContext,
	itemIndex: number,
	parameter: LocatorParameter,
	path: string,
	{ createMissing, offersCreateMissing }: { createMissing: boolean; offersCreateMissing: boolean },
): Promise<string> {
	const fail = (problem: string, description?: string) =>
		parameterError(ctx, itemIndex, parameter.displayName, problem, description ?? HOW_TO_PICK);
	const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
	if (trimmed === '') {
		if (parameter.allowRoot && path !== '') return '';
		throw fail(
			path === ''
				? 'is an empty path'
				: 'is the root folder, which this operation cannot use: choose a folder',
		);
	}
	const segments = trimmed.split('/').map((segment) => segment.trim());
	if (segments.some((segment) => segment === '')) {
		throw fail(
			`has an empty folder name in its path ${JSON.stringify(path)}`,
			'Write the path as folder names separated by single slashes, e.g. Invoices/2026/March.',
		);
	}

	let parentId = '';
	let walked = '';
	for (const segment of segments) {
		const here = walked === '' ? 'the top level' : `"${walked}"`;
		const parent = parentId;
		const look = async () => {
			const found = (await subfolders(ctx, parent, itemIndex)).filter(
				(folder) => folder.folderName === segment,
			);
			if (found.length > 1) {
				throw fail(
					`is ambiguous: ${here} holds ${found.length} folders named "${segment}" (IDs ${found.map((folder) => folder.id).join(', ')})`,
					'Choose the folder by ID or from the list instead.',
				);
			}
			return found.length === 1 ? String(found[0].id) : undefined;
		};
		let id = await look();
		if (id === undefined && createMissing) {
			// Items in flight missing the same folder make it once: the first creates it, the
			// others look again after it (the parent's listing is read afresh after a create).
			const name = requireName(ctx, itemIndex, parameter.displayName, segment);
			id = await oneAtATime(ctx, `path:${parent}/${name}`, async () => {
				const made = await look();
				if (made !== undefined) return made;
				// (after a failed create, createOnce has forgotten the listing already)
				const created = await createFolder(
					ctx,
					{ folder_name: name, parent_id: parent },
					{ itemIndex },
					parameter.displayName,
				);
				forgetListing(ctx, parent);
				return String(created.id);
			});
		}
		if (id === undefined) {
			throw fail(
				`was not found: ${here} has no folder named "${segment}"`,
				offersCreateMissing
					? 'Check the spelling (names are case-sensitive), or turn on "Create Missing Folders".'
					: 'Check the spelling (names are case-sensitive).',
			);
		}
		parentId = id;
		walked = walked === '' ? segment : `${walked}/${segment}`;
	}
	return parentId;
}

/** The short link's code in a file URL: `https://host/2Vv`, `https://host/2Vv/name.pdf`, `…/2Vv~i`. */
function shortUrlOf(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	const parts = parsed.pathname.split('/').filter((part) => part !== '');
	if (parts.length === 0) return undefined;
	const last = parts[parts.length - 1];
	const candidate = parts.length > 1 && last.includes('.') ? parts[parts.length - 2] : last;
	const code = candidate.replace(/~[a-z]$/i, '');
	return /^[A-Za-z0-9]+$/.test(code) ? code : undefined;
}

interface FileReference {
	/** The numeric file id, when known. */
	fileId?: string;
	/** The short link's code, when the user gave a URL. */
	shortUrl?: string;
}

/** What a file picker holds, checked: a file id, or a short URL to resolve. */
function readFileLocator(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: LocatorParameter,
): FileReference {
	const { mode, value } = readLocator(ctx, itemIndex, parameter.name);
	const fail = (problem: string) =>
		parameterError(
			ctx,
			itemIndex,
			parameter.displayName,
			problem,
			'Pick the file from the list, enter its ID (a number), or paste its short link (e.g. https://files.example.com/2Vv).',
		);
	if (value === '') throw fail('is empty');
	if (mode === 'url' || /^https?:\/\//i.test(value)) {
		const shortUrl = shortUrlOf(value);
		if (!shortUrl) throw fail(`is not a file link: ${JSON.stringify(value)}`);
		return { shortUrl };
	}
	if (!isSiteId(value)) throw fail(`is not a file ID: ${JSON.stringify(value)} is not a number`);
	return { fileId: value };
}

/**
 * The file a picker holds: its numeric id and, when finding it already produced one, a download
 * link. A short link is turned into an id with `file/download` by `short_url` (newer sites, which
 * answer with the id and a link); older sites do not take `short_url`, so there the account's
 * folders are searched for the link (once per execution).
 */
export async function resolveFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: LocatorParameter,
): Promise<{ fileId: string; link?: IDataObject }> {
	const reference = readFileLocator(ctx, itemIndex, parameter);
	if (reference.fileId) return { fileId: reference.fileId };
	const shortUrl = reference.shortUrl!;
	const byShortUrl = await settle(
		ctx,
		async () => await apiRequest.call(ctx, 'file/download', { short_url: shortUrl }, { itemIndex }),
		itemIndex,
	);
	if (byShortUrl.ok) {
		const link = byShortUrl.value.data as IDataObject | undefined;
		if (link?.file_id !== undefined && link.file_id !== null && String(link.file_id) !== '') {
			return { fileId: String(link.file_id), link };
		}
	} else {
		const { problem, parameter: field } = byShortUrl.failure;
		// A newer site looked the link up and has no such file of this account (searching the
		// account's folders could not find it either): say so after one call.
		if (problem === 'fileNotFound') throw noSuchLink(ctx, itemIndex, parameter, shortUrl);
		// An older site takes no short_url ("Please provide the file_id param."): search. Any other
		// failure is the answer.
		if (!(problem === 'parameterMissing' && field === 'file_id')) throw byShortUrl.error;
	}
	const index = await remember(
		ctx,
		`${TREE}shortUrls`,
		async () => await indexShortUrls(ctx, itemIndex),
	);
	const fileId = index.get(shortUrl);
	if (!fileId) throw noSuchLink(ctx, itemIndex, parameter, shortUrl);
	return { fileId };
}

function noSuchLink(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: LocatorParameter,
	shortUrl: string,
) {
	return parameterError(
		ctx,
		itemIndex,
		parameter.displayName,
		`links to no file of this account (short link "${shortUrl}")`,
	);
}

export async function resolveFileId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: LocatorParameter,
): Promise<string> {
	return (await resolveFile(ctx, itemIndex, parameter)).fileId;
}

async function indexShortUrls(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<Map<string, string>> {
	const index = new Map<string, string>();
	await walkTree(
		ctx,
		[{ id: '', path: '' }],
		({ files }) => {
			for (const file of files) index.set(String(file.shortUrl), String(file.id));
		},
		{ itemIndex },
	);
	return index;
}
