/**
 * A multipart part's file name as PHP reads it. PHP takes it from the part's Content-Disposition
 * `filename="…"` alone (`filename*=` is just another parameter to it), and a part without one is
 * a form field. busboy prefers `filename*=`, and does not hand out the header it read. So the body
 * reaches busboy through PartHeaders, which finds each part's header block as busboy does (a
 * boundary line, then header lines up to a blank line) and keeps its Content-Disposition; busboy's
 * 'file' handler then asks for the part it is announcing.
 */
import { Writable } from 'stream';

import { C_SPACE } from './php';

/** busboy's limit for a part's header block: a longer one fails the whole body. */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const BLANK_LINE = Buffer.from('\r\n\r\n');
const NOTHING = Buffer.alloc(0);

interface PartHeader {
	/** Where the part's header block ends, in the bytes busboy has been given. */
	end: number;
	/** The part's Content-Disposition as PHP picks it; undefined without one. */
	disposition: string | undefined;
}

/**
 * Passes a multipart body on to busboy, keeping beside it the Content-Disposition of the part
 * busboy is reading. busboy announces a part (its 'file' event) while it reads the last byte of the
 * part's header block, or, when that byte could begin a boundary, at the latest a boundary's length
 * later. So this hands the body on in pieces cut at both points, one piece at a time, and while a
 * piece is in busboy's hands `disposition` is that of the one part that can be announced in it.
 */
export class PartHeaders extends Writable {
	private readonly needle: Buffer;
	/** Bytes scanned so far: what busboy has been given, or is about to be. */
	private position = 0;
	private state: 'boundary' | 'after-boundary' | 'header' | 'done' = 'boundary';
	/** The bytes just before the next chunk that a boundary or a header block may continue from. */
	private carry = NOTHING;
	/** Headers found whose part busboy may still announce, in order. */
	private readonly headers: PartHeader[] = [];

	constructor(
		private readonly parser: Writable,
		boundary: string,
	) {
		super();
		this.needle = Buffer.from(`\r\n--${boundary}`);
		// busboy gives itself a CRLF first, so that a body with no preamble starts with a boundary.
		this.scan(CRLF);
	}

	/** The Content-Disposition of the part busboy is announcing: read it in busboy's 'file' handler. */
	get disposition(): string | undefined {
		return this.headers[0]?.disposition;
	}

	_write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
		const start = this.position;
		this.scan(chunk);
		const stop = this.position;
		const lag = this.needle.length;
		const cuts = this.headers
			.flatMap((header) => [header.end, header.end + lag])
			.filter((at) => at > start && at < stop);
		const edges = [start, ...cuts, stop];
		// One piece at a time: busboy reads each at once when nothing else is waiting in it.
		const feed = (index: number): void => {
			if (index === edges.length - 1) return done();
			while (this.headers.length > 0 && this.headers[0].end + lag <= edges[index])
				this.headers.shift();
			this.parser.write(chunk.subarray(edges[index] - start, edges[index + 1] - start), () =>
				feed(index + 1),
			);
		};
		feed(0);
	}

	_final(done: (error?: Error | null) => void): void {
		this.parser.end();
		done();
	}

	/** Finds the part headers in the next bytes busboy will read, as busboy's parser finds them. */
	private scan(chunk: Buffer): void {
		let at = 0;
		while (at < chunk.length && this.state !== 'done') {
			if (this.state === 'boundary') at = this.findBoundary(chunk, at);
			else if (this.state === 'after-boundary') at = this.afterBoundary(chunk, at);
			else at = this.findHeaderEnd(chunk, at);
		}
		this.position += chunk.length;
	}

	private findBoundary(chunk: Buffer, at: number): number {
		const length = this.needle.length;
		// A boundary that began in the chunk before, then one in this chunk.
		const seam = Buffer.concat([this.carry, chunk.subarray(at, at + length - 1)]).indexOf(
			this.needle,
		);
		const found = seam >= 0 ? at + seam - this.carry.length : chunk.indexOf(this.needle, at);
		if (seam < 0 && found < 0) {
			const rest = Buffer.concat([
				this.carry,
				chunk.subarray(Math.max(at, chunk.length - length + 1)),
			]);
			this.carry = Buffer.from(rest.subarray(Math.max(0, rest.length - length + 1)));
			return chunk.length;
		}
		this.carry = NOTHING;
		this.state = 'after-boundary';
		return found + length;
	}

	/** After a boundary: "--" ends the body, CRLF starts a part's headers, anything else is data. */
	private afterBoundary(chunk: Buffer, at: number): number {
		const seen = Buffer.concat([this.carry, chunk.subarray(at, at + 2 - this.carry.length)]);
		const next = at + seen.length - this.carry.length;
		if (seen.length < 2) {
			this.carry = seen;
			return next;
		}
		this.carry = NOTHING;
		if (seen[0] === 0x2d && seen[1] === 0x2d) this.state = 'done';
		else if (seen[0] === CRLF[0] && seen[1] === CRLF[1]) this.state = 'header';
		else {
			// Not a boundary after all: busboy reads on, and a boundary may begin in these bytes.
			this.carry = seen;
			this.state = 'boundary';
		}
		return next;
	}

	private findHeaderEnd(chunk: Buffer, at: number): number {
		const block = Buffer.concat([
			this.carry,
			chunk.subarray(at, at + MAX_HEADER_BYTES + BLANK_LINE.length - this.carry.length),
		]);
		const found = block.indexOf(BLANK_LINE, Math.max(0, this.carry.length - BLANK_LINE.length + 1));
		if (found < 0) {
			this.carry = block;
			if (block.length < MAX_HEADER_BYTES + BLANK_LINE.length) return chunk.length;
			// busboy fails the body on so long a header: no part of it will be announced.
			this.carry = NOTHING;
			this.state = 'done';
			return chunk.length;
		}
		const end = at + found + BLANK_LINE.length - this.carry.length;
		this.headers.push({
			end: this.position + end,
			disposition: contentDisposition(block.subarray(0, found)),
		});
		this.carry = NOTHING;
		this.state = 'boundary';
		return end;
	}
}

/**
 * The Content-Disposition of a header block as PHP's multipart parser reads header lines: a line
 * with ":" starts a header, a line without continues the one before, and the first
 * Content-Disposition counts. As latin1, so each character is one byte of the header.
 */
function contentDisposition(block: Buffer): string | undefined {
	const headers: Array<[string, string]> = [];
	for (const line of block.toString('latin1').split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon >= 0) headers.push([line.slice(0, colon), skipSpace(line.slice(colon + 1))]);
		else if (headers.length > 0) headers[headers.length - 1][1] += line;
	}
	return headers.find(([name]) => name.toLowerCase() === 'content-disposition')?.[1];
}

/**
 * The file name PHP gives a part (`$_FILES[…]['name']`), from its Content-Disposition: the value
 * of the last `filename` parameter, quoted with " or ' (a backslash escapes only the quote and
 * itself; nothing else is decoded: `%22` stays), then the part after the last "/" or "\". undefined
 * when there is no `filename` parameter (`filename*` is not one): PHP then reads the part as a form
 * field.
 */
export function phpFilename(disposition: string | undefined): string | undefined {
	if (disposition === undefined) return undefined;
	let filename: string | undefined;
	let rest = skipSpace(disposition);
	while (rest !== '') {
		const [pair, after] = getword(rest, ';');
		rest = skipSpace(after);
		if (!pair.includes('=')) continue;
		const [key, value] = getword(pair, '=');
		if (key.toLowerCase() === 'filename') filename = getwordConf(value);
	}
	if (filename === undefined) return undefined;
	const name = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
	return Buffer.from(name, 'latin1').toString('utf8');
}

/** PHP's php_ap_getword: the text up to `stop` outside quotes, and what follows the stop(s). */
function getword(line: string, stop: string): [string, string] {
	let pos = 0;
	while (pos < line.length && line[pos] !== stop) {
		const quote = line[pos++];
		if (quote !== '"' && quote !== "'") continue;
		while (pos < line.length && line[pos] !== quote)
			pos += line[pos] === '\\' && line[pos + 1] === quote ? 2 : 1;
		if (pos < line.length) pos++;
	}
	const word = line.slice(0, pos);
	while (line[pos] === stop) pos++;
	return [word, line.slice(pos)];
}

/** PHP's php_ap_getword_conf: a quoted value up to its closing quote, else up to a space. */
function getwordConf(text: string): string {
	const value = skipSpace(text);
	const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
	let end = quote ? value.length : 0;
	while (end < value.length && !C_SPACE.includes(value[end])) end++;
	const body = value.slice(quote ? 1 : 0, end);
	let out = '';
	for (let i = 0; i < body.length && body[i] !== quote; i++) {
		if (body[i] === '\\' && (body[i + 1] === '\\' || (quote !== '' && body[i + 1] === quote))) i++;
		out += body[i];
	}
	return out;
}

/** Leading white space as C's isspace() sees it. */
function skipSpace(text: string): string {
	let start = 0;
	while (start < text.length && C_SPACE.includes(text[start])) start++;
	return text.slice(start);
}
