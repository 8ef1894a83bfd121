/**
 * Reading request bodies the way PHP fills $_POST and $_FILES: form fields only, with bounded
 * memory. The one file part a call can carry (`upload_file`) is streamed to disk as it arrives.
 */
import busboy from 'busboy';
import { createHash } from 'crypto';
import { createWriteStream, rmSync } from 'fs';
import type { IncomingMessage } from 'http';
import { Transform, pipeline } from 'stream';

/** Like PHP's post_max_size: a urlencoded body larger than this is refused with 413. */
export const MAX_URLENCODED_BYTES = 8 * 1024 * 1024;
/** After a refusal the rest of the body is read and thrown away, up to this much, then cut. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

export interface ReceivedUpload {
	/** The client's file name, without any directory part (as PHP gives it). */
	filename: string;
	/** The part's Content-Type as the client sent it. */
	mimeType: string;
	size: number;
	md5: string;
	/** Where the bytes were written; whoever takes the upload must move or delete it. */
	path: string;
	/** More bytes arrived than the account may upload; the rest was not written. */
	tooLarge: boolean;
	/** The part ended badly (malformed body); its bytes must not be used. */
	broken: boolean;
}

export type FormResult =
	| { kind: 'form'; fields: Record<string, string>; upload?: ReceivedUpload }
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
}

export function contentTypeOf(req: IncomingMessage): string {
	return String(req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

/** Reads a POST body into form fields; any other kind of body (JSON…) yields no fields, like PHP. */
export async function readForm(req: IncomingMessage, options: FormOptions): Promise<FormResult> {
	const type = contentTypeOf(req);
	if (type === 'application/x-www-form-urlencoded') return await readUrlencoded(req);
	if (type === 'multipart/form-data') return await readMultipart(req, options);
	return (await drain(req)) ? { kind: 'form', fields: {} } : { kind: 'aborted' };
}

/** PHP's parse_str for a flat form: "+" is a space, the last of repeated names wins. */
export function parseQuery(text: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(text)) fields[name] = value;
	return fields;
}

/** Reads and discards a body; false when the client went away before finishing it. */
export function drain(req: IncomingMessage, cap = MAX_DRAIN_BYTES): Promise<boolean> {
	return new Promise((resolve) => {
		if (req.complete) return resolve(true);
		let seen = 0;
		req.on('data', (chunk: Buffer) => {
			seen += chunk.length;
			if (seen > cap) req.socket.destroy();
		});
		req.once('end', () => resolve(true));
		req.once('close', () => resolve(req.complete));
		req.resume();
	});
}

function readUrlencoded(req: IncomingMessage): Promise<FormResult> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_URLENCODED_BYTES;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_URLENCODED_BYTES) tooLarge = true;
			if (size > MAX_DRAIN_BYTES) req.socket.destroy();
			if (!tooLarge) chunks.push(chunk);
		});
		req.once('end', () => {
			if (tooLarge) resolve({ kind: 'too-large' });
			else resolve({ kind: 'form', fields: parseQuery(Buffer.concat(chunks).toString('utf8')) });
		});
		req.once('close', () => {
			if (!req.complete) resolve({ kind: 'aborted' });
		});
	});
}

function readMultipart(req: IncomingMessage, options: FormOptions): Promise<FormResult> {
	return new Promise((resolve) => {
		const fields: Record<string, string> = {};
		const uploads: ReceivedUpload[] = [];
		const writes: Array<Promise<void>> = [];
		let settled = false;
		let aborted = false;

		const finish = () => {
			if (settled) return;
			settled = true;
			void Promise.all(writes).then(() => {
				// PHP keeps the last part of a given name; the others are thrown away.
				const upload = uploads.pop();
				for (const other of uploads) rmSync(other.path, { force: true });
				if (aborted) {
					if (upload) rmSync(upload.path, { force: true });
					resolve({ kind: 'aborted' });
				} else {
					resolve({ kind: 'form', fields, upload });
				}
			});
		};

		let parser: busboy.Busboy;
		try {
			parser = busboy({
				headers: req.headers,
				defParamCharset: 'utf8',
				limits: { fields: 200, fieldSize: 64 * 1024, files: 10, parts: 300 },
			});
		} catch {
			// No boundary, or not parseable at all: PHP would see no fields.
			void drain(req).then((complete) => resolve(complete ? { kind: 'form', fields: {} } : { kind: 'aborted' }));
			return;
		}

		parser.on('field', (name, value) => {
			fields[name] = value;
		});

		parser.on('file', (name, stream, info) => {
			if (!options.captureUpload || name !== 'upload_file') {
				stream.resume();
				return;
			}
			const upload: ReceivedUpload = {
				filename: (info.filename ?? '').split(/[\\/]/).pop() ?? '',
				mimeType: info.mimeType,
				size: 0,
				md5: '',
				path: options.newPath(),
				tooLarge: false,
				broken: false,
			};
			uploads.push(upload);
			const hash = createHash('md5');
			let limit: number | undefined;
			const meter = new Transform({
				transform(chunk: Buffer, _encoding, callback) {
					upload.size += chunk.length;
					limit ??= options.uploadLimit(fields) || undefined;
					if (upload.tooLarge || (limit !== undefined && upload.size > limit)) {
						// Keep reading (the client is still sending) but stop writing.
						upload.tooLarge = true;
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
						if (error || (stream as { truncated?: boolean }).truncated) upload.broken = true;
						upload.md5 = hash.digest('hex');
						done();
					});
				}),
			);
		});

		parser.on('close', finish);
		parser.on('error', () => {
			// A malformed body: keep the fields read so far, never a half-received file.
			for (const upload of uploads) upload.broken = true;
			req.unpipe(parser);
			void drain(req).then((complete) => {
				aborted = aborted || !complete;
				finish();
			});
		});

		req.on('close', () => {
			if (req.complete || settled) return;
			aborted = true;
			parser.destroy();
			finish();
		});

		if (options.captureUpload && options.throttle) req.pipe(options.throttle()).pipe(parser);
		else req.pipe(parser);
	});
}
