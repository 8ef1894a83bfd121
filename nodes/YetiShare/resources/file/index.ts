import { defineResource } from '../types';
import { copy } from './copy';
import { deleteFile } from './delete';
import { download } from './download';
import { get } from './get';
import { getUploadFromUrlStatus } from './getUploadFromUrlStatus';
import { move } from './move';
import { search } from './search';
import { update } from './update';
import { upload } from './upload';
import { uploadFromUrl } from './uploadFromUrl';

export const file = defineResource({
	option: { name: 'File', value: 'file' },
	defaultOperation: 'upload',
	operations: {
		copy,
		delete: deleteFile,
		download,
		get,
		getUploadFromUrlStatus,
		move,
		search,
		update,
		upload,
		uploadFromUrl,
	},
});
