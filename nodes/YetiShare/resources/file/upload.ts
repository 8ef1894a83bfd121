import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeApiError } from 'n8n-workflow';

import { apiRequestWithBody, apiRequest, formatBytes, multipartForm } from '../../transport';
import { remember } from '../../execution/cache';
import { folderPickers } from '../../shared/descriptions';
import { uploadName } from '../../shared/names';
import { createOnce, folderInWords } from '../../shared/listing';
import { resolveFolderId } from '../../shared/locators';
import { parameterError, requireName, requireText, toItems } from '../../shared/utils';
import type { Operation } from '../types';

const folder = folderPickers.parent('The folder to put the file in, or the root');

/** Bytes read from n8n's binary store per chunk while streaming an upload. */
const CHUNK_SIZE = 256 * 1024;

/** The account's upload limit in bytes (0: none), asked once per execution. */
async function maxUploadSize(ctx: IExecuteFunctions, itemIndex: number): Promise<number> {
	const limits = await remember(
		ctx,
		'package',
		async () => (await apiRequest.call(ctx, 'account/package', {}, { itemIndex })).data,
	);
	return Number((limits as IDataObject | undefined)?.max_upload_size ?? 0) || 0;
}

/**
 * Where the bytes of an input binary come from. In filesystem (or database/S3) mode the item
 * only references the file, which is streamed from n8n's store; only in-memory data is a buffer.
 */
async function binarySource(ctx: IExecuteFunctions, itemIndex: number, property: string) {
	const item = ctx.getInputData()[itemIndex];
	const binary = item.binary?.[property] as IBinaryData | undefined;
	if (!binary) {
		const present = Object.keys(item.binary ?? {});
		throw parameterError(
			ctx,
			itemIndex,
			'Input Binary Field',
			`names "${property}", which this item does not have`,
			present.length > 0
				? `The item's binary fields are: ${present.join(', ')}.`
				: 'The item has no binary data at all: put a node that reads or downloads a file before this one.',
		);
	}
	if (binary.id) {
		const { fileSize } = await ctx.helpers.getBinaryMetadata(binary.id);
		const id = binary.id;
		return {
			binary,
			size: fileSize,
			open: async () => await ctx.helpers.getBinaryStream(id, CHUNK_SIZE),
		};
	}
	const buffer = Buffer.from(binary.data, BINARY_ENCODING);
	return { binary, size: buffer.length, open: async () => buffer };
}

/** What file/upload answers for a file, built from its listing entry (for an upload confirmed after a lost answer). */
function uploadAnswer(file: IDataObject): IDataObject {
	return {
		name: file.filename,
		size: file.fileSize,
		type: file.fileType,
		error: null,
		url: file.url_file,
		delete_url: file.url_file_delete,
		info_url: file.url_file_info,
		stats_url: file.url_file_stats,
		short_url: file.shortUrl,
		file_id: file.id,
	};
}

export const upload: Operation<'upload'> = {
	transfer: true,
	option: {
		name: 'Upload',
		value: 'upload',
		action: 'Upload a file',
		description: 'Upload a file from binary data',
	},
	properties: [
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the input binary field containing the file to be uploaded',
		},
		folder.property,
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Create Missing Folders',
					name: 'createMissingFolders',
					type: 'boolean',
					default: false,
					description:
						'Whether to create the folders of a path (Folder → By Path) that do not exist yet',
				},
				{
					displayName: 'File Name',
					name: 'fileName',
					type: 'string',
					default: '',
					placeholder: 'e.g. invoice-2026-03.pdf',
					description:
						"The name to store the file under. Default: the binary data's file name, " +
						'with any <, /, \\, quote or line break the site would change ' +
						"replaced by _ (the output's renamedFrom then gives the original).",
				},
			],
		},
	],
	async execute(i) {
		const property = requireText(
			this,
			i,
			'Input Binary Field',
			this.getNodeParameter('binaryPropertyName', i),
			'a field name, e.g. data',
		);
		const options = this.getNodeParameter('options', i, {}) as {
			createMissingFolders?: boolean;
			fileName?: string;
		};
		const source = await binarySource(this, i, property);
		// A typed name the site would change is refused; a binary's own name is made safe, and the output says so.
		const fallback = `${property}.${source.binary.fileExtension ?? 'bin'}`;
		const givenName = source.binary.fileName ?? fallback;
		const fileName = options.fileName
			? requireName(this, i, 'File Name', options.fileName, 'upload')
			: uploadName(givenName) || uploadName(fallback) || 'file.bin';
		const renamedFrom = !options.fileName && fileName !== givenName ? givenName : undefined;
		if (source.size === 0) {
			throw parameterError(
				this,
				i,
				'Input Binary Field',
				`holds an empty file ("${fileName}", 0 bytes): the site refuses empty uploads`,
			);
		}
		const limit = await maxUploadSize(this, i);
		if (limit > 0 && source.size > limit) {
			throw parameterError(
				this,
				i,
				'Input Binary Field',
				`holds a file of ${formatBytes(source.size)} ("${fileName}"), larger than this account's upload limit of ${formatBytes(limit)}`,
				'The limit comes from the account package (Account → Get Package, max_upload_size).',
			);
		}
		const folderId = await resolveFolderId(this, i, folder, {
			createMissing: options.createMissingFolders,
			offersCreateMissing: true,
		});
		const target = {
			kind: 'file' as const,
			folderId,
			name: fileName,
			itemIndex: i,
			parameter: folder.displayName,
		};
		const envelope = await createOnce(
			this,
			target,
			async (check) =>
				await apiRequestWithBody.call(
					this,
					'file/upload',
					async () => {
						const content = await source.open();
						return multipartForm({ folder_id: folderId }, 'upload_file', {
							name: fileName,
							type: source.binary.mimeType || 'application/octet-stream',
							size: source.size,
							stream: () => (Buffer.isBuffer(content) ? [content] : content),
							discard: () => {
								if (!Buffer.isBuffer(content)) content.destroy();
							},
						});
					},
					{ folder_id: folderId },
					{
						itemIndex: i,
						fields: { folder_id: folder.displayName },
						creates: `the file "${fileName}" in ${folderInWords(folderId)}`,
						confirm: async () => {
							const made = await check.find({ name: fileName, size: source.size });
							return made && { data: [uploadAnswer(made)] };
						},
					},
				),
		);
		const uploaded = (Array.isArray(envelope.data) ? envelope.data[0] : envelope.data) as
			| IDataObject
			| undefined;
		if (!uploaded || uploaded.error) {
			const why = String(uploaded?.error ?? envelope.response ?? 'the site sent no file details');
			throw new NodeApiError(
				this.getNode(),
				{ message: why },
				{ message: `The upload of "${fileName}" failed: ${why} [item ${i}]`, itemIndex: i },
			);
		}
		// The site's answer names the file as stored; `renamedFrom` keeps the binary's own name.
		return toItems(renamedFrom === undefined ? uploaded : { ...uploaded, renamedFrom });
	},
};
