/**
 * The bits of PHP the script's behaviour depends on: how it cleans input, casts ids, formats
 * dates and encodes JSON. Clients meet these quirks on every real site.
 */
import { randomInt } from 'crypto';

import { siteClock } from './clock';

const PHP_TRIM = ' \t\n\r\0\x0B';
/** C's isspace(), which strip_tags() asks of the character after "<": ASCII only. */
export const C_SPACE = ' \t\n\v\f\r';

/** PHP's trim(): only these six characters, not every Unicode space. */
export function phpTrim(text: string): string {
	let start = 0;
	let end = text.length;
	while (start < end && PHP_TRIM.includes(text[start])) start++;
	while (end > start && PHP_TRIM.includes(text[end - 1])) end--;
	return text.slice(start, end);
}

/**
 * PHP's strip_tags() as it treats input: anything from "<" to its ">" goes (quotes inside a tag
 * are honoured, nested "<" counted), as do comments, PHP blocks and NUL bytes. A "<" followed by
 * an ASCII space (C's isspace) is kept, but one followed by anything else (a digit, a no-break
 * space, nothing) starts a tag, and an unclosed tag eats the rest of the text: "a<b" and "a<3"
 * become "a".
 */
export function stripTags(input: string): string {
	let out = '';
	let state: 'text' | 'tag' | 'comment' | 'php' = 'text';
	let depth = 0;
	let quote = '';
	for (let i = 0; i < input.length; i++) {
		const c = input[i];
		if (c === '\0') continue;
		if (state === 'text') {
			if (c !== '<') {
				out += c;
			} else if (i + 1 < input.length && C_SPACE.includes(input[i + 1])) {
				out += c;
			} else if (input.startsWith('!--', i + 1)) {
				state = 'comment';
				i += 3;
			} else if (input[i + 1] === '?') {
				state = 'php';
				i += 1;
			} else {
				state = 'tag';
				depth = 0;
				quote = '';
			}
		} else if (state === 'tag') {
			if (quote) {
				if (c === quote && input[i - 1] !== '\\') quote = '';
			} else if (c === '"' || c === "'") {
				quote = c;
			} else if (c === '<') {
				depth++;
			} else if (c === '>') {
				if (depth > 0) depth--;
				else state = 'text';
			}
		} else if (state === 'comment') {
			if (input.startsWith('-->', i)) {
				state = 'text';
				i += 2;
			}
		} else if (input.startsWith('?>', i)) {
			state = 'text';
			i += 1;
		}
	}
	return out;
}

/** What the script does to every input value (`_cleanInputs`). */
export function cleanInput(value: string): string {
	return phpTrim(stripTags(value));
}

/**
 * PHP's (int) cast, which the script applies to ids: leading whitespace and digits count, the
 * rest is ignored ("12abc" is 12, "abc" is 0). MySQL compares a string to an integer column the
 * same way, so it also models the script's `WHERE id = :id` look-ups.
 */
export function phpInt(value: string | undefined): number {
	if (value === undefined) return 0;
	const match = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(value);
	if (!match) return 0;
	const number = Number(match[1]);
	return Number.isSafeInteger(number) ? number : 0;
}

/** A canonical decimal id: how PHP decides whether a string is an integer array key. */
export function isCanonicalId(value: string): boolean {
	return /^(0|[1-9]\d{0,17})$/.test(value);
}

/** The script's date format, `Y-m-d H:i:s`, in the server's local time like PHP's date(). */
export function sqlDateTime(date: Date = new Date(siteClock.now())): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return (
		`${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
		`${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
	);
}

/**
 * PHP's json_encode() with its default flags: "/" is escaped and so is every non-ASCII
 * character (\u00e9, surrogate pairs as two escapes). Both only occur inside strings, so
 * rewriting the serialized text is safe.
 */
export function phpJsonEncode(value: unknown): string {
	return JSON.stringify(value)
		.replace(/\//g, '\\/')
		.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const HEX = '0123456789abcdef';

export function randomString(length: number, alphabet: string = ALPHANUMERIC): string {
	let out = '';
	for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
	return out;
}

/** Sizes as people read them, for messages: 1073741824 → "1 GB". */
export function humanSize(bytes: number): string {
	const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	const shown = Number.isInteger(value) ? String(value) : value.toFixed(2);
	return `${shown} ${units[unit]}`;
}
