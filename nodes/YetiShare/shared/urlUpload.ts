import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from '../transport';

/** file/url_upload_status: Upload From URL polls it while waiting, Get Upload From URL Status asks it once. */
export async function urlUploadStatus(
	ctx: IExecuteFunctions,
	itemIndex: number,
	scheduledItemId: string | number,
): Promise<IDataObject> {
	const { data } = await apiRequest.call(
		ctx,
		'file/url_upload_status',
		{ scheduled_item_id: scheduledItemId },
		{
			itemIndex,
			fields: { scheduled_item_id: 'Scheduled Item ID' },
		},
	);
	return data as IDataObject;
}
