import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import { filePicker, folderPickers } from '../../shared/descriptions';
import { createOnce, folderInWords } from '../../shared/listing';
import { resolveFileId, resolveFolderId } from '../../shared/locators';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

const file = filePicker('The file to copy');
const destination = folderPickers.destination('The folder to put the copy in, or the root');

export const copy: Operation<'copy'> = {
	option: {
		name: 'Copy',
		value: 'copy',
		action: 'Copy a file',
		description: 'Copy a file into a folder; the output holds the new file and the original',
	},
	properties: [file.property, destination.property],
	async execute(i) {
		const fileId = await resolveFileId(this, i, file);
		const folderId = await resolveFolderId(this, i, destination);
		// The copy takes the original's name and size: what a check after a lost answer looks for,
		// and what keeps items in flight that make the same name in one folder apart.
		const original = (
			await apiRequest.call(
				this,
				'file/info',
				{ file_id: fileId },
				{ itemIndex: i, fields: { file_id: file.displayName } },
			)
		).data as IDataObject;
		const name = String(original.filename);
		const size =
			original.fileSize === undefined || original.fileSize === null
				? undefined
				: Number(original.fileSize);
		const target = {
			kind: 'file' as const,
			folderId,
			name,
			itemIndex: i,
			parameter: destination.displayName,
		};
		const answer = await createOnce(
			this,
			target,
			async (check) =>
				await apiRequest.call(
					this,
					'file/copy',
					{ file_id: fileId, copy_to_folder_id: folderId },
					{
						itemIndex: i,
						fields: { file_id: file.displayName, copy_to_folder_id: destination.displayName },
						creates: `a copy of file ${fileId} in ${folderInWords(folderId)}`,
						confirm: async () => {
							const made = await check.find({ name, size, exclude: String(original.id ?? fileId) });
							return made && { original_file: { data: original }, new_file: { data: made } };
						},
					},
				),
		);
		const part = (key: string) =>
			((answer[key] as IDataObject | undefined)?.data ?? {}) as IDataObject;
		// the new file first: it is what the next node usually works on
		return toItems({ ...part('new_file'), original_file: part('original_file') });
	},
};
