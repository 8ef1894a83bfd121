/**
 * The multipart body of an upload, with no runtime dependency and no import of Node's `stream`.
 *
 * `MultipartForm` presents itself as a standard (WHATWG) FormData: `append`, `entries`, iteration
 * and the `FormData` tag. n8n's request helpers (n8n 1.x and 2.x alike) hand the body to axios, and
 * axios writes such a form as a stream, part by part, with a Content-Length summed from the parts:
 * a file part is read through its `stream()`, here the file as n8n's binary store delivers it. The
 * file is never held in memory, and with no redirects followed nothing keeps the body to resend it.
 * The measurements behind this choice are in BENCHMARKS.md ("Why this multipart path").
 */

import type { SentUpload } from './refusal';

/** A file part: its bytes are read once, when the body is sent. */
export interface FilePart {
	/** The file name sent in Content-Disposition. */
	readonly name: string;
	readonly type: string;
	/** Exact byte count; the Content-Length is computed from it. */
	readonly size: number;
	stream(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
	/** Lets go of what `stream()` reads (an open file of n8n's binary store) once the attempt is over. */
	discard?(): void;
}

export class MultipartForm {
	private readonly fields: Array<[string, string]> = [];

	private readonly files: Array<[string, FilePart]> = [];

	/** The tag axios (and n8n-workflow's checks) recognise a FormData by. */
	readonly [Symbol.toStringTag] = 'FormData';

	/**
	 * Text fields are sent before files, whatever the order of the calls: the credential appends
	 * the session token after the node built the form, and a site reading in order sees it first.
	 */
	append(name: string, value: string | FilePart): void {
		if (typeof value === 'string') this.fields.push([name, value]);
		else this.files.push([name, value]);
	}

	*entries(): IterableIterator<[string, string | FilePart]> {
		yield* this.fields;
		yield* this.files;
	}

	[Symbol.iterator](): IterableIterator<[string, string | FilePart]> {
		return this.entries();
	}

	/** What this form sends, for explaining a refusal: its file part, and whether the session token went with it. */
	sent(): SentUpload | undefined {
		const file = this.files[0]?.[1];
		const tokenSent = this.fields.some(([name, value]) => name === 'access_token' && value !== '');
		return file && { name: file.name, size: file.size, tokenSent };
	}

	/** After an attempt, sent or not: a body never sent in full would keep its file open until garbage collection. */
	discard(): void {
		for (const [, file] of this.files) file.discard?.();
	}
}

/** A form with text fields and one file, as file/upload takes it. */
export function multipartForm(
	fields: Record<string, string>,
	fileField: string,
	file: FilePart,
): MultipartForm {
	const form = new MultipartForm();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	form.append(fileField, file);
	return form;
}
