/**
 * The site's data: accounts, folders, files and tokens in memory, file bytes on disk. It knows
 * nothing about HTTP; the API handlers and the test helpers both go through it.
 */
import { createHash, randomBytes } from 'crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { extname, join } from 'path';

import { HEX, isCanonicalId, randomString, sqlDateTime } from './php';
import type {
	AddFileInput,
	AddFolderInput,
	FixtureFile,
	SandboxAccount,
	SandboxFile,
	SandboxFixture,
	SandboxFolder,
	SandboxLevel,
	SandboxState,
} from './types';

export const DEFAULT_FIXTURE = join(__dirname, 'fixture.json');

export function loadFixture(source: string | SandboxFixture = DEFAULT_FIXTURE): SandboxFixture {
	const fixture =
		typeof source === 'string'
			? (JSON.parse(readFileSync(source, 'utf8')) as SandboxFixture)
			: source;
	// A deep copy: the run mutates its state, the fixture must stay as loaded for the next reset.
	return JSON.parse(JSON.stringify(fixture)) as SandboxFixture;
}

/** The few types the script's estimateMimeTypeFromExtension() would give for the fixture and tests. */
const MIME_TYPES: Record<string, string> = {
	txt: 'text/plain',
	md: 'text/markdown',
	csv: 'text/csv',
	html: 'text/html',
	json: 'application/json',
	xml: 'application/xml',
	pdf: 'application/pdf',
	zip: 'application/zip',
	gz: 'application/gzip',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	svg: 'image/svg+xml',
	mp3: 'audio/mpeg',
	mp4: 'video/mp4',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function mimeTypeFor(filename: string): string {
	return MIME_TYPES[extensionOf(filename)] ?? 'application/octet-stream';
}

/**
 * The script keeps the text after the last "." in lower case (file/edit does exactly this, so a
 * name without a dot gets the whole name as its extension).
 */
export function extensionOf(filename: string): string {
	const parts = filename.split('.');
	return parts[parts.length - 1].toLowerCase();
}

/** Short urls that would shadow the site's own paths. */
const RESERVED_PATHS = new Set([
	'api',
	'folder',
	'account',
	'admin',
	'index',
	'login',
	'register',
	'favicon.ico',
]);

export class Store {
	state: SandboxState = emptyState();
	/** Bumped by every reseed, so work begun before a reset cannot write into the new state. */
	generation = 0;
	private nextFolderId = 1;
	private nextFileId = 1;
	private nextScheduledId = 1;

	constructor(
		private fixture: SandboxFixture,
		readonly filesDir: string,
	) {}

	setFixture(fixture: SandboxFixture) {
		this.fixture = fixture;
	}

	get demoAccountId() {
		return this.fixture.demoAccountId;
	}

	get restrictedAccountId() {
		return this.fixture.restrictedAccountId;
	}

	/** Back to the fixture: state rebuilt, stored bytes rewritten, uploads of the run deleted. */
	reseed(): void {
		const fixture = loadFixture(this.fixture);
		this.generation++;
		rmSync(this.filesDir, { recursive: true, force: true });
		mkdirSync(this.filesDir, { recursive: true });
		this.nextFolderId = fixture.nextIds.folder;
		this.nextFileId = fixture.nextIds.file;
		this.nextScheduledId = fixture.nextIds.scheduledItem;
		this.state = emptyState();
		this.state.site = { ...fixture.site };
		this.state.levels = fixture.levels;
		this.state.accounts = fixture.accounts;
		this.state.folders = fixture.folders.map((folder) => ({
			id: String(folder.id),
			accountId: String(folder.accountId),
			parentId: folder.parentId === null ? null : String(folder.parentId),
			folderName: folder.folderName,
			isPublic: String(folder.isPublic ?? '0'),
			accessPassword: folder.accessPassword ?? null,
			dateAdded: folder.date_added ?? null,
			dateUpdated: folder.date_updated ?? null,
			status: folder.status ?? 'active',
		}));
		this.state.files = fixture.files.map((file) => this.seedFile(file));
	}

	private seedFile(file: FixtureFile): SandboxFile {
		const bytes =
			file.contentBase64 !== undefined
				? Buffer.from(file.contentBase64, 'base64')
				: Buffer.from(file.content ?? '', 'utf8');
		const storagePath = join(this.filesDir, `fixture-${file.id}.bin`);
		writeFileSync(storagePath, bytes);
		return {
			id: String(file.id),
			accountId: String(file.accountId),
			folderId: file.folderId === null ? null : String(file.folderId),
			filename: file.filename,
			shortUrl: file.shortUrl,
			fileType: file.fileType ?? mimeTypeFor(file.filename),
			extension: extensionOf(file.filename),
			fileSize: bytes.length,
			md5: createHash('md5').update(bytes).digest('hex'),
			status: file.status ?? 'active',
			downloads: file.downloads ?? 0,
			keywords: file.keywords ?? keywordsFor(file.filename),
			uploadedDate: file.uploadedDate,
			uploadedIP: '127.0.0.1',
			lastAccessed: file.lastAccessed ?? null,
			isPublic: file.isPublic ?? '1',
			uploadSource: 'direct',
			deleteHash: randomString(32, HEX),
			uniqueHash: randomString(64, HEX),
			storagePath,
		};
	}

	account(id: string | undefined): SandboxAccount | undefined {
		return this.state.accounts.find((account) => account.id === id);
	}

	level(account: SandboxAccount): SandboxLevel | undefined {
		return this.state.levels.find((level) => level.id === account.level_id);
	}

	/** The account's upload limit in bytes; 0 means none. */
	maxUploadSize(accountId: string): number {
		const account = this.account(accountId);
		const level = account && this.level(account);
		const limit = Number(level?.package.max_upload_size ?? 0);
		return Number.isFinite(limit) && limit > 0 ? limit : 0;
	}

	/** A folder of this account by numeric id, trashed or not (the script's ownership check). */
	folderById(accountId: string, id: number): SandboxFolder | undefined {
		if (id <= 0) return undefined;
		return this.state.folders.find(
			(folder) => folder.accountId === accountId && Number(folder.id) === id,
		);
	}

	/** A live folder of this account by numeric id: what the API can see. */
	activeFolder(accountId: string, id: number): SandboxFolder | undefined {
		const folder = this.folderById(accountId, id);
		return folder?.status === 'active' ? folder : undefined;
	}

	/**
	 * A live folder of this account as a destination: the script looks the id up as a key of
	 * the account's active folders, so only a canonical "123" finds folder 123 (not "0123").
	 */
	destinationFolder(accountId: string, value: string): SandboxFolder | undefined {
		if (!isCanonicalId(value)) return undefined;
		return this.activeFolder(accountId, Number(value));
	}

	fileById(accountId: string, id: number): SandboxFile | undefined {
		if (id <= 0) return undefined;
		return this.state.files.find((file) => file.accountId === accountId && Number(file.id) === id);
	}

	fileByShortUrl(shortUrl: string): SandboxFile | undefined {
		return this.state.files.find((file) => file.shortUrl === shortUrl);
	}

	childFolders(accountId: string, parentId: string | null): SandboxFolder[] {
		return this.state.folders.filter(
			(folder) =>
				folder.accountId === accountId &&
				folder.parentId === parentId &&
				folder.status === 'active',
		);
	}

	filesIn(accountId: string, folderId: string | null): SandboxFile[] {
		return this.state.files.filter(
			(file) => file.accountId === accountId && file.folderId === folderId,
		);
	}

	/** `filesIn` for several folders at once, in one pass over the files (a listing describes every child folder). */
	filesInEach(
		accountId: string,
		folderIds: Array<string | null>,
	): (folderId: string | null) => SandboxFile[] {
		const byFolder = new Map<string | null, SandboxFile[]>(folderIds.map((id) => [id, []]));
		for (const file of this.state.files) {
			if (file.accountId === accountId) byFolder.get(file.folderId)?.push(file);
		}
		return (folderId) => byFolder.get(folderId) ?? this.filesIn(accountId, folderId);
	}

	/** True when `folderId` is `ancestorId` or lies somewhere below it. */
	isWithin(folderId: string | null, ancestorId: string): boolean {
		const seen = new Set<string>();
		let current = folderId;
		while (current !== null && !seen.has(current)) {
			if (current === ancestorId) return true;
			seen.add(current);
			current = this.state.folders.find((folder) => folder.id === current)?.parentId ?? null;
		}
		return false;
	}

	/** Deleting a folder moves it and everything below it to the trash. */
	trashFolder(folder: SandboxFolder): void {
		for (const candidate of this.state.folders) {
			if (candidate.accountId === folder.accountId && this.isWithin(candidate.id, folder.id))
				candidate.status = 'trash';
		}
		for (const file of this.state.files) {
			if (
				file.accountId === folder.accountId &&
				file.folderId !== null &&
				this.isWithin(file.folderId, folder.id)
			)
				file.status = 'trash';
		}
	}

	createFolder(
		accountId: string,
		fields: Omit<SandboxFolder, 'id' | 'accountId' | 'status' | 'dateAdded' | 'dateUpdated'>,
	): SandboxFolder {
		const folder: SandboxFolder = {
			id: String(this.nextFolderId++),
			accountId,
			status: 'active',
			dateAdded: sqlDateTime(),
			dateUpdated: null,
			...fields,
		};
		this.state.folders.push(folder);
		return folder;
	}

	/** Records bytes already on disk (under filesDir) as a new file of the account. */
	createFile(
		accountId: string,
		fields: {
			folderId: string | null;
			filename: string;
			storagePath: string;
			size: number;
			md5: string;
			fileType?: string;
			uploadSource: string;
		},
	): SandboxFile {
		const file: SandboxFile = {
			id: String(this.nextFileId++),
			accountId,
			folderId: fields.folderId,
			filename: fields.filename,
			shortUrl: this.newShortUrl(),
			fileType: fields.fileType ?? mimeTypeFor(fields.filename),
			extension: extensionOf(fields.filename),
			fileSize: fields.size,
			md5: fields.md5,
			status: 'active',
			downloads: 0,
			keywords: keywordsFor(fields.filename),
			uploadedDate: sqlDateTime(),
			uploadedIP: '127.0.0.1',
			lastAccessed: null,
			isPublic: '1',
			uploadSource: fields.uploadSource,
			deleteHash: randomString(32, HEX),
			uniqueHash: randomString(64, HEX),
			storagePath: fields.storagePath,
		};
		this.state.files.push(file);
		return file;
	}

	/** A copy shares the stored bytes: nothing ever changes them in place. */
	duplicateFile(file: SandboxFile, folderId: string | null): SandboxFile {
		const copy = this.createFile(file.accountId, {
			folderId,
			filename: file.filename,
			storagePath: file.storagePath,
			size: file.fileSize,
			md5: file.md5,
			fileType: file.fileType,
			uploadSource: file.uploadSource,
		});
		copy.keywords = file.keywords;
		return copy;
	}

	nextScheduledItemId(): number {
		return this.nextScheduledId++;
	}

	/** A fresh path under filesDir for bytes about to be written. */
	newStoragePath(suffix = '.bin'): string {
		return join(
			this.filesDir,
			`${Date.now().toString(36)}-${randomBytes(6).toString('hex')}${suffix}`,
		);
	}

	/** The short links in use, kept up to date as files are added (a big account adds 100,000). */
	private shortUrlsTaken?: { files: SandboxFile[]; counted: number; taken: Set<string> };

	private isShortUrlTaken(candidate: string): boolean {
		const files = this.state.files;
		if (this.shortUrlsTaken?.files !== files)
			this.shortUrlsTaken = { files, counted: 0, taken: new Set() };
		const index = this.shortUrlsTaken;
		for (; index.counted < files.length; index.counted++)
			index.taken.add(files[index.counted].shortUrl);
		return index.taken.has(candidate);
	}

	private newShortUrl(): string {
		for (let length = 3; ; length++) {
			for (let attempt = 0; attempt < 20; attempt++) {
				const candidate = randomString(length);
				if (!RESERVED_PATHS.has(candidate.toLowerCase()) && !this.isShortUrlTaken(candidate))
					return candidate;
			}
		}
	}

	// Helpers for tests arranging data.

	addFolder(accountId: string, input: AddFolderInput): SandboxFolder {
		this.requireAccount(accountId);
		const parentId =
			input.parentId === undefined || input.parentId === null || String(input.parentId) === ''
				? null
				: String(input.parentId);
		if (parentId !== null && !this.activeFolder(accountId, Number(parentId))) {
			throw new Error(`addFolder: account ${accountId} has no active folder ${parentId}`);
		}
		return this.createFolder(accountId, {
			parentId,
			folderName: input.name,
			isPublic: String(input.isPublic ?? 0),
			accessPassword: input.accessPassword ?? null,
		});
	}

	addFile(accountId: string, input: AddFileInput): SandboxFile {
		this.requireAccount(accountId);
		const folderId =
			input.folderId === undefined || input.folderId === null || String(input.folderId) === ''
				? null
				: String(input.folderId);
		if (folderId !== null && !this.folderById(accountId, Number(folderId))) {
			throw new Error(`addFile: account ${accountId} has no folder ${folderId}`);
		}
		const bytes =
			typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : input.content;
		const storagePath = this.newStoragePath(extname(input.name) ? '.bin' : '');
		writeFileSync(storagePath, bytes);
		const file = this.createFile(accountId, {
			folderId,
			filename: input.name,
			storagePath,
			size: bytes.length,
			md5: createHash('md5').update(bytes).digest('hex'),
			fileType: input.mimeType,
			uploadSource: 'direct',
		});
		if (input.status) file.status = input.status;
		return file;
	}

	/**
	 * A big account in one go, for benchmarks: `folders` folders `depth` levels deep under
	 * `parentId` (each level twice the one above it, every folder's parent on the level above), and
	 * `files` files spread evenly over them. The files share one small stored body, so a hundred
	 * thousand cost no disk. The same numbers always give the same tree.
	 */
	seedTree(
		accountId: string,
		size: { folders: number; depth: number; files: number; parentId?: string },
	): SandboxFolder[][] {
		this.requireAccount(accountId);
		const weights = Array.from({ length: size.depth }, (_, level) => 2 ** level);
		const total = weights.reduce((sum, weight) => sum + weight, 0);
		const counts = weights.map((weight) =>
			Math.max(1, Math.floor((size.folders * weight) / total)),
		);
		counts[counts.length - 1] += size.folders - counts.reduce((sum, count) => sum + count, 0);
		const levels: SandboxFolder[][] = [];
		for (const [level, count] of counts.entries()) {
			const above = levels[level - 1];
			levels.push(
				Array.from({ length: count }, (_, n) =>
					this.createFolder(accountId, {
						parentId: above ? above[n % above.length].id : (size.parentId ?? null),
						folderName: `Level ${level + 1} folder ${n + 1}`,
						isPublic: '0',
						accessPassword: null,
					}),
				),
			);
		}
		const body = Buffer.from('seeded file\n', 'utf8');
		const storagePath = this.newStoragePath('.bin');
		writeFileSync(storagePath, body);
		const md5 = createHash('md5').update(body).digest('hex');
		const all = levels.flat();
		for (let n = 0; n < size.files; n++) {
			this.createFile(accountId, {
				folderId: all[n % all.length].id,
				filename: `seeded-${n + 1}.txt`,
				storagePath,
				size: body.length,
				md5,
				uploadSource: 'direct',
			});
		}
		return levels;
	}

	private requireAccount(accountId: string) {
		if (!this.account(accountId)) throw new Error(`No account ${accountId} in the sandbox`);
	}
}

function emptyState(): SandboxState {
	return {
		site: { name: '' },
		levels: [],
		accounts: [],
		folders: [],
		files: [],
		tokens: [],
		downloadTokens: [],
		scheduledItems: [],
	};
}

/** The script fills `keywords` from the file name: "button_back.gif" → "button,back,gif". */
function keywordsFor(filename: string): string {
	return filename
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.filter((word) => word.length > 0)
		.join(',');
}
