import type { IDataObject } from 'n8n-workflow';

import { filtersCollection } from '../../shared/descriptions';
import { searchProperties, searchTree } from '../../shared/search';
import { parameterError, toItems } from '../../shared/utils';
import type { Operation } from '../types';

interface Filters {
	fileType?: string;
	minSize?: number;
	maxSize?: number;
	trashed?: 'active' | 'trashed' | 'both';
}

export const search: Operation<'search'> = {
	option: {
		name: 'Search',
		value: 'search',
		action: 'Search files by name, type or size',
		description:
			'Find files by name, type and size anywhere below a folder (the whole account by default), each with its path',
	},
	properties: [
		...searchProperties('file'),
		filtersCollection([
			{
				displayName: 'File Type',
				name: 'fileType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf, image/ or pdf',
				description:
					'With a / it is a MIME type or its start (image/ for every image); without, a file extension (pdf, csv). Case-insensitive.',
			},
			{
				displayName: 'Min Size (Bytes)',
				name: 'minSize',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Only files of at least this many bytes (1 MB = 1000000)',
			},
			{
				displayName: 'Max Size (Bytes)',
				name: 'maxSize',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Only files of at most this many bytes. 0: no maximum.',
			},
			{
				displayName: 'Trashed',
				name: 'trashed',
				type: 'options',
				options: [
					{ name: 'Active Files Only', value: 'active' },
					{
						name: 'Trashed Files Only',
						value: 'trashed',
						description:
							'Files deleted (moved to the trash) in folders that still exist; sites running script 4.x list none',
					},
					{ name: 'Both', value: 'both' },
				],
				default: 'active',
			},
		]),
	],
	async execute(i) {
		const filters = this.getNodeParameter('filters', i, {}) as Filters;
		const ofType = typeFilter(filters.fileType);
		const minSize = filters.minSize || undefined;
		const maxSize = filters.maxSize || undefined;
		if (minSize !== undefined && maxSize !== undefined && maxSize < minSize) {
			throw parameterError(
				this,
				i,
				'Max Size (Bytes)',
				`is ${maxSize}, below Min Size (Bytes) ${minSize}: no file could match`,
			);
		}
		const wanted = (file: IDataObject) => {
			const size = Number(file.fileSize);
			return (
				ofType(file) &&
				(minSize === undefined || size >= minSize) &&
				(maxSize === undefined || size <= maxSize)
			);
		};
		const trashed = filters.trashed ?? 'active';
		const found = await searchTree(this, i, 'file', (listed) =>
			[
				...(trashed === 'trashed' ? [] : listed.files),
				...(trashed === 'active' ? [] : listed.trashedFiles),
			].filter(wanted),
		);
		return toItems(found);
	},
};

/** "image/" or "application/pdf": the MIME type starts with it; "pdf" or ".pdf": the extension is it. */
function typeFilter(text: string | undefined): (file: IDataObject) => boolean {
	const wanted = (text ?? '').trim().toLowerCase();
	if (wanted === '') return () => true;
	if (wanted.includes('/'))
		return (file) =>
			String(file.fileType ?? '')
				.toLowerCase()
				.startsWith(wanted);
	const extension = wanted.replace(/^\./, '');
	return (file) =>
		String(file.filename ?? '')
			.toLowerCase()
			.endsWith(`.${extension}`);
}
