import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export function md5(text: string): string {
	return createHash('md5').update(text, 'utf8').digest('hex');
}

export function toItems(data: IDataObject | IDataObject[]): INodeExecutionData[] {
	return (Array.isArray(data) ? data : [data]).map((json) => ({ json }));
}

/** The error for a parameter a user set wrongly: names the parameter and the item. */
export function parameterError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	parameter: string,
	problem: string,
	description?: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Parameter "${parameter}" ${problem} [item ${itemIndex}]`, {
		itemIndex,
		description,
	});
}

/**
 * A name the site will store as given. It passes every input through PHP's trim(strip_tags()),
 * which silently drops anything that looks like a tag (and, for an unclosed one, the rest of the
 * name), so such names are refused here instead of being changed behind the user's back.
 */
export function requireName(ctx: Pick<IExecuteFunctions, 'getNode'>, itemIndex: number, parameter: string, value: unknown): string {
	const name = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (name === '') throw parameterError(ctx, itemIndex, parameter, 'is empty: enter a name');
	if (/<[a-zA-Z/!?]/.test(name)) {
		throw parameterError(
			ctx,
			itemIndex,
			parameter,
			`contains "<" followed by a letter (${JSON.stringify(name)})`,
			'The site removes anything that looks like an HTML tag from names, so the name would not be stored as written. Remove the "<" or put a space after it.',
		);
	}
	return name;
}

/**
 * Matches names the way users type filters: plain text matches anywhere in the name; with * or ?
 * it is a wildcard pattern for the whole name (e.g. `*.pdf`). Case-insensitive.
 */
export function nameMatcher(filter: string | undefined): (name: unknown) => boolean {
	const text = (filter ?? '').trim();
	if (text === '') return () => true;
	if (!/[*?]/.test(text)) {
		const needle = text.toLowerCase();
		return (name) => String(name ?? '').toLowerCase().includes(needle);
	}
	const pattern = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	const regex = new RegExp(`^${pattern}$`, 'i');
	return (name) => regex.test(String(name ?? ''));
}
