import type { IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

import { FOLDER_URL_REGEX, ROOT_FOLDER } from './descriptions';
import { parameterError } from './utils';

/**
 * The folder id a folder picker holds, checked: a positive number as the API expects, or ''
 * for the root folder where the operation allows it. Accepts the picker's value as well as a
 * plain id or URL produced by an expression.
 */
export function getFolderId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: { name: string; displayName: string; allowRoot?: boolean },
): string {
	const raw = ctx.getNodeParameter(parameter.name, itemIndex, '') as INodeParameterResourceLocator | string | number;
	const locator = typeof raw === 'object' && raw !== null ? raw : { mode: 'id', value: raw };
	const value = String(locator.value ?? '').trim();
	const fail = (problem: string) =>
		parameterError(
			ctx,
			itemIndex,
			parameter.displayName,
			problem,
			'Pick the folder from the list, enter its ID (a number), or paste its address (…/folder/<id>/<name>).',
		);

	let id = value;
	if (locator.mode === 'url' || /^https?:\/\//i.test(value)) {
		const match = new RegExp(FOLDER_URL_REGEX, 'i').exec(value);
		if (!match) throw fail(`is not a folder address: ${JSON.stringify(value)}`);
		id = match[1];
	}
	if (id === '') throw fail('is empty');
	if (id.toLowerCase() === ROOT_FOLDER || id === '0') {
		if (parameter.allowRoot) return '';
		throw fail('is the root folder, which this operation cannot use: choose a folder');
	}
	if (!/^[1-9]\d*$/.test(id)) throw fail(`is not a folder ID: ${JSON.stringify(value)} is not a number`);
	return id;
}
