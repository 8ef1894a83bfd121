/**
 * Reading request bodies the way PHP fills $_POST and $_FILES: form fields only, with bounded
 * memory. The one file part a call can carry (`upload_file`) is streamed to disk as it arrives.
 * The size limits in front of the script are PHP's and the web server's own: PHP's post_max_size
 * and upload_max_filesize, and the web server's body limit (nginx's client_max_body_size).
 */
import busboy from 'busboy';
import { createHash } from 'crypto';
import { createWriteStream, rmSync } from 'fs';
import type { IncomingMessage } from 'http';
import { Transform, finished, pipeline, type Readable } from 'stream';

import { PartHeaders, phpFilename } from './part-headers';

/**
 * PHP's stock post_max_size (8M), and the most of a urlencoded body the sandbox holds in memory:
 * a larger one reaches the script with no fields, as under a stock PHP.
 */
export const MAX_URLENCODED_BYTES = 8 * 1024 * 1024;
/** A body the script takes nothing from is read and thrown away up to this much, then cut. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;
/** busboy's limit for a field's value here; a part PHP reads as a field is held up to this as well. */
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * PHP's `$_FILES[…]['error']`: 0 UPLOAD_ERR_OK, 1 UPLOAD_ERR_INI_SIZE (over upload_max_filesize),
 * 3 UPLOAD_ERR_PARTIAL (the part never ended), 4 UPLOAD_ERR_NO_FILE (an empty file name).
 */
export type UploadError = 0 | 1 | 3 | 4;

export interface ReceivedUpload {
	/** The client's file name, without any directory part (as PHP gives it). */
	filename: string;
	/** The part's Content-Type as the client sent it. */
	mimeType: string;
	/** Bytes received; 0 when `error` is not (PHP keeps none then). */
	size: number;
	md5: string;
	/** Where the bytes were written; whoever takes the upload must move or delete it. */
	path: string;
	/** More bytes arrived than the account may upload; the rest was not written. */
	tooLarge: boolean;
	/** PHP's error for the part: unless it is 0, PHP kept no bytes and the script has no file. */
	error: UploadError;
}

/** The request-size limits in front of the script, in bytes; 0: none. */
export interface SizeLimits {
	/** The web server's (nginx's client_max_body_size): it answers a larger body 413 itself. */
	bodyLimit: number;
	/** PHP's post_max_size: a larger body reaches the script with no fields and no files. */
	postMaxSize: number;
	/** PHP's upload_max_filesize: a larger file arrives with error 1 and no bytes. */
	uploadMaxFilesize: number;
}

export type FormResult =
	| { kind: 'form'; fields: Record<string, string>; upload?: ReceivedUpload }
	/** Over the web server's body limit: it answers 413 and PHP never runs. The rest of the body is unread. */
	| { kind: 'too-large' }
	| { kind: 'aborted' };

export interface FormOptions {
	/** Keep the `upload_file` part (file/upload); other calls throw file parts away. */
	captureUpload: boolean;
	/** A fresh path for the upload's bytes. */
	newPath: () => string;
	/**
	 * The account's upload limit (0: none), given the fields read so far: the token fields
	 * usually come before the file, so an oversize upload stops being written early.
	 */
	uploadLimit: (fields: Record<string, string>) => number;
	/** The site's link for file bytes: a file/upload body arrives through it. */
	throttle?: () => Transform;
	limits: SizeLimits;
}

export function contentTypeOf(req: IncomingMessage): string {
	return String(req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

/** Whether the body's Content-Length is over the web server's limit (0: none). */
export function exceedsBodyLimit(req: IncomingMessage, bodyLimit: number): boolean {
	return bodyLimit > 0 && (declaredLength(req) ?? 0) > bodyLimit;
}

/** Reads a POST body into form fields; any other kind of body (JSON…) yields no fields, like PHP. */
export async function readForm(req: IncomingMessage, options: FormOptions): Promise<FormResult> {
	const type = contentTypeOf(req);
	const { bodyLimit, postMaxSize } = options.limits;
	const urlencoded = type === 'application/x-www-form-urlencoded';
	const size = new BodySize(
		req,
		bodyLimit,
		urlencoded ? Math.min(postMaxSize || Infinity, MAX_URLENCODED_BYTES) : postMaxSize,
	);
	// Judged by its Content-Length before a byte is read, as the web server and PHP do.
	if (size.verdict === 'too-large') return { kind: 'too-large' };
	if (size.verdict === 'dropped') return await discard(req, size);
	if (urlencoded) return await readUrlencoded(req, size);
	if (type === 'multipart/form-data') return await readMultipart(req, options, size);
	return await discard(req, size);
}

/**
 * A body the script takes no fields from (a method other than POST, a page, a download): read
 * and thrown away, under the web server's limit all the same.
 */
export async function readIgnoredBody(
	req: IncomingMessage,
	bodyLimit: number,
): Promise<FormResult> {
	return await discard(req, new BodySize(req, bodyLimit, 0));
}

/** PHP's parse_str for a flat form: "+" is a space, the last of repeated names wins. */
export function parseQuery(text: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(text)) fields[name] = value;
	return fields;
}

/** Reads and discards a body; false when the client went away before finishing it. */
export async function drain(req: IncomingMessage): Promise<boolean> {
	return (await readBody(req, new BodySize(req, 0, 0))) === 'complete';
}

function declaredLength(req: IncomingMessage): number | undefined {
	const header = req.headers['content-length'];
	return header === undefined ? undefined : Number(header);
}

/**
 * A body's size against the web server's limit and PHP's post_max_size (0: none). Both judge by
 * Content-Length before reading; a body sent without one (chunked) is judged as it arrives (behind
 * nginx PHP always gets a length, nginx having read the body first, so the whole body decides).
 * 'too-large': the web server refuses it. 'dropped': PHP drops every field and file.
 */
class BodySize {
	/** Bytes read so far. */
	seen = 0;
	verdict: 'too-large' | 'dropped' | undefined;
	/** No Content-Length: the size is known only as the bytes arrive. */
	readonly counting: boolean;

	constructor(
		req: IncomingMessage,
		private readonly bodyLimit: number,
		private readonly postMaxSize: number,
	) {
		const declared = declaredLength(req);
		this.counting = declared === undefined;
		if (declared !== undefined) this.judge(declared);
	}

	add(bytes: number): BodySize['verdict'] {
		this.seen += bytes;
		if (this.counting) this.judge(this.seen);
		return this.verdict;
	}

	private judge(size: number): void {
		if (this.bodyLimit > 0 && size > this.bodyLimit) this.verdict = 'too-large';
		else if (this.postMaxSize > 0 && size > this.postMaxSize) this.verdict ??= 'dropped';
	}
}

/**
 * Reads a body to its end, giving each chunk to `take`: 'complete', 'aborted' (the client went
 * away first), or, as soon as more than the web server's limit has arrived, 'too-large' (the
 * rest is left for whoever answers). Past MAX_DRAIN_BYTES the connection is cut.
 */
function readBody(
	req: IncomingMessage,
	size: BodySize,
	take?: (chunk: Buffer) => void,
): Promise<'complete' | 'aborted' | 'too-large'> {
	return new Promise((resolve) => {
		if (req.readableEnded || req.destroyed) return resolve(req.complete ? 'complete' : 'aborted');
		const end = (how: 'complete' | 'aborted' | 'too-large') => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('close', onClose);
			resolve(how);
		};
		const onData = (chunk: Buffer) => {
			if (size.add(chunk.length) === 'too-large') return end('too-large');
			if (size.seen > MAX_DRAIN_BYTES) req.socket.destroy();
			take?.(chunk);
		};
		const onEnd = () => end('complete');
		const onClose = () => end(req.complete ? 'complete' : 'aborted');
		req.on('data', onData);
		req.once('end', onEnd);
		req.once('close', onClose);
		req.resume();
	});
}

/** A body that gives the script no fields, read to its end. */
async function discard(req: IncomingMessage, size: BodySize): Promise<FormResult> {
	const end = await readBody(req, size);
	return end === 'complete' ? { kind: 'form', fields: {} } : { kind: end };
}

async function readUrlencoded(req: IncomingMessage, size: BodySize): Promise<FormResult> {
	const chunks: Buffer[] = [];
	const end = await readBody(req, size, (chunk) => {
		if (!size.verdict) chunks.push(chunk);
	});
	if (end !== 'complete') return { kind: end };
	return {
		kind: 'form',
		fields: size.verdict ? {} : parseQuery(Buffer.concat(chunks).toString('utf8')),
	};
}

/** The boundary busboy splits the body at (the Content-Type's parameter, quoted or not). */
function boundaryOf(req: IncomingMessage): string | undefined {
	const match = /;[ \t]*boundary=(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))/i.exec(
		String(req.headers['content-type'] ?? ''),
	);
	return match ? (match[1]?.replace(/\\(.)/g, '$1') ?? match[2]) : undefined;
}

function readMultipart(
	req: IncomingMessage,
	options: FormOptions,
	size: BodySize,
): Promise<FormResult> {
	return new Promise((resolve) => {
		const fields: Record<string, string> = {};
		const uploads: ReceivedUpload[] = [];
		const writes: Array<Promise<void>> = [];
		/** How the read ends: with the form, with nothing of it (post_max_size), refused, or cut. */
		let outcome: 'form' | 'dropped' | 'too-large' | 'aborted' | undefined;
		let stopped = false;

		const finish = (how: NonNullable<typeof outcome>) => {
			if (outcome) return;
			outcome = how;
			req.off('data', count);
			void Promise.all(writes).then(() => {
				// PHP keeps the last part of a given name, and no byte of a part it refused.
				const upload = how === 'form' ? uploads.pop() : undefined;
				for (const other of uploads) rmSync(other.path, { force: true });
				if (upload?.error) {
					rmSync(upload.path, { force: true });
					upload.size = 0;
				}
				if (how === 'form') resolve({ kind: 'form', fields, upload });
				else if (how === 'dropped') resolve({ kind: 'form', fields: {} });
				else resolve({ kind: how });
			});
		};

		let parser: busboy.Busboy;
		const boundary = boundaryOf(req);
		try {
			if (boundary === undefined) throw new Error('no boundary');
			parser = busboy({
				headers: req.headers,
				defParamCharset: 'utf8',
				limits: { fields: 200, fieldSize: MAX_FIELD_BYTES, files: 10, parts: 300 },
			});
		} catch {
			// No boundary, or not parseable at all: PHP would see no fields.
			void discard(req, size).then(resolve);
			return;
		}
		const parts = new PartHeaders(parser, boundary);

		// A body without Content-Length meets post_max_size and the web server's limit as it arrives.
		const count = (chunk: Buffer) => {
			const verdict = size.add(chunk.length);
			if (!verdict || stopped) return;
			stopped = true;
			req.unpipe();
			parser.destroy();
			if (verdict === 'too-large') finish('too-large');
			// PHP drops every field and file; the rest of the body is still read.
			else
				void discard(req, size).then((rest) =>
					finish(rest.kind === 'form' ? 'dropped' : rest.kind),
				);
		};

		parser.on('field', (name, value) => {
			fields[name] = value;
		});

		parser.on('file', (name, stream, info) => {
			const filename = phpFilename(parts.disposition);
			if (filename === undefined) {
				// No filename="…": a form field to PHP (busboy went by filename*= or the part's type).
				writes.push(
					readField(stream).then((value) => {
						if (value !== undefined && name !== undefined) fields[name] = value;
					}),
				);
				return;
			}
			if (!options.captureUpload || name !== 'upload_file') {
				stream.resume();
				return;
			}
			const upload: ReceivedUpload = {
				filename,
				mimeType: info.mimeType,
				size: 0,
				md5: '',
				path: options.newPath(),
				tooLarge: false,
				// An empty file name: PHP reads none of the part.
				error: filename === '' ? 4 : 0,
			};
			uploads.push(upload);
			const hash = createHash('md5');
			const maxFilesize = options.limits.uploadMaxFilesize;
			let limit: number | undefined;
			const meter = new Transform({
				transform(chunk: Buffer, _encoding, callback) {
					upload.size += chunk.length;
					if (maxFilesize > 0 && upload.size > maxFilesize) upload.error ||= 1;
					limit ??= options.uploadLimit(fields) || undefined;
					if (limit !== undefined && upload.size > limit) upload.tooLarge = true;
					if (upload.error || upload.tooLarge) {
						// Keep reading (the client is still sending) but stop writing.
						callback();
						return;
					}
					hash.update(chunk);
					callback(null, chunk);
				},
			});
			writes.push(
				new Promise((done) => {
					pipeline(stream, meter, createWriteStream(upload.path), (error) => {
						if (error || (stream as { truncated?: boolean }).truncated) upload.error ||= 3;
						upload.md5 = hash.digest('hex');
						done();
					});
				}),
			);
		});

		parser.on('close', () => {
			if (!stopped) finish('form');
		});
		parser.on('error', () => {
			// A malformed body: keep the fields read so far, never a half-received file.
			for (const upload of uploads) upload.error ||= 3;
			req.unpipe();
			void drain(req);
		});

		req.on('close', () => {
			if (req.complete || outcome || stopped) return;
			finish('aborted');
			parser.destroy();
		});

		if (size.counting) req.on('data', count);
		(options.captureUpload && options.throttle ? req.pipe(options.throttle()) : req).pipe(parts);
	});
}

/** A part's content as a form field's value (cut at MAX_FIELD_BYTES); undefined if it broke off. */
function readField(stream: Readable): Promise<string | undefined> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let kept = 0;
		stream.on('data', (chunk: Buffer) => {
			if (kept < MAX_FIELD_BYTES) chunks.push(chunk.subarray(0, MAX_FIELD_BYTES - kept));
			kept += chunk.length;
		});
		finished(stream, (error) =>
			resolve(error ? undefined : Buffer.concat(chunks).toString('utf8')),
		);
	});
}
