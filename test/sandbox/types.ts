/**
 * The sandbox's public types: its options, the fixture it is seeded from, the state tests read
 * and arrange, the request log and the faults tests can inject.
 */
import type { UploadError } from './forms';

/** 4.x and 5.x differ in the error envelope's key and in whether listings show trashed files. */
export type ScriptVersion = 4 | 5;

/**
 * The two published revisions of the reference: `newer` has URL uploads and `file/download` by
 * `short_url`, and its `account/package` reports `download_size_per_24_hours`.
 */
export type Revision = 'newer' | 'older';

/** What the site's admin chose for `/authorize`: API keys (the default) or account login. */
export type AuthMode = 'keys' | 'login';

/** See `SandboxOptions.fields`. */
export type FieldSet = 'full' | 'reference' | 'undated';

export interface SandboxOptions {
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default 0: any free port. */
	port?: number;
	/** Default 5. */
	scriptVersion?: ScriptVersion;
	/** Default 'newer'. */
	revision?: Revision;
	/** Default 'keys'. */
	authMode?: AuthMode;
	/** A token dies after this long unused. Default 3600, as on a real site. */
	tokenIdleSeconds?: number;
	/** A path to a fixture JSON file, or the fixture itself. Default: fixture.json beside this file. */
	fixture?: string | SandboxFixture;
	/** Where uploaded bytes live. Default: a fresh temporary directory, removed by stop(). */
	storageDir?: string;
	/** How long a scheduled URL upload stays `pending` before it starts. Default 0. */
	urlUploadDelayMs?: number;
	/** A URL upload that has not finished after this long is `failed`. Default 30000. */
	urlUploadTimeoutMs?: number;
	/**
	 * Every request waits this long before the site handles it, as on a site some distance
	 * away (loopback answers in a millisecond, a real site in 20–200). Default 0.
	 */
	latencyMs?: number;
	/** Up to this much more, at random, per request. Default 0. */
	latencyJitterMs?: number;
	/**
	 * How many API calls the site works on at once, as a web server with a fixed pool of PHP
	 * workers does (PHP-FPM's default pool has 5); the others wait their turn after the network's
	 * delay. Default 0: any number at once, which no real site does.
	 */
	workers?: number;
	/** How long a worker spends on each API call before it answers (the script's own time). Default 0. */
	workMs?: number;
	/**
	 * File bytes (downloads, and the body of file/upload) pass at most this fast, shared by every
	 * transfer in the same direction, as over the site's link. Default 0: no cap.
	 */
	bandwidthBytesPerSecond?: number;
	/**
	 * Whether `folder/listing` shows each folder's `accessPassword` as `folder/info` does. The
	 * reference's listing sample has none (default false), but elides fields, so both are tested.
	 */
	listingPasswords?: boolean;
	/**
	 * How a missing endpoint answers. 'html' (default): HTTP 404 with Apache's "Not Found" page.
	 * 'script': what the script's own router answers (404 with a JSON string for an unknown
	 * endpoint; for an unknown action of a known endpoint, the token is checked first, then 404
	 * with `{"0":"No method found within endpoint (file): …","_status":"error",…}`).
	 */
	notFound?: 'html' | 'script';
	/**
	 * Which fields answers carry. 'full' (default): every field the script is known to send.
	 * 'reference': only what the reference's sample of each endpoint shows, where it shows less
	 * (file/info, edit, move and copy give `id`, `filename`, `shortUrl`; file/delete adds
	 * `status`): no file sizes or dates outside listings and uploads. 'undated': as 'reference',
	 * and every folder date is null (the reference's own folder/edit sample has `date_added: null`).
	 */
	fields?: FieldSet;
	/**
	 * Serve https with this key and certificate (PEM) instead of http. `'self-signed'`: the
	 * self-signed certificate for localhost and 127.0.0.1 in `tls/`, as on a site someone runs
	 * for themselves.
	 */
	tls?: 'self-signed' | { key: string | Buffer; cert: string | Buffer };
	/**
	 * PHP's post_max_size, in bytes: a POST body larger than this (by its Content-Length, or as it
	 * arrives without one) is dropped whole, as PHP does: no fields and no file reach the script,
	 * which then answers HTTP 200 "Please provide the access_token param.". Default 0: no limit
	 * (a urlencoded body over 8 MiB, PHP's stock limit, is dropped all the same).
	 */
	postMaxSize?: number;
	/**
	 * PHP's upload_max_filesize, in bytes: a larger file part arrives with PHP's `error` 1 and no
	 * bytes, the other fields intact; file/upload answers "Did not receive uploaded file.".
	 * Default 0: no limit.
	 */
	uploadMaxFilesize?: number;
	/**
	 * The web server's limit on a request body, in bytes (nginx's client_max_body_size, 1 MiB by
	 * default there): a larger body is answered 413 with nginx's page before the script sees
	 * anything, on every path. Default 0: no limit.
	 */
	bodyLimit?: number;
}

/** The options that can change while the server runs (see `configure`). */
export type RuntimeSettings = Required<
	Pick<
		SandboxOptions,
		| 'scriptVersion'
		| 'revision'
		| 'authMode'
		| 'tokenIdleSeconds'
		| 'urlUploadDelayMs'
		| 'urlUploadTimeoutMs'
		| 'notFound'
		| 'latencyMs'
		| 'latencyJitterMs'
		| 'workers'
		| 'workMs'
		| 'bandwidthBytesPerSecond'
		| 'fields'
		| 'listingPasswords'
		| 'postMaxSize'
		| 'uploadMaxFilesize'
		| 'bodyLimit'
	>
>;

/** An account package as `account/package` reports it: every limit is a string. */
export interface PackageLimits {
	max_upload_size: string;
	can_upload: string;
	wait_between_downloads: string;
	download_speed: string;
	max_storage_bytes: string;
	show_site_adverts: string;
	show_upgrade_screen: string;
	days_to_keep_inactive_files: string;
	concurrent_uploads: string;
	concurrent_downloads: string;
	downloads_per_24_hours: string;
	download_size_per_24_hours: string;
	max_download_filesize_allowed: string;
	max_remote_download_urls: string;
	on_upgrade_page: string;
}

export interface SandboxLevel {
	id: string;
	label: string;
	level_type: string;
	/** Whether the site's admin lets this level use the API (by default only admins may). */
	apiAccess: boolean;
	package: PackageLimits;
}

/** An account, with the fields `account/info` returns plus its credentials. */
export interface SandboxAccount {
	id: string;
	username: string;
	password: string;
	key1: string;
	key2: string;
	level_id: string;
	email: string;
	lastlogindate: string | null;
	lastloginip: string | null;
	status: string;
	title: string | null;
	firstname: string | null;
	lastname: string | null;
	languageId: string | null;
	datecreated: string | null;
	lastPayment: string | null;
	paidExpiryDate: string | null;
	storageLimitOverride: string | null;
}

export interface FixtureFolder {
	id: string;
	accountId: string;
	parentId: string | null;
	folderName: string;
	/** '0' private, '1' unlisted, '2' public. */
	isPublic?: string;
	accessPassword?: string | null;
	date_added?: string | null;
	date_updated?: string | null;
	status?: 'active' | 'trash';
}

export interface FixtureFile {
	id: string;
	accountId: string;
	folderId: string | null;
	filename: string;
	shortUrl: string;
	fileType?: string;
	/** The file's bytes as UTF-8 text, or… */
	content?: string;
	/** …as base64. */
	contentBase64?: string;
	status?: 'active' | 'trash';
	downloads?: number;
	keywords?: string;
	uploadedDate: string;
	lastAccessed?: string | null;
	isPublic?: string;
}

export interface SandboxFixture {
	site: { name: string };
	demoAccountId: string;
	restrictedAccountId: string;
	levels: SandboxLevel[];
	accounts: SandboxAccount[];
	folders: FixtureFolder[];
	files: FixtureFile[];
	/** The first ids given to things created at run time. */
	nextIds: { folder: number; file: number; scheduledItem: number };
}

export interface SandboxFolder {
	id: string;
	accountId: string;
	parentId: string | null;
	folderName: string;
	isPublic: string;
	accessPassword: string | null;
	dateAdded: string | null;
	dateUpdated: string | null;
	status: 'active' | 'trash';
}

export interface SandboxFile {
	id: string;
	accountId: string;
	folderId: string | null;
	filename: string;
	shortUrl: string;
	fileType: string;
	extension: string;
	fileSize: number;
	/** MD5 of the bytes, hex: the upload answer's `hash`. */
	md5: string;
	status: 'active' | 'trash';
	downloads: number;
	keywords: string;
	uploadedDate: string;
	uploadedIP: string;
	lastAccessed: string | null;
	isPublic: string;
	uploadSource: string;
	deleteHash: string;
	uniqueHash: string;
	/** Absolute path of the bytes on disk; copies share it. */
	storagePath: string;
}

export interface SandboxToken {
	accessToken: string;
	accountId: string;
	createdAt: number;
	lastUsedAt: number;
}

export interface SandboxDownloadToken {
	token: string;
	fileId: string;
	expiresAt: number;
}

export type ScheduledItemStatus =
	| 'pending'
	| 'downloading'
	| 'processing'
	| 'complete'
	| 'failed'
	| 'cancelled';

export interface SandboxScheduledItem {
	id: number;
	accountId: string;
	url: string;
	folderId: string | null;
	status: ScheduledItemStatus;
	created: string;
	started: string | null;
	finished: string | null;
	totalSize: number;
	fileId: string | null;
	/** Why it failed; the API does not say, tests may. */
	failure: string | null;
}

export interface SandboxState {
	site: { name: string };
	levels: SandboxLevel[];
	accounts: SandboxAccount[];
	folders: SandboxFolder[];
	files: SandboxFile[];
	tokens: SandboxToken[];
	downloadTokens: SandboxDownloadToken[];
	scheduledItems: SandboxScheduledItem[];
}

/**
 * How a request ended: an API success or application error (both HTTP 200), any other HTTP
 * status, a connection closed without an answer, or (fault `hang`) no answer at all.
 */
export type SandboxOutcome = 'success' | 'error' | 'http-error' | 'closed' | 'hung';

export interface SandboxLogEntry {
	/** Arrival time, ms since the epoch. */
	at: number;
	/** When a worker took an API call (see `workers`), ms since the epoch. */
	servedAt?: number;
	/** When the answer was sent in full or the connection closed, ms since the epoch; unset while open. */
	endedAt?: number;
	method: string;
	/** The raw request path, query included. */
	path: string;
	/** 'folder/listing', 'authorize', …; null for what is not the API (downloads, pages). */
	endpoint: string | null;
	kind: 'api' | 'download' | 'page';
	/** The form fields (or GET query) after trim(strip_tags()), token fields included. */
	params: Record<string, string>;
	status: number;
	outcome: SandboxOutcome;
	/** The `response` text of the answer, or a short reason for other outcomes. */
	message?: string;
	/** The account the request acted for, once known. */
	accountId?: string;
	/**
	 * The `upload_file` part of a file/upload, as PHP received it; `error` when PHP refused it
	 * (1: over upload_max_filesize; its size is then 0).
	 */
	upload?: { filename: string; size: number; error?: UploadError };
}

export interface FaultMatch {
	/** An API endpoint ('folder/info'), or 'download' for file downloads. Omitted: any API endpoint. */
	endpoint?: string;
	/** How many matching requests it affects. Default 1. */
	times?: number;
	/** Only every n-th matching request meets it (a flaky proxy), the others pass. Default 1. */
	every?: number;
	/** The first this many matching requests pass untouched before it starts. Default 0. */
	after?: number;
}

/**
 * `afterSite`: the site handles the request (a file is stored, a folder made) and only then is its
 * answer lost to the fault, as when a proxy times out on a slow PHP call. Without it the request
 * never reaches the site.
 */
export type SandboxFault =
	/** An answer from a proxy or firewall: 429, 401, 5xx… with a small HTML page (or `body`). */
	| {
			status: number;
			retryAfter?: string;
			body?: string;
			afterSite?: boolean;
			/**
			 * The proxy answers at once (nginx's 504 when fastcgi_read_timeout passed) while the script
			 * behind it goes on and acts this many ms later.
			 */
			actsAfterMs?: number;
	  }
	/** The connection is destroyed without an answer (connection reset). */
	| { close: true; afterSite?: boolean }
	/** The request is accepted and never answered. */
	| { hang: true; afterSite?: boolean }
	/**
	 * A slow site: the request is handled and answered as usual, but only after this many ms. With
	 * `afterSite` (API calls), the site acts at once and its answer waits: a proxy that gives up
	 * meanwhile (nginx's 504) leaves the call done.
	 */
	| { slowMs: number; afterSite?: boolean }
	/** HTTP 200 with an HTML page: a parked domain or a login wall, not the API. */
	| { html: true }
	/**
	 * Downloads: headers with the full Content-Length, then this many bytes, then the connection
	 * is destroyed. Uploads: the connection is destroyed after this many bytes of the body.
	 */
	| { cutAfterBytes: number };

export interface AddFolderInput {
	name: string;
	parentId?: string | number | null;
	isPublic?: number | string;
	/** Stored as given: pass an MD5 hex like the API expects. */
	accessPassword?: string | null;
}

export interface AddFileInput {
	name: string;
	folderId?: string | number | null;
	content: Buffer | string;
	mimeType?: string;
	status?: 'active' | 'trash';
}

export interface DemoAccount {
	id: string;
	username: string;
	password: string;
	key1: string;
	key2: string;
}

export interface RestrictedAccount extends DemoAccount {
	/** The site's refusal at /authorize for this account's level, word for word. */
	apiRefusal: string;
}
