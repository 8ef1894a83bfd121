/**
 * The 18 endpoints of the File Upload Script API v2. Each handler gets the cleaned parameters
 * of one call and returns the answer's body (the server adds `_status` and `_datetime`), or
 * throws an ApiError whose message becomes the `response` of an error answer.
 *
 * Behaviour follows SERVER-FACTS.md and the script's own source (4.x and 5.x) where it is
 * known; the comments mark where the sandbox had to choose.
 */
import { renameSync, rmSync } from 'fs';

import { siteClock } from './clock';
import type { ReceivedUpload } from './forms';
import { cleanInput, HEX, humanSize, phpInt, phpTrim, randomString, sqlDateTime } from './php';
import type { Sessions } from './sessions';
import { extensionOf, mimeTypeFor, type Store } from './store';
import type { UrlUploads } from './url-upload';
import type { RuntimeSettings, SandboxFile, SandboxFolder, SandboxScheduledItem } from './types';

export const MESSAGES = {
	badLogin:
		'Could not authenticate user. The username and password may be invalid or your account may be locked from too many failed logins.',
	/** The script's words for a key pair it does not know (apiAuthorize, API-key mode). */
	badKeys:
		'Could not authenticate user. The key pair may be invalid or your account may be locked from too many failed logins.',
	/** The script's words (apiAuthorize), given at /authorize after the credentials were accepted. */
	apiRefused:
		'Your account level does not have access to the file upload API. Please contact site support for more information.',
	invalidToken:
		'Could not validate access_token and account_id, please reauthenticate or try again.',
	folderNotFound: 'Could not find folder based on folder_id.',
	fileNotFound: 'Could not find file based on file_id.',
	// Where the reference is silent, in the script's style:
	badAccessPassword:
		'The access_password param must be the MD5 hash of the password: 32 hexadecimal characters.',
	moveIntoItself: 'Could not move the folder into one of its own sub-folders.',
	scheduledItemNotFound: 'Could not find scheduled URL file download based on scheduled_item_id.',
} as const;

export class ApiError extends Error {}

export type ApiAnswer = Record<string, unknown>;

export interface Site {
	readonly store: Store;
	readonly sessions: Sessions;
	readonly urlUploads: UrlUploads;
	readonly settings: RuntimeSettings;
	readonly baseUrl: string;
}

export interface ApiCall {
	params: Record<string, string>;
	/** The account the token belongs to (set before handlers of token-checked endpoints run). */
	accountId: string;
	upload?: ReceivedUpload;
}

type Handler = (site: Site, call: ApiCall) => ApiAnswer;

interface EndpointClass {
	/** Every action but /authorize's needs a valid token, checked before the action is looked up. */
	checksToken: boolean;
	actions: (settings: RuntimeSettings) => Record<string, Handler>;
}

/** The script's endpoint classes: /api/v2/{class}[/{action}], action 'index' when omitted. */
export const ENDPOINT_CLASSES: Record<string, EndpointClass> = {
	authorize: { checksToken: false, actions: () => ({ index: authorize }) },
	disable_access_token: { checksToken: true, actions: () => ({ index: disableAccessToken }) },
	account: { checksToken: true, actions: () => ({ info: accountInfo, package: accountPackage }) },
	file: {
		checksToken: true,
		actions: (settings) => ({
			upload: fileUpload,
			download: fileDownload,
			info: fileInfo,
			edit: fileEdit,
			delete: fileDelete,
			move: fileMove,
			copy: fileCopy,
			// Only where the site has background URL downloading (the newer revision).
			...(settings.revision === 'newer'
				? { url_upload_add: urlUploadAdd, url_upload_status: urlUploadStatus }
				: {}),
		}),
	},
	folder: {
		checksToken: true,
		actions: () => ({
			create: folderCreate,
			listing: folderListing,
			info: folderInfo,
			edit: folderEdit,
			delete: folderDelete,
			move: folderMove,
		}),
	},
};

/** The name the log and faults use: 'authorize', 'folder/info'… */
export function endpointName(className: string, action: string): string {
	return action === 'index' ? className : `${className}/${action}`;
}

// Sessions

function authorize(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	const { store } = site;
	let account;
	if (site.settings.authMode === 'login') {
		if (!params.username) throw new ApiError('Please provide a username.');
		if (!params.password) throw new ApiError('Please provide a password.');
		// MySQL compares usernames without regard to case.
		const username = params.username.toLowerCase();
		account = store.state.accounts.find(
			(candidate) =>
				candidate.username.toLowerCase() === username && candidate.password === params.password,
		);
	} else {
		// strlen(): bytes, not characters.
		if (Buffer.byteLength(params.key1 ?? '') !== 64)
			throw new ApiError('Please provide key1. It must be 64 characters in length.');
		if (Buffer.byteLength(params.key2 ?? '') !== 64)
			throw new ApiError('Please provide key2. It must be 64 characters in length.');
		account = store.state.accounts.find(
			(candidate) => candidate.key1 === params.key1 && candidate.key2 === params.key2,
		);
	}
	if (!account || account.status !== 'active') {
		throw new ApiError(site.settings.authMode === 'login' ? MESSAGES.badLogin : MESSAGES.badKeys);
	}
	call.accountId = account.id;
	// The script checks the level only once the credentials were accepted, so a user of a
	// level without API access learns that (not "invalid credentials") at /authorize.
	if (!store.level(account)?.apiAccess) throw new ApiError(MESSAGES.apiRefused);
	return { data: { access_token: site.sessions.issue(account.id), account_id: account.id } };
}

function disableAccessToken(site: Site, call: ApiCall): ApiAnswer {
	site.sessions.remove(call.params.access_token, call.accountId);
	return { response: 'Token removed or no longer available.' };
}

// Account

function accountInfo(site: Site, call: ApiCall): ApiAnswer {
	const account = site.store.account(call.accountId);
	if (!account) throw new ApiError(MESSAGES.invalidToken);
	return {
		data: {
			id: account.id,
			username: account.username,
			level_id: account.level_id,
			email: account.email,
			lastlogindate: account.lastlogindate,
			lastloginip: account.lastloginip,
			status: account.status,
			title: account.title,
			firstname: account.firstname,
			lastname: account.lastname,
			languageId: account.languageId,
			datecreated: account.datecreated,
			lastPayment: account.lastPayment,
			paidExpiryDate: account.paidExpiryDate,
			storageLimitOverride: account.storageLimitOverride,
		},
	};
}

function accountPackage(site: Site, call: ApiCall): ApiAnswer {
	const account = site.store.account(call.accountId);
	const level = account && site.store.level(account);
	if (!level) throw new ApiError(MESSAGES.invalidToken);
	const limits = level.package;
	return {
		data: {
			id: level.id,
			label: level.label,
			max_upload_size: limits.max_upload_size,
			can_upload: limits.can_upload,
			wait_between_downloads: limits.wait_between_downloads,
			download_speed: limits.download_speed,
			max_storage_bytes: limits.max_storage_bytes,
			show_site_adverts: limits.show_site_adverts,
			show_upgrade_screen: limits.show_upgrade_screen,
			days_to_keep_inactive_files: limits.days_to_keep_inactive_files,
			concurrent_uploads: limits.concurrent_uploads,
			concurrent_downloads: limits.concurrent_downloads,
			downloads_per_24_hours: limits.downloads_per_24_hours,
			...(site.settings.revision === 'newer'
				? { download_size_per_24_hours: limits.download_size_per_24_hours }
				: {}),
			max_download_filesize_allowed: limits.max_download_filesize_allowed,
			max_remote_download_urls: limits.max_remote_download_urls,
			level_type: level.level_type,
			on_upgrade_page: limits.on_upgrade_page,
		},
	};
}

// Representations

/** The folder's address on the site: spaces and other awkward characters become "_". */
export function folderUrl(baseUrl: string, folder: SandboxFolder): string {
	const slug = folder.folderName.replace(/[^\p{L}\p{N}\-.]+/gu, '_');
	return `${baseUrl}/folder/${folder.id}/${encodeURIComponent(slug)}`;
}

function folderData(
	site: Site,
	folder: SandboxFolder,
	withPassword: boolean,
	filesOf = (id: string) => site.store.filesIn(folder.accountId, id),
): ApiAnswer {
	const files = filesOf(folder.id).filter((file) => file.status === 'active');
	return {
		id: folder.id,
		parentId: folder.parentId,
		folderName: folder.folderName,
		totalSize: String(files.reduce((sum, file) => sum + file.fileSize, 0)),
		isPublic: folder.isPublic,
		...(withPassword ? { accessPassword: folder.accessPassword } : {}),
		date_added: site.settings.fields === 'undated' ? null : folder.dateAdded,
		date_updated: site.settings.fields === 'undated' ? null : folder.dateUpdated,
		url_folder: folderUrl(site.baseUrl, folder),
		total_downloads: files.reduce((sum, file) => sum + file.downloads, 0),
		child_folder_count: site.store.childFolders(folder.accountId, folder.id).length,
		file_count: files.length,
	};
}

function fileListingData(site: Site, file: SandboxFile): ApiAnswer {
	return {
		id: file.id,
		filename: file.filename,
		shortUrl: file.shortUrl,
		fileType: file.fileType,
		extension: file.extension,
		fileSize: String(file.fileSize),
		status: file.status,
		downloads: String(file.downloads),
		folderId: file.folderId,
		keywords: file.keywords,
		url_file: `${site.baseUrl}/${file.shortUrl}`,
	};
}

/** Everything the script sends for a file in file/info and the answers built from it (edit, delete, move, copy). */
function fileData(site: Site, file: SandboxFile): ApiAnswer {
	const url = `${site.baseUrl}/${file.shortUrl}`;
	return {
		id: file.id,
		filename: file.filename,
		shortUrl: file.shortUrl,
		fileType: file.fileType,
		extension: file.extension,
		fileSize: String(file.fileSize),
		uploadedIP: file.uploadedIP,
		uploadedDate: file.uploadedDate,
		status: file.status,
		downloads: String(file.downloads),
		lastAccessed: file.lastAccessed,
		folderId: file.folderId,
		keywords: file.keywords,
		isPublic: file.isPublic,
		uploadSource: file.uploadSource,
		url_file: url,
		url_file_info: `${url}~i?${file.deleteHash}`,
		url_file_stats: `${url}~s`,
		url_file_delete: `${url}~d?${file.deleteHash}`,
	};
}

/**
 * A file as file/info, edit, delete, move and copy answer with it. With `fields` 'reference' or
 * 'undated', only what the reference's samples of those endpoints show (they end in "…").
 */
function fileAnswer(site: Site, file: SandboxFile, sampleAlsoShows: string[] = []): ApiAnswer {
	const data = fileData(site, file);
	if (site.settings.fields === 'full') return data;
	const shown = ['id', 'filename', 'shortUrl', ...sampleAlsoShows];
	return Object.fromEntries(Object.entries(data).filter(([key]) => shown.includes(key)));
}

/** MySQL's default collation orders without regard to case (one collator: localeCompare with options builds one per call). */
const COLLATION = new Intl.Collator('en', { sensitivity: 'base' });

function byName<T>(name: (item: T) => string, id: (item: T) => string) {
	return (a: T, b: T) => COLLATION.compare(name(a), name(b)) || Number(id(a)) - Number(id(b));
}

// Folders

function requireParam(params: Record<string, string>, name: string): string {
	const value = params[name];
	if (value === undefined || value.length === 0)
		throw new ApiError(`Please provide the ${name} param.`);
	return value;
}

function requireFolder(site: Site, call: ApiCall): SandboxFolder {
	const id = requireParam(call.params, 'folder_id');
	// Trashed folders are gone as far as the API is concerned: info, edit, delete, move and
	// listing all answer "not found" for them.
	const folder = site.store.activeFolder(call.accountId, phpInt(id));
	if (!folder) throw new ApiError(MESSAGES.folderNotFound);
	return folder;
}

/** Empty or "null" means the root (SERVER-FACTS: the same for file/move and folder/move). */
function isRoot(value: string): boolean {
	return value === '' || value.toLowerCase() === 'null';
}

function clampVisibility(value: string | undefined): string {
	const isPublic = phpInt(value);
	return String(isPublic < 0 || isPublic > 2 ? 0 : isPublic);
}

function folderCreate(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	const name = requireParam(params, 'folder_name');
	const parent = phpInt(params.parent_id);
	let accessPassword: string | null = null;
	const password = params.access_password ?? '';
	if (site.settings.scriptVersion === 5) {
		if (password !== '' && !/^[0-9a-f]{32}$/i.test(password))
			throw new ApiError(MESSAGES.badAccessPassword);
		accessPassword = password === '' ? null : password;
	} else {
		// 4.x drops a value that is not 32 characters long without a word.
		accessPassword = password.length === 32 ? password : null;
	}
	// Like the script, parent_id is stored without checking the folder exists.
	const folder = site.store.createFolder(call.accountId, {
		parentId: parent === 0 ? null : String(parent),
		folderName: phpTrim(name),
		isPublic: clampVisibility(params.is_public),
		accessPassword,
	});
	return { response: 'Folder successfully created.', data: folderData(site, folder, true) };
}

function folderListing(site: Site, call: ApiCall): ApiAnswer {
	const parent = phpInt(call.params.parent_folder_id);
	let parentId: string | null = null;
	if (parent > 0) {
		const folder = site.store.activeFolder(call.accountId, parent);
		if (!folder) throw new ApiError(MESSAGES.folderNotFound);
		parentId = folder.id;
	}
	const folders = site.store.childFolders(call.accountId, parentId).sort(
		byName(
			(f) => f.folderName,
			(f) => f.id,
		),
	);
	// the files of this folder and of each folder listed, in one pass over the account's files
	const filesOf = site.store.filesInEach(call.accountId, [
		parentId,
		...folders.map((folder) => folder.id),
	]);
	// 5.x lists trashed files too (status "trash"); 4.x only active ones.
	const files = filesOf(parentId)
		.filter((file) => site.settings.scriptVersion === 5 || file.status === 'active')
		.sort(
			byName(
				(f) => f.filename,
				(f) => f.id,
			),
		);
	return {
		data: {
			folders: folders.map((folder) =>
				folderData(site, folder, site.settings.listingPasswords, filesOf),
			),
			files: files.map((file) => fileListingData(site, file)),
		},
	};
}

function folderInfo(site: Site, call: ApiCall): ApiAnswer {
	return { data: folderData(site, requireFolder(site, call), true) };
}

function folderEdit(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	const folder = requireFolder(site, call);
	if (params.folder_name) folder.folderName = phpTrim(params.folder_name);
	if (params.parent_id) {
		if (isRoot(params.parent_id)) {
			folder.parentId = null;
		} else {
			// An unknown parent is ignored, as by the script. So is one inside the folder itself,
			// which the script would accept and so lose the folder.
			const parent = site.store.destinationFolder(call.accountId, params.parent_id);
			if (parent && !site.store.isWithin(parent.id, folder.id)) folder.parentId = parent.id;
		}
	}
	if (params.is_public) folder.isPublic = clampVisibility(params.is_public);
	if (params.access_password) {
		// Stored as given: only folder/create insists on an MD5 hash.
		folder.accessPassword =
			params.access_password.toLowerCase() === 'null' ? null : params.access_password;
	}
	return { response: 'Folder successfully updated.', data: folderData(site, folder, true) };
}

function folderDelete(site: Site, call: ApiCall): ApiAnswer {
	site.store.trashFolder(requireFolder(site, call));
	return { response: 'Folder successfully set as deleted.' };
}

function folderMove(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	const folderId = requireParam(params, 'folder_id');
	const target = params.new_parent_folder_id;
	if (target === undefined) throw new ApiError('Please provide the new_parent_folder_id param.');
	if (folderId === target)
		throw new ApiError('Param folder_id can not match new_parent_folder_id.');
	let destination: SandboxFolder | undefined;
	if (!isRoot(target)) {
		destination = site.store.destinationFolder(call.accountId, target);
		if (!destination)
			throw new ApiError(
				'Could not find the destination folder id defined by new_parent_folder_id.',
			);
	}
	const folder = requireFolder(site, call);
	if (destination && site.store.isWithin(destination.id, folder.id))
		throw new ApiError(MESSAGES.moveIntoItself);
	folder.parentId = destination?.id ?? null;
	return { response: 'Folder successfully moved.', data: folderData(site, folder, true) };
}

// Files

/** Any file of the account, trashed ones included (file/info shows those). */
function findFile(site: Site, call: ApiCall): SandboxFile {
	const id = requireParam(call.params, 'file_id');
	const file = site.store.fileById(call.accountId, phpInt(id));
	if (!file) throw new ApiError(MESSAGES.fileNotFound);
	return file;
}

/** An active file: what download, edit, delete, move and copy act on. */
function findActiveFile(site: Site, call: ApiCall): SandboxFile {
	const file = findFile(site, call);
	if (file.status !== 'active') throw new ApiError(MESSAGES.fileNotFound);
	return file;
}

function fileInfo(site: Site, call: ApiCall): ApiAnswer {
	return { data: fileAnswer(site, findFile(site, call)) };
}

function fileDownload(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	let file: SandboxFile | undefined;
	if (site.settings.revision === 'newer' && !params.file_id && params.short_url) {
		// Also accept the whole short url as url_file gives it.
		const shortUrl = params.short_url.replace(/^https?:\/\/[^/]+\//i, '').split(/[/?#~]/)[0];
		file = site.store.state.files.find(
			(candidate) => candidate.accountId === call.accountId && candidate.shortUrl === shortUrl,
		);
		if (!file || file.status !== 'active') throw new ApiError(MESSAGES.fileNotFound);
	} else {
		file = findActiveFile(site, call);
	}
	const token = randomString(64, HEX);
	site.store.state.downloadTokens.push({
		token,
		fileId: file.id,
		expiresAt: siteClock.now() + 24 * 3600 * 1000,
	});
	return {
		data: {
			// The script echoes the file_id it was sent.
			file_id: params.file_id || file.id,
			filename: file.filename,
			download_url: `${site.baseUrl}/${file.shortUrl}?download_token=${token}`,
		},
	};
}

function fileEdit(site: Site, call: ApiCall): ApiAnswer {
	const { params } = call;
	const file = findActiveFile(site, call);
	if (params.filename) {
		file.filename = phpTrim(params.filename);
		file.extension = extensionOf(file.filename);
	}
	if (params.folder_id) {
		if (isRoot(params.folder_id)) {
			file.folderId = null;
		} else {
			// A folder the account does not have is ignored, as by the script.
			const folder = site.store.destinationFolder(call.accountId, params.folder_id);
			if (folder) file.folderId = folder.id;
		}
	}
	if (params.fileType) file.fileType = params.fileType;
	return { response: 'File successfully updated.', data: fileAnswer(site, file) };
}

function fileDelete(site: Site, call: ApiCall): ApiAnswer {
	const file = findActiveFile(site, call);
	file.status = 'trash';
	return {
		response: 'File successfully set as deleted.',
		data: fileAnswer(site, file, ['status']),
	};
}

/** Where file/move and file/copy put the file: the root for empty or "null" (see isRoot). */
function destinationOf(
	site: Site,
	call: ApiCall,
	param: 'new_parent_folder_id' | 'copy_to_folder_id',
): string | null {
	const value = call.params[param];
	if (value === undefined) throw new ApiError(`Please provide the ${param} param.`);
	if (isRoot(value)) return null;
	const folder = site.store.destinationFolder(call.accountId, value);
	if (!folder) throw new ApiError(`Could not find the destination folder id defined by ${param}.`);
	return folder.id;
}

function fileMove(site: Site, call: ApiCall): ApiAnswer {
	const file = findActiveFile(site, call);
	file.folderId = destinationOf(site, call, 'new_parent_folder_id');
	return { response: 'File successfully moved.', data: fileAnswer(site, file) };
}

function fileCopy(site: Site, call: ApiCall): ApiAnswer {
	const file = findActiveFile(site, call);
	const folderId = destinationOf(site, call, 'copy_to_folder_id');
	const original = { data: fileAnswer(site, file) };
	const copy = site.store.duplicateFile(file, folderId);
	// The script's own spelling.
	return {
		response: 'File successfully copyied.',
		original_file: original,
		new_file: { data: fileAnswer(site, copy) },
	};
}

function fileUpload(site: Site, call: ApiCall): ApiAnswer {
	const upload = call.upload;
	call.upload = undefined;
	if (!upload) throw new ApiError('Did not receive uploaded file.');
	const discard = () => rmSync(upload.path, { force: true });
	// PHP refused the part (over upload_max_filesize, cut short, no file name): no file for the script.
	if (upload.error !== 0) {
		discard();
		throw new ApiError('Did not receive uploaded file.');
	}
	if (upload.size === 0) {
		discard();
		throw new ApiError('Filesize received was zero.');
	}
	const limit = site.store.maxUploadSize(call.accountId);
	if (upload.tooLarge || (limit > 0 && upload.size > limit)) {
		discard();
		// The script relays its uploader's refusal prefixed with the uploader's address; the
		// uploader's exact words are not known, these say what happened.
		throw new ApiError(
			`Error on: ${site.baseUrl}/api_upload_handler. The file is too large. Maximum upload size is ${humanSize(limit)}.`,
		);
	}
	// The uploader files into the folder when the account has it, else into the root.
	const folderId = phpInt(call.params.folder_id);
	const folder = folderId > 0 ? site.store.activeFolder(call.accountId, folderId) : undefined;
	const storagePath = site.store.newStoragePath();
	try {
		renameSync(upload.path, storagePath);
	} catch {
		// The storage was reset while the file was arriving.
		throw new ApiError('Did not receive uploaded file.');
	}
	// PHP's upload handling has already dropped any path (up to the last "/" or "\\"); the
	// script then cleans the name like every input.
	const filename = cleanInput(upload.filename);
	const file = site.store.createFile(call.accountId, {
		folderId: folder?.id ?? null,
		filename,
		storagePath,
		size: upload.size,
		md5: upload.md5,
		fileType:
			upload.mimeType && upload.mimeType !== 'application/octet-stream'
				? upload.mimeType
				: mimeTypeFor(filename),
		uploadSource: 'api',
	});
	const url = `${site.baseUrl}/${file.shortUrl}`;
	const siteName = site.store.state.site.name;
	return {
		response: 'File uploaded',
		data: [
			{
				name: file.filename,
				size: String(file.fileSize),
				// The script re-posts the file to its uploader without a type, so this is always
				// application/octet-stream; the stored fileType is the real one.
				type: 'application/octet-stream',
				error: null,
				url,
				delete_url: `${url}~d?${file.deleteHash}`,
				info_url: `${url}~i?${file.deleteHash}`,
				delete_type: 'DELETE',
				delete_hash: file.deleteHash,
				hash: file.md5,
				stats_url: `${url}~s`,
				short_url: file.shortUrl,
				file_id: file.id,
				unique_hash: file.uniqueHash,
				url_html: `<a href="${url}" target="_blank" title="View image on ${siteName}">view ${file.filename} on ${siteName}</a>`,
				url_bbcode: `[url]${url}[/url]`,
			},
		],
	};
}

/** The URL in file_url_base64, or undefined when it is not base64 of an http(s) URL. */
function decodeUrlParam(value: string): string | undefined {
	const compact = value.replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
	const bytes = Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	const text = bytes.toString('utf8');
	if (!Buffer.from(text, 'utf8').equals(bytes)) return undefined;
	try {
		const url = new URL(text.trim());
		return url.protocol === 'http:' || url.protocol === 'https:' ? text.trim() : undefined;
	} catch {
		return undefined;
	}
}

function urlUploadAdd(site: Site, call: ApiCall): ApiAnswer {
	const encoded = requireParam(call.params, 'file_url_base64');
	const url = decodeUrlParam(encoded);
	if (!url)
		throw new ApiError(
			"Could not parse the file_url_base64 parameter. Ensure it's base64 encoded.",
		);
	const folderId = phpInt(call.params.folder_id);
	const folder = folderId > 0 ? site.store.activeFolder(call.accountId, folderId) : undefined;
	const item: SandboxScheduledItem = {
		id: site.store.nextScheduledItemId(),
		accountId: call.accountId,
		url,
		folderId: folder?.id ?? null,
		status: 'pending',
		created: sqlDateTime(),
		started: null,
		finished: null,
		totalSize: 0,
		fileId: null,
		failure: null,
	};
	site.store.state.scheduledItems.push(item);
	site.urlUploads.schedule(item, {
		delayMs: site.settings.urlUploadDelayMs,
		timeoutMs: site.settings.urlUploadTimeoutMs,
	});
	return {
		response: 'File download from URL scheduled',
		data: { scheduled_item_id: item.id, url },
	};
}

function urlUploadStatus(site: Site, call: ApiCall): ApiAnswer {
	const id = phpInt(requireParam(call.params, 'scheduled_item_id'));
	const item = site.store.state.scheduledItems.find(
		(candidate) => candidate.id === id && candidate.accountId === call.accountId,
	);
	if (!item) throw new ApiError(MESSAGES.scheduledItemNotFound);
	const file =
		item.fileId === null
			? undefined
			: site.store.state.files.find((candidate) => candidate.id === item.fileId);
	return {
		response: 'Scheduled URL file download found',
		data: {
			scheduled_item_id: item.id,
			status: item.status,
			created: item.created,
			started: item.started,
			finished: item.finished,
			total_size: item.totalSize,
			downloaded_file: file
				? {
						file_id: Number(file.id),
						name: file.filename,
						size: file.fileSize,
						url: `${site.baseUrl}/${file.shortUrl}/${encodeURIComponent(file.filename)}`,
					}
				: null,
		},
	};
}
