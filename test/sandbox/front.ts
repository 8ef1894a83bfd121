/**
 * The sandbox behind real PHP and nginx (web-stack.ts): an API call that went through them
 * reaches the sandbox from front.php as one JSON request with what PHP parsed ($_GET, $_POST,
 * $_FILES['upload_file']), marked with the sandbox's secret. The sandbox takes its input from
 * there instead of parsing the body itself: PHP's limits and parsing are then PHP's own.
 */
import { createHash, randomBytes } from 'crypto';
import { copyFileSync, createReadStream, renameSync, rmSync, statSync } from 'fs';
import type { IncomingMessage } from 'http';

import { contentTypeOf, type FormResult, type ReceivedUpload } from './forms';

/** The header front.php (and nginx's proxy) sends the secret in. */
export const FRONT_HEADER = 'x-sandbox-front';
/** The body front.php sends: what PHP parsed, as JSON. */
export const FRONT_CONTENT_TYPE = 'application/x-sandbox-front+json';
/** Fields only (the file comes by path): more than this is not from front.php. */
const MAX_FRONT_BYTES = 64 * 1024 * 1024;

/** A secret per sandbox: nobody but the stack that was told it can hand the sandbox a parsed request. */
export function newFrontSecret(): string {
	return randomBytes(24).toString('hex');
}

/** Whether the request came through the stack that knows `secret` (the answers' links then use its address). */
export function throughFront(req: IncomingMessage, secret: string): boolean {
	return req.headers[FRONT_HEADER] === secret;
}

/** The address the client used, as nginx and front.php pass it on. */
export function clientBase(req: IncomingMessage): string | undefined {
	const host = req.headers['x-forwarded-host'];
	const proto = req.headers['x-forwarded-proto'];
	if (typeof host !== 'string' || !/^[A-Za-z0-9.\-[\]:]+$/.test(host)) return undefined;
	return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** Whether this is front.php handing on a parsed API call. */
export function isFrontCall(req: IncomingMessage, secret: string): boolean {
	return throughFront(req, secret) && contentTypeOf(req) === FRONT_CONTENT_TYPE;
}

/** `$_FILES['upload_file']` as PHP filled it. */
interface PhpUpload {
	name: string;
	type: string;
	tmp_name: string;
	/** UPLOAD_ERR_*: 0 OK, 1 over upload_max_filesize, 3 partial, 4 no file… */
	error: number;
	size: number;
}

interface FrontInput {
	get?: Record<string, unknown>;
	post?: Record<string, unknown>;
	upload_file?: PhpUpload | null;
}

export interface FrontOptions {
	/** Keep the `upload_file` (file/upload); other calls leave it to PHP to delete. */
	captureUpload: boolean;
	/** A fresh path for the upload's bytes. */
	newPath: () => string;
}

/**
 * Reads front.php's JSON: the fields the script would see (the query for GET, the form for POST,
 * none for other methods, as readForm does) and the upload. A file PHP refused (`error` ≠ 0)
 * is no upload at all, as for the script; an accepted one is moved out of PHP's hands now.
 */
export async function readFront(req: IncomingMessage, options: FrontOptions): Promise<FormResult> {
	const body = await readBody(req);
	if (body === undefined) return { kind: 'aborted' };
	let input: FrontInput;
	try {
		input = JSON.parse(body.toString('utf8')) as FrontInput;
	} catch {
		input = {};
	}
	const method = req.method ?? 'GET';
	const fields = strings(method === 'GET' ? input.get : method === 'POST' ? input.post : undefined);
	const php = input.upload_file;
	if (
		!options.captureUpload ||
		method !== 'POST' ||
		!php ||
		php.error !== 0 ||
		typeof php.tmp_name !== 'string' ||
		php.tmp_name === ''
	) {
		return { kind: 'form', fields };
	}
	return { kind: 'form', fields, upload: await takeUpload(php, options.newPath()) };
}

/** Flat string fields; PHP's arrays (`name[]=…`) are not something the script reads. */
function strings(values: Record<string, unknown> | undefined): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const [name, value] of Object.entries(values ?? {}))
		if (typeof value === 'string') fields[name] = value;
	return fields;
}

/** Moves PHP's temporary file to the sandbox's storage (copies it across file systems) and measures it. */
async function takeUpload(php: PhpUpload, path: string): Promise<ReceivedUpload> {
	try {
		renameSync(php.tmp_name, path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
		copyFileSync(php.tmp_name, path);
		rmSync(php.tmp_name, { force: true });
	}
	const hash = createHash('md5');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return {
		filename: php.name,
		mimeType: php.type,
		size: statSync(path).size,
		md5: hash.digest('hex'),
		path,
		// the account's limit is checked by file/upload on the whole size
		tooLarge: false,
		error: 0,
	};
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_FRONT_BYTES) req.socket.destroy();
			else chunks.push(chunk);
		});
		req.once('end', () => resolve(Buffer.concat(chunks)));
		req.once('close', () => {
			if (!req.complete) resolve(undefined);
		});
	});
}
