import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';

import { nameProblems, type NameUse } from './names';

export function md5(text: string): string {
	return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * An answer's fields as an output item may carry them. A folder's `accessPassword` is the unsalted
 * MD5 of its password, which a lookup table turns back into the password: a secret, so the item
 * says only whether the folder has one (`hasPassword`), in the same place.
 */
export function outputFields(data: IDataObject): IDataObject {
	if (!('accessPassword' in data)) return data;
	return Object.fromEntries(
		Object.entries(data).map(([key, value]) =>
			key === 'accessPassword'
				? ['hasPassword', typeof value === 'string' && value !== '']
				: [key, value],
		),
	);
}

export function toItems(data: IDataObject | IDataObject[]): INodeExecutionData[] {
	return (Array.isArray(data) ? data : [data]).map((json) => ({ json: outputFields(json) }));
}

/**
 * An error as n8n should get it: n8n's own errors (node errors, expression errors) unchanged,
 * anything else as a NodeOperationError that names the item.
 */
export function asNodeError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	error: unknown,
	itemIndex: number,
): ExecutionBaseError {
	if (error instanceof ExecutionBaseError) return error;
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error), {
		itemIndex,
	});
}

/** The error for a parameter a user set wrongly: names the parameter and the item. */
export function parameterError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	parameter: string,
	problem: string,
	description?: string,
): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`Parameter "${parameter}" ${problem} [item ${itemIndex}]`,
		{
			itemIndex,
			description,
		},
	);
}

/** The longest file or folder name the script's database keeps. */
const MAX_NAME_LENGTH = 255;

/** A text parameter that must not be empty (an expression may also give a number, or the wrong type). */
export function requireText(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	parameter: string,
	value: unknown,
	what = 'a value',
): string {
	if (
		value !== undefined &&
		value !== null &&
		typeof value !== 'string' &&
		typeof value !== 'number'
	) {
		throw parameterError(
			ctx,
			itemIndex,
			parameter,
			`is not text: an expression gave ${Array.isArray(value) ? 'a list' : `a ${typeof value}`} (${JSON.stringify(value)?.slice(0, 60)})`,
		);
	}
	const text = value === undefined || value === null ? '' : String(value).trim();
	if (text === '') throw parameterError(ctx, itemIndex, parameter, `is empty: enter ${what}`);
	return text;
}

/**
 * A name the user typed, as the site will store it: refused, naming the characters and why,
 * when the site would change it (see names.ts), instead of being changed behind their back.
 */
export function requireName(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	parameter: string,
	value: unknown,
	use: NameUse = 'field',
): string {
	const name = requireText(ctx, itemIndex, parameter, value, 'a name');
	if (name.length > MAX_NAME_LENGTH) {
		throw parameterError(
			ctx,
			itemIndex,
			parameter,
			`is ${name.length} characters long: the site keeps at most ${MAX_NAME_LENGTH}`,
		);
	}
	const problems = nameProblems(name, use);
	if (problems.length > 0) {
		throw parameterError(
			ctx,
			itemIndex,
			parameter,
			`contains ${problems.map((problem) => problem.what).join(' and ')} ` +
				`(${JSON.stringify(name)}): the site would not store the name as written`,
			`${problems.map((problem) => problem.why).join(' ')} Remove or replace those characters (for example with "_").`,
		);
	}
	return name;
}

/**
 * Whether `value` is an id as the site hands them out (a file, folder or scheduled item id): a
 * whole number from 1 up, written in plain digits. The API casts whatever it gets to a number,
 * so anything else would name another entry (or none) instead of failing.
 */
export function isSiteId(value: string): boolean {
	return /^[1-9]\d*$/.test(value);
}

/**
 * Matches names the way users type filters: plain text matches anywhere in the name; with * or ?
 * it is a wildcard pattern for the whole name (e.g. `*.pdf`). Case-insensitive. A backslash makes
 * the next * ? or \ literal (`\*`, `\?`, `\\`); before any other character it is itself literal.
 */
export function nameMatcher(filter: string | undefined): (name: unknown) => boolean {
	const text = (filter ?? '').trim();
	if (text === '') return () => true;
	// literal text and wildcards, in order
	const parts: Array<{ literal: string } | { wildcard: '*' | '?' }> = [];
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		const next = text[index + 1];
		if (char === '\\' && (next === '*' || next === '?' || next === '\\')) {
			parts.push({ literal: next });
			index++;
		} else if (char === '*' || char === '?') {
			parts.push({ wildcard: char });
		} else {
			parts.push({ literal: char });
		}
	}
	if (parts.every((part) => 'literal' in part)) {
		const needle = parts
			.map((part) => (part as { literal: string }).literal)
			.join('')
			.toLowerCase();
		return (name) =>
			String(name ?? '')
				.toLowerCase()
				.includes(needle);
	}
	const pattern = parts
		.map((part) =>
			'literal' in part
				? part.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
				: part.wildcard === '*'
					? '.*'
					: '.',
		)
		.join('');
	const regex = new RegExp(`^${pattern}$`, 'i');
	return (name) => regex.test(String(name ?? ''));
}

/** How many results an operation with Return All / Limit may return: Infinity, or the Limit, checked. */
export function resultLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	if (ctx.getNodeParameter('returnAll', itemIndex) as boolean) return Infinity;
	const limit = ctx.getNodeParameter('limit', itemIndex) as number;
	if (!(Number.isInteger(limit) && limit >= 1)) {
		throw parameterError(
			ctx,
			itemIndex,
			'Limit',
			`must be a whole number of at least 1 (got ${JSON.stringify(limit)})`,
		);
	}
	return limit;
}
