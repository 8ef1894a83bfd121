import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

import { apiRequest, downloadFile } from '../transport';

/** Streams a file into n8n's binary store under `property`, for the item `itemIndex`. */
export async function downloadInto(
	ctx: IExecuteFunctions | IPollFunctions,
	itemIndex: number | undefined,
	link: IDataObject,
	property: string,
) {
	const fileName = link.filename === undefined ? undefined : String(link.filename);
	const binary = await downloadFile(ctx, String(link.download_url), { itemIndex, fileName });
	return { [property]: binary };
}

/**
 * A file by id into n8n's binary store: a fresh download link, then the bytes. Used by Upload From
 * URL (the finished file) and the trigger (new files), which both have an id and no picker.
 */
export async function downloadById(
	ctx: IExecuteFunctions | IPollFunctions,
	itemIndex: number | undefined,
	fileId: string,
	property = 'data',
) {
	const { data } = await apiRequest.call(ctx, 'file/download', { file_id: fileId }, { itemIndex });
	return await downloadInto(ctx, itemIndex, data as IDataObject, property);
}
