/**
 * Pure unit tests of the trigger's change events: the packed state (fingerprints.ts) and the
 * comparison of two polls (changes.ts). No server.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	fileChanges,
	fileMark,
	folderChanges,
	folderMark,
} from '../../nodes/YetiShareTrigger/changes';
import {
	hash32,
	packFiles,
	packFolders,
	unpackFiles,
	unpackFolders,
	type FileMark,
} from '../../nodes/YetiShareTrigger/fingerprints';

const file = (id: number, fields: IDataObject = {}): IDataObject => ({
	id: String(id),
	filename: `f${id}.txt`,
	fileType: 'text/plain',
	fileSize: '10',
	status: 'active',
	folderId: '7',
	...fields,
});
const marks = (...entries: IDataObject[]) =>
	new Map(entries.map((entry) => [Number(entry.id), fileMark(entry)]));
const listed = (...entries: IDataObject[]) =>
	new Map(entries.map((entry) => [Number(entry.id), entry]));

describe('the packed state', () => {
	it('gives back every file as it was packed: folders, the trash bit, sizes, hashes', () => {
		const files = new Map<number, FileMark>([
			[5, { folderId: 0, trashed: false, size: 0, nameHash: 0, typeHash: 0 }],
			[9, { folderId: 0, trashed: true, size: undefined, nameHash: 0xffffffff, typeHash: 0xffff }],
			[2 ** 40, { folderId: 3, trashed: false, size: 2 ** 45 + 7, nameHash: 1, typeHash: 2 }],
			[12, { folderId: 2 ** 33, trashed: true, size: 1, nameHash: 123456789, typeHash: 4321 }],
		]);
		expect(unpackFiles(packFiles(files))).toEqual(files);
		expect(unpackFiles(packFiles(new Map()))).toEqual(new Map());
		expect(unpackFiles('')).toEqual(new Map());
	});

	it('costs about 11 bytes a file of 100 KB in a folder of a thousand', () => {
		const files = new Map<number, FileMark>();
		for (let id = 100_000; id < 101_000; id++) {
			files.set(id, {
				folderId: 4000,
				trashed: false,
				size: 100_000,
				nameHash: hash32(`n${id}`),
				typeHash: 1,
			});
		}
		const bytes = packFiles(files).length;
		expect(bytes / 1000).toBeGreaterThan(10);
		expect(bytes / 1000).toBeLessThan(16);
	});

	it('refuses a state it cannot read rather than taking it for an empty one', () => {
		expect(() => unpackFiles('2:AAAA')).toThrow(/format this version does not read/);
		expect(() => unpackFiles(packFiles(marks(file(1), file(2))).slice(0, -4))).toThrow();
	});

	it('keeps folders whole', () => {
		const folders = new Map([
			[3, { name: 'A', parentId: 0, isPublic: '1' }],
			[1, { name: 'B "quoted"', parentId: 3, isPublic: '0' }],
		]);
		expect(unpackFolders(JSON.parse(JSON.stringify(packFolders(folders))))).toEqual(folders);
	});

	it('hashes names by their UTF-8 bytes (FNV-1a)', () => {
		expect(hash32('')).toBe(0x811c9dc5);
		expect(hash32('a')).toBe(0xe40c292c);
		expect(hash32('é')).not.toBe(hash32('e'));
	});
});

describe('comparing two polls', () => {
	it('names each field that changed, with what it was where the state keeps it', () => {
		const before = marks(file(1), file(2), file(3), file(4, { status: 'trash' }));
		const now = listed(
			file(1, { filename: 'renamed.txt' }),
			file(2, { folderId: null }),
			file(3, { fileSize: '99', fileType: 'image/png' }),
			file(4),
		);
		expect(fileChanges(before, 4, now)).toEqual([
			{
				id: 1,
				entry: now.get(1),
				kinds: ['renamed'],
				fields: { filename: { after: 'renamed.txt' } },
				changed: true,
			},
			{
				id: 2,
				entry: now.get(2),
				kinds: ['moved'],
				fields: { folderId: { before: '7', after: null } },
				changed: true,
			},
			{
				id: 3,
				entry: now.get(3),
				kinds: ['replaced'],
				fields: { fileSize: { before: '10', after: '99' }, fileType: { after: 'image/png' } },
				changed: true,
			},
			{
				id: 4,
				entry: now.get(4),
				kinds: ['restored'],
				fields: { status: { before: 'trash', after: 'active' } },
				changed: true,
			},
		]);
	});

	it('a file trashed, one gone, one entered, one new: only the new one is no change', () => {
		const before = marks(file(1), file(2));
		const now = listed(file(1, { status: 'trash' }), file(3), file(9));
		const changes = fileChanges(before, 5, now);
		expect(changes.map(({ id, kinds, changed }) => [id, kinds, changed])).toEqual([
			[1, ['trashed'], false],
			[2, ['gone'], false],
			[3, ['entered'], true],
		]);
		expect(changes[1].entry).toEqual({ id: '2', folderId: '7' });
	});

	it('nothing changed, nothing reported; a file already in the trash stays quiet', () => {
		const entries = [file(1), file(2, { status: 'trash' })];
		expect(fileChanges(marks(...entries), 2, listed(...entries))).toEqual([]);
		expect(fileChanges(marks(...entries), 2, listed(entries[0]))).toEqual([]);
	});

	it('folders: renamed, moved, privacy, entered and gone, with what they were', () => {
		const folder = (id: number, fields: IDataObject = {}): IDataObject => ({
			id: String(id),
			folderName: `F${id}`,
			parentId: '1',
			isPublic: '1',
			...fields,
		});
		const before = new Map([2, 3, 4].map((id) => [id, folderMark(folder(id))]));
		const now = listed(
			folder(2, { folderName: 'Two', isPublic: '0' }),
			folder(3, { parentId: null }),
			folder(5),
			folder(8),
		);
		expect(
			folderChanges(before, 6, now).map(({ id, kinds, fields }) => [id, kinds, fields]),
		).toEqual([
			[
				2,
				['renamed', 'privacy'],
				{ folderName: { before: 'F2', after: 'Two' }, isPublic: { before: '1', after: '0' } },
			],
			[3, ['moved'], { parentId: { before: '1', after: null } }],
			[4, ['gone'], {}],
			[5, ['entered'], {}],
		]);
	});
});
