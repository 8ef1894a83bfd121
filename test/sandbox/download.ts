/**
 * The second step of a download: a plain GET of `<short url>?download_token=…` streams the
 * stored bytes, with a single byte range when asked.
 */
import { createReadStream } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';

import type { Link } from './link';
import type { SandboxFile } from './types';

/** `attachment` with an ASCII fallback name and, for anything else, the RFC 5987 form. */
export function contentDisposition(filename: string): string {
	const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	if (fallback === filename) return `attachment; filename="${filename}"`;
	const encoded = encodeURIComponent(filename).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
	return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

type RangeResult = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n`; several ranges or nonsense are ignored (full answer). */
function parseRange(header: string | undefined, size: number): RangeResult {
	if (!header) return undefined;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return undefined;
	let start: number;
	let end: number;
	if (match[1] === '') {
		const suffix = Number(match[2]);
		if (suffix === 0) return 'unsatisfiable';
		start = Math.max(0, size - suffix);
		end = size - 1;
	} else {
		start = Number(match[1]);
		end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
		if (match[2] !== '' && Number(match[2]) < start) return undefined;
	}
	if (start >= size || size === 0) return 'unsatisfiable';
	return { start, end };
}

/**
 * Sends the file. With `cutAfterBytes` the headers still announce the whole body, but the
 * connection is destroyed after that many bytes: a download broken off mid-way.
 * Resolves with the HTTP status sent and whether the body went out whole.
 */
export function sendFile(
	req: IncomingMessage,
	res: ServerResponse,
	file: SandboxFile,
	cutAfterBytes?: number,
	link?: Link,
): Promise<{ status: number; complete: boolean }> {
	const size = file.fileSize;
	const range = parseRange(req.headers.range, size);
	if (range === 'unsatisfiable') {
		res.writeHead(416, {
			'Content-Range': `bytes */${size}`,
			'Content-Type': 'text/plain',
			'Content-Length': '0',
		});
		res.end();
		return Promise.resolve({ status: 416, complete: true });
	}
	const start = range?.start ?? 0;
	const end = range?.end ?? size - 1;
	const length = size === 0 ? 0 : end - start + 1;
	const status = range ? 206 : 200;
	res.writeHead(status, {
		'Content-Type': file.fileType || 'application/octet-stream',
		'Content-Length': String(length),
		'Content-Disposition': contentDisposition(file.filename),
		'Accept-Ranges': 'bytes',
		'Cache-Control': 'private, no-cache',
		...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
	});
	if (req.method === 'HEAD' || length === 0) {
		res.end();
		return Promise.resolve({ status, complete: true });
	}
	const cut = cutAfterBytes !== undefined && cutAfterBytes < length;
	const last = cut ? start + (cutAfterBytes as number) - 1 : end;
	return new Promise((resolve) => {
		if (cut && last < start) {
			// Nothing at all of the body: headers, then the connection goes.
			res.flushHeaders();
			setImmediate(() => res.socket?.destroy());
			resolve({ status, complete: false });
			return;
		}
		const read = createReadStream(file.storagePath, { start, end: last });
		read.on('error', () => {
			res.socket?.destroy();
			resolve({ status, complete: false });
		});
		const stream = link ? read.pipe(link.throttle()) : read;
		res.on('close', () => {
			read.destroy();
			stream.destroy();
		});
		if (!cut) {
			stream.pipe(res);
			res.on('finish', () => resolve({ status, complete: true }));
			res.on('close', () => resolve({ status, complete: res.writableFinished }));
			return;
		}
		// Destroying a socket drops what it has not sent yet: wait until every written chunk has
		// been handed to the kernel, then drop the connection.
		let unflushed = 0;
		let ended = false;
		const dropWhenFlushed = () => {
			if (!ended || unflushed > 0) return;
			res.socket?.destroy();
			resolve({ status, complete: false });
		};
		stream.on('data', (chunk: Buffer) => {
			unflushed++;
			const more = res.write(chunk, () => {
				unflushed--;
				dropWhenFlushed();
			});
			if (!more) {
				stream.pause();
				res.once('drain', () => stream.resume());
			}
		});
		stream.on('end', () => {
			ended = true;
			dropWhenFlushed();
		});
	});
}
