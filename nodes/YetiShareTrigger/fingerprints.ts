/**
 * What the change events remember of the watched tree between polls, small enough for n8n to
 * write into the workflow's row after every execution: about 12 bytes a file.
 *
 * A file is remembered by its id, its folder, whether it is in the trash, its size, and a
 * fingerprint (hash) of its name and of its type: enough to tell that it was renamed, moved,
 * replaced or trashed, and to give the folder and size it had before, but not its old name. A
 * folder is remembered whole (name, parent, privacy): there are few of them.
 *
 * Files are packed as bytes, grouped by folder, ids as differences, numbers as varints, and the
 * whole as base64 (JSON keeps it as one string).
 */

/** What is remembered of one file. */
export interface FileMark {
	folderId: number;
	trashed: boolean;
	/** The size in bytes, or undefined when the site gave none. */
	size: number | undefined;
	nameHash: number;
	typeHash: number;
}

/** What is remembered of one folder. */
export interface FolderMark {
	name: string;
	parentId: number;
	isPublic: string;
}

/** FNV-1a, 32 bits, over the text's UTF-8 bytes. */
export function hash32(text: string): number {
	let hash = 0x811c9dc5;
	for (const byte of new TextEncoder().encode(text)) {
		hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
	}
	return hash;
}

/** A file type's fingerprint: 16 bits are plenty to see a type change. */
export function hash16(text: string): number {
	return hash32(text) >>> 16;
}

/** The packed files' format, first in the text, so that a later version can still read it. */
const FORMAT = '1:';

class Writer {
	private readonly bytes: number[] = [];

	varint(value: number): void {
		// LEB128 by division: ids and sizes can pass 2^32
		let rest = value;
		while (rest >= 0x80) {
			this.bytes.push((rest % 0x80) + 0x80);
			rest = Math.floor(rest / 0x80);
		}
		this.bytes.push(rest);
	}

	fixed(value: number, size: 2 | 4): void {
		for (let shift = (size - 1) * 8; shift >= 0; shift -= 8)
			this.bytes.push((value >>> shift) & 0xff);
	}

	base64(): string {
		return FORMAT + Buffer.from(this.bytes).toString('base64');
	}
}

class Reader {
	private at = 0;
	private readonly bytes: Buffer;

	constructor(text: string) {
		// a later format gets a reader of its own; this one knows only its own
		if (text !== '' && !text.startsWith(FORMAT)) {
			throw new Error(`The remembered state is in a format this version does not read`);
		}
		this.bytes = Buffer.from(text.slice(FORMAT.length), 'base64');
	}

	get done(): boolean {
		return this.at >= this.bytes.length;
	}

	varint(): number {
		let value = 0;
		for (let scale = 1; ; scale *= 0x80) {
			const byte = this.next();
			value += (byte & 0x7f) * scale;
			if (byte < 0x80) return value;
		}
	}

	fixed(size: 2 | 4): number {
		let value = 0;
		for (let i = 0; i < size; i++) value = value * 0x100 + this.next();
		return value;
	}

	private next(): number {
		if (this.at >= this.bytes.length) throw new Error('The remembered state is cut short');
		return this.bytes[this.at++];
	}
}

/**
 * Packs files by folder: per folder (ascending id, the root as 0) its id as a difference and how
 * many files; per file (ascending id) its id as a difference with the trash bit, the name's
 * hash, the size plus one (0: none) and the type's hash.
 */
export function packFiles(files: Map<number, FileMark>): string {
	const byFolder = new Map<number, number[]>();
	for (const [id, mark] of files) {
		const ids = byFolder.get(mark.folderId) ?? [];
		ids.push(id);
		byFolder.set(mark.folderId, ids);
	}
	const out = new Writer();
	let previousFolder = 0;
	for (const folderId of [...byFolder.keys()].sort((a, b) => a - b)) {
		const ids = byFolder.get(folderId)!.sort((a, b) => a - b);
		out.varint(folderId - previousFolder);
		out.varint(ids.length);
		previousFolder = folderId;
		let previousId = 0;
		for (const id of ids) {
			const mark = files.get(id)!;
			out.varint((id - previousId) * 2 + (mark.trashed ? 1 : 0));
			out.fixed(mark.nameHash, 4);
			out.varint(mark.size === undefined ? 0 : mark.size + 1);
			out.fixed(mark.typeHash, 2);
			previousId = id;
		}
	}
	return out.base64();
}

export function unpackFiles(packed: string): Map<number, FileMark> {
	const files = new Map<number, FileMark>();
	const input = new Reader(packed);
	let folderId = 0;
	while (!input.done) {
		folderId += input.varint();
		const count = input.varint();
		let id = 0;
		for (let i = 0; i < count; i++) {
			const step = input.varint();
			id += Math.floor(step / 2);
			const nameHash = input.fixed(4);
			const size = input.varint();
			const typeHash = input.fixed(2);
			files.set(id, {
				folderId,
				trashed: step % 2 === 1,
				size: size === 0 ? undefined : size - 1,
				nameHash,
				typeHash,
			});
		}
	}
	return files;
}

/** Folders as [id, name, parent id, privacy] rows: JSON, as they are few and kept whole. */
export function packFolders(
	folders: Map<number, FolderMark>,
): Array<[number, string, number, string]> {
	return [...folders.entries()]
		.sort(([a], [b]) => a - b)
		.map(([id, mark]) => [id, mark.name, mark.parentId, mark.isPublic]);
}

export function unpackFolders(
	rows: Array<[number, string, number, string]>,
): Map<number, FolderMark> {
	return new Map(rows.map(([id, name, parentId, isPublic]) => [id, { name, parentId, isPublic }]));
}
