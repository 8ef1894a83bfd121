/**
 * Bad input, one table: each case runs three items (good, bad, good) with Continue On Fail.
 * The bad item's error names the parameter and the item; the good ones succeed; there is one
 * output per input, in order, each paired with its input; where the node refuses the value itself,
 * nothing is sent for the bad item.
 */
import { describe, expect, it } from '@jest/globals';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { useWorld, type World } from './setup';

const FROM_ITEM = '={{ $json.v }}';
const byId = { __rl: true, mode: 'id', value: FROM_ITEM };
const byUrl = { __rl: true, mode: 'url', value: FROM_ITEM };
const byPath = { __rl: true, mode: 'path', value: FROM_ITEM };
const root = { __rl: true, mode: 'id', value: 'root' };

interface Case {
	/** What is wrong, as the test's name. */
	what: string;
	parameters: INodeParameters;
	/** The value of `$json.v` for the good items (a function of the sandbox's address when it needs one). */
	good: unknown | ((world: World) => unknown);
	bad: unknown;
	/** What the bad item's error must say; "[item 1]" is checked for every case. */
	message: RegExp;
	/** Upload cases: the items carry a file (the bad one too, unless `badHasNoFile`). */
	file?: boolean;
	badHasNoFile?: boolean;
	/** What the bad item's error description must say, and what it must not. */
	hint?: RegExp;
	noHint?: RegExp;
	/** The bad item is refused before anything is sent: the run calls this endpoint this often, for the good items only. */
	sent?: [endpoint: string, calls: number];
}

const getFolder = { resource: 'folder', operation: 'get' };
const getFile = { resource: 'file', operation: 'get' };
const upload = {
	resource: 'file',
	operation: 'upload',
	parentFolder: root,
	binaryPropertyName: 'data',
};
const createFolder = {
	resource: 'folder',
	operation: 'create',
	parentFolder: root,
	folderName: FROM_ITEM,
};
const urlUpload = {
	resource: 'file',
	operation: 'uploadFromUrl',
	parentFolder: root,
	url: FROM_ITEM,
	waitForCompletion: false,
};
const long = 'x'.repeat(300);
const infoForGoodOnly: Case['sent'] = ['folder/info', 2];
const createForGoodOnly: Case['sent'] = ['folder/create', 2];

const CASES: Case[] = [
	// folders, by ID
	{
		what: 'folder ID empty',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: '',
		message: /Parameter "Folder" is empty/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder ID not a number',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: 'abc',
		message: /Parameter "Folder" is not a folder ID: "abc" is not a number/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder ID negative',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: '-4',
		message: /Parameter "Folder" is not a folder ID/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder ID a fraction',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: '1.5',
		message: /Parameter "Folder" is not a folder ID/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder ID an object from an expression',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: { id: 123 },
		message: /Parameter "Folder"/,
		sent: infoForGoodOnly,
	},
	{
		what: 'the root where a folder is needed',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: 'root',
		message: /Parameter "Folder" is the root folder/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder ID that does not exist',
		parameters: { ...getFolder, folderId: byId },
		good: '123',
		bad: '987654',
		message: /Could not find folder based on folder_id\. \(parameter "Folder": "987654"\)/,
	},
	// folders, by URL and path
	{
		what: 'folder URL of a file',
		parameters: { ...getFolder, folderId: byUrl },
		good: (w: World) => `${w.sandbox.baseUrl}/folder/123/Invoices`,
		bad: 'https://example.com/file/12',
		message: /Parameter "Folder" is not a folder address/,
		sent: infoForGoodOnly,
	},
	{
		what: 'folder URL not a URL',
		parameters: { ...getFolder, folderId: byUrl },
		good: (w: World) => `${w.sandbox.baseUrl}/folder/123/Invoices`,
		bad: 'folder 123',
		message: /Parameter "Folder"/,
	},
	{
		what: 'folder path with an empty segment',
		parameters: { ...getFolder, folderId: byPath },
		good: 'Invoices/2026',
		bad: 'Invoices//2026',
		message: /Parameter "Folder".*empty/,
	},
	// "Create Missing Folders" is suggested only where the operation has that option (File → Upload)
	{
		what: 'folder path that does not exist, in Folder → Get (no Create Missing Folders to suggest)',
		parameters: { ...getFolder, folderId: byPath },
		good: 'Invoices/2026',
		bad: 'Invoices/1999',
		message: /Parameter "Folder" was not found: "Invoices" has no folder named "1999"/,
		hint: /Check the spelling/,
		noHint: /Create Missing Folders/,
	},
	{
		what: 'folder path that does not exist, in File → Search (no Create Missing Folders to suggest)',
		parameters: {
			resource: 'file',
			operation: 'search',
			parentFolder: byPath,
			name: 'summary',
			returnAll: true,
		},
		good: 'Invoices',
		bad: 'Nowhere',
		message: /Parameter "Parent Folder" was not found: the top level has no folder named "Nowhere"/,
		hint: /Check the spelling/,
		noHint: /Create Missing Folders/,
	},
	{
		what: 'folder path that does not exist, in File → Upload (suggests Create Missing Folders)',
		parameters: { ...upload, parentFolder: byPath },
		good: 'Invoices/2026',
		bad: 'Invoices/1999',
		file: true,
		message: /Parameter "Parent Folder" was not found: "Invoices" has no folder named "1999"/,
		hint: /turn on "Create Missing Folders"/,
	},
	{
		what: 'destination path with an empty segment',
		parameters: {
			resource: 'file',
			operation: 'copy',
			fileId: { __rl: true, mode: 'id', value: '1161' },
			destinationFolder: byPath,
		},
		good: 'Invoices',
		bad: 'Invoices//2026',
		message: /Parameter "Parent Folder"/,
	},
	// creates into a folder the account does not have: refused before anything is sent (the site
	// would file an upload into the root, and make a folder under a parent no one sees)
	{
		what: 'upload into a folder that does not exist',
		parameters: { ...upload, parentFolder: byId },
		good: '123',
		bad: '987654',
		file: true,
		message: /Parameter "Parent Folder" is folder 987654, which this account does not have/,
	},
	{
		what: 'folder created under a parent that does not exist',
		parameters: { ...createFolder, folderName: 'Fine', parentFolder: byId },
		good: '123',
		bad: '987654',
		message: /Parameter "Parent Folder" is folder 987654, which this account does not have/,
	},
	{
		what: 'copy into a folder that does not exist',
		parameters: {
			resource: 'file',
			operation: 'copy',
			fileId: { __rl: true, mode: 'id', value: '1161' },
			destinationFolder: byId,
		},
		good: '123',
		bad: '987654',
		message: /Parameter "Parent Folder" is folder 987654, which this account does not have/,
	},
	// folder names
	{
		what: 'folder name empty',
		parameters: createFolder,
		good: 'Fine',
		bad: '',
		message: /Parameter "Folder Name" is empty: enter a name/,
		sent: createForGoodOnly,
	},
	{
		what: 'folder name only spaces',
		parameters: createFolder,
		good: 'Fine',
		bad: '   ',
		message: /Parameter "Folder Name" is empty/,
		sent: createForGoodOnly,
	},
	{
		what: 'folder name with an HTML tag',
		parameters: createFolder,
		good: 'Fine',
		bad: 'Report <b>final</b>',
		message:
			/Parameter "Folder Name" contains "<" not followed by a space \("Report <b>final<\/b>"\): the site would not store the name as written/,
		sent: createForGoodOnly,
	},
	{
		what: 'folder name with "<" before a digit (strip_tags eats the rest)',
		parameters: createFolder,
		good: 'I < 3 cats',
		bad: 'I <3 cats',
		message:
			/Parameter "Folder Name" contains "<" not followed by a space \("I <3 cats"\): the site would not store the name as written/,
		sent: createForGoodOnly,
	},
	{
		what: 'new folder name with a tag',
		parameters: {
			resource: 'folder',
			operation: 'update',
			folderId: { __rl: true, mode: 'id', value: '128' },
			updateFields: { folderName: FROM_ITEM },
		},
		good: 'Team',
		bad: '<i>Team</i>',
		message: /Parameter "Folder Name" contains "<" not followed by a space/,
	},
	{
		what: 'missing folder to create with a tag in its path',
		parameters: { ...upload, parentFolder: byPath, options: { createMissingFolders: true } },
		good: 'Invoices/New',
		bad: 'Invoices/<b>New',
		file: true,
		message: /Parameter "Parent Folder" contains "<" not followed by a space \("<b>New"\)/,
	},
	{
		what: 'folder name too long',
		parameters: createFolder,
		good: 'Fine',
		bad: long,
		message: /Parameter "Folder Name" is 300 characters long: the site keeps at most 255/,
		sent: createForGoodOnly,
	},
	{
		what: 'folder name an object',
		parameters: createFolder,
		good: 'Fine',
		bad: { name: 'x' },
		message: /Parameter "Folder Name" is not text/,
		sent: createForGoodOnly,
	},
	// limits
	{
		what: 'limit 0',
		parameters: {
			resource: 'folder',
			operation: 'getMany',
			parentFolder: root,
			returnAll: false,
			limit: FROM_ITEM,
		},
		good: 1,
		bad: 0,
		message: /Parameter "Limit" must be a whole number of at least 1 \(got 0\)/,
	},
	{
		what: 'limit negative',
		parameters: {
			resource: 'folder',
			operation: 'getMany',
			parentFolder: root,
			returnAll: false,
			limit: FROM_ITEM,
		},
		good: 1,
		bad: -3,
		message: /Parameter "Limit" must be a whole number of at least 1/,
	},
	{
		what: 'limit a fraction',
		parameters: {
			resource: 'folder',
			operation: 'getMany',
			parentFolder: root,
			returnAll: false,
			limit: FROM_ITEM,
		},
		good: 1,
		bad: 2.5,
		message: /Parameter "Limit"/,
	},
	// files, by ID and short link
	{
		what: 'file ID not a number',
		parameters: { ...getFile, fileId: byId },
		good: '1161',
		bad: 'abc',
		message: /Parameter "File" is not a file ID: "abc" is not a number/,
	},
	{
		what: 'file ID empty',
		parameters: { ...getFile, fileId: byId },
		good: '1161',
		bad: '',
		message: /Parameter "File" is empty/,
	},
	{
		what: 'file ID that does not exist',
		parameters: { ...getFile, fileId: byId },
		good: '1161',
		bad: '999999',
		message: /Could not find file based on file_id\. \(parameter "File": "999999"\)/,
	},
	{
		what: 'file link not a URL',
		parameters: { ...getFile, fileId: byUrl },
		good: (w: World) => `${w.sandbox.baseUrl}/2U1`,
		bad: 'see 2U1',
		message: /Parameter "File"/,
	},
	{
		what: 'file link with no short code',
		parameters: { ...getFile, fileId: byUrl },
		good: (w: World) => `${w.sandbox.baseUrl}/2U1`,
		bad: 'https://example.com/',
		message: /Parameter "File"/,
	},
	// uploads
	{
		what: 'upload without a file',
		parameters: upload,
		good: 'x',
		bad: 'x',
		file: true,
		badHasNoFile: true,
		message: /Parameter "Input Binary Field".*"data"/,
	},
	{
		what: 'upload from a binary field that is not there',
		parameters: { ...upload, binaryPropertyName: '={{ $json.v }}' },
		good: 'data',
		bad: 'attachment',
		file: true,
		message: /Parameter "Input Binary Field".*"attachment"/,
	},
	{
		what: 'upload file name with a tag',
		parameters: { ...upload, options: { fileName: FROM_ITEM } },
		good: 'ok.txt',
		bad: '<script>x</script>.txt',
		file: true,
		message: /Parameter "File Name" contains "<"/,
	},
	{
		what: 'upload file name with a path',
		parameters: { ...upload, options: { fileName: FROM_ITEM } },
		good: 'ok.txt',
		bad: 'reports/2026/q1.pdf',
		file: true,
		message: /Parameter "File Name" contains "\/" or "\\" \("reports\/2026\/q1.pdf"\)/,
	},
	{
		what: 'upload file name with a backslash',
		parameters: { ...upload, options: { fileName: FROM_ITEM } },
		good: 'ok.txt',
		bad: 'C:\\temp\\q1.pdf',
		file: true,
		message: /Parameter "File Name" contains "\/" or "\\"/,
	},
	{
		what: 'upload file name with a quote',
		parameters: { ...upload, options: { fileName: FROM_ITEM } },
		good: "it's.txt",
		bad: 'say "hi".txt',
		file: true,
		message: /Parameter "File Name" contains quotes or line breaks/,
	},
	{
		what: 'new file name with a tag',
		parameters: {
			resource: 'file',
			operation: 'update',
			fileId: { __rl: true, mode: 'id', value: '1161' },
			updateFields: { fileName: FROM_ITEM },
		},
		good: 'read me.txt',
		bad: 'read<me>.txt',
		message: /Parameter "File Name" contains "<" not followed by a space/,
	},
	{
		what: 'upload file name too long',
		parameters: { ...upload, options: { fileName: FROM_ITEM } },
		good: 'ok.txt',
		bad: `${long}.txt`,
		file: true,
		message: /Parameter "File Name" is 304 characters long/,
	},
	{
		what: 'download into an empty field name',
		parameters: {
			resource: 'file',
			operation: 'download',
			fileId: { __rl: true, mode: 'id', value: '1161' },
			binaryPropertyName: FROM_ITEM,
		},
		good: 'data',
		bad: '',
		message: /Parameter "Put Output File in Field" is empty/,
	},
	// URL uploads
	{
		what: 'URL empty',
		parameters: urlUpload,
		good: 'https://example.com/a.pdf',
		bad: '',
		message: /Parameter "URL" must be an http:\/\/ or https:\/\/ address/,
	},
	{
		what: 'URL with another scheme',
		parameters: urlUpload,
		good: 'https://example.com/a.pdf',
		bad: 'ftp://example.com/a.pdf',
		message: /Parameter "URL" must be an http:\/\/ or https:\/\/ address/,
	},
	{
		what: 'URL that is not one',
		parameters: urlUpload,
		good: 'https://example.com/a.pdf',
		bad: 'example dot com',
		message: /Parameter "URL"/,
	},
	{
		what: 'file ID zero',
		parameters: { ...getFile, fileId: byId },
		good: '1161',
		bad: '0',
		message: /Parameter "File" is not a file ID/,
	},
	// renames keep unicode, and refuse what would change
	{
		what: 'new file name empty',
		parameters: {
			resource: 'file',
			operation: 'update',
			fileId: { __rl: true, mode: 'id', value: '1161' },
			updateFields: { fileName: FROM_ITEM },
		},
		good: 'Résumé 履歴書 ✓.txt',
		bad: ' ',
		message: /Parameter "File Name" is empty/,
	},
];

describe('bad input: an error naming the parameter and the item, and every other item done', () => {
	const world = useWorld({});

	it.each(CASES.map((entry) => [entry.what, entry] as const))('%s', async (_what, entry) => {
		const good =
			typeof entry.good === 'function' ? (entry.good as (w: World) => unknown)(world) : entry.good;
		const values = [good, entry.bad, good];
		const input: INodeExecutionData[] = [];
		for (const [index, v] of values.entries()) {
			const item: INodeExecutionData =
				entry.file && !(index === 1 && entry.badHasNoFile)
					? await world.engine.binaryItem(Buffer.from(`file ${index}`), {
							fileName: `f${index}.txt`,
							mimeType: 'text/plain',
						})
					: { json: {} };
			input.push({ ...item, json: { v } as IDataObject });
		}
		const run = await world.run(entry.parameters, { items: input, continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(3);
		expect(run.json[1].error).toMatch(entry.message);
		expect(run.json[1].error).toMatch(/\[item 1\]$/);
		if (entry.hint) expect(run.json[1].errorDescription).toMatch(entry.hint);
		if (entry.noHint) expect(run.json[1].errorDescription).not.toMatch(entry.noHint);
		if (entry.sent) expect(world.sandbox.count(entry.sent[0])).toBe(entry.sent[1]);
		expect(run.json[0].error ?? null).toBeNull();
		expect(run.json[2].error ?? null).toBeNull();
		expect(run.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 1, 2]);
	});
});
