import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { clock } from '../../execution/clock';
import { apiRequest } from '../../transport';
import { folderPickers } from '../../shared/descriptions';
import { downloadById } from '../../shared/download';
import { resolveFolderId } from '../../shared/locators';
import { parameterError } from '../../shared/utils';
import { urlUploadStatus } from '../../shared/urlUpload';
import type { Operation } from '../types';

const folder = folderPickers.parent('The folder to put the file in, or the root');

/** Statuses after which a scheduled URL upload will not change any more. */
const FAILED = ['failed', 'cancelled'];

export const uploadFromUrl: Operation<'uploadFromUrl'> = {
	option: {
		name: 'Upload From URL',
		value: 'uploadFromUrl',
		action: 'Upload a file from a URL',
		description: 'Have the site fetch a file from a public web address',
	},
	properties: [
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://example.com/report.pdf',
			description: 'A public http(s) address of the file; the site downloads it in the background',
		},
		folder.property,
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until the site has fetched the file and output it, instead of returning the scheduled item at once',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: { waitForCompletion: [true] } },
			options: [
				{
					displayName: 'Check Every (Seconds)',
					name: 'pollInterval',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 5,
				},
				{
					displayName: 'Download File',
					name: 'download',
					type: 'boolean',
					default: false,
					description: 'Whether to also download the finished file as binary data (field "data")',
				},
				{
					displayName: 'Give Up After (Seconds)',
					name: 'timeout',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 600,
				},
			],
		},
	],
	async execute(i) {
		const url = String(this.getNodeParameter('url', i) ?? '').trim();
		const parsed = URL.canParse(url) ? new URL(url) : undefined;
		if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
			throw parameterError(
				this,
				i,
				'URL',
				`must be an http:// or https:// address (got ${JSON.stringify(url)})`,
			);
		}
		const folderId = await resolveFolderId(this, i, folder);
		const { data } = await apiRequest.call(
			this,
			'file/url_upload_add',
			{ file_url_base64: Buffer.from(url, 'utf8').toString('base64'), folder_id: folderId },
			// The API lists no scheduled items, so an unknown outcome cannot be checked: it is reported, not repeated.
			{
				itemIndex: i,
				fields: { file_url_base64: 'URL', folder_id: folder.displayName },
				creates: `a URL upload of ${url}`,
			},
		);
		const scheduled = data as IDataObject;
		if (!this.getNodeParameter('waitForCompletion', i)) return [{ json: scheduled }];

		const options = this.getNodeParameter('options', i, {}) as {
			pollInterval?: number;
			timeout?: number;
			download?: boolean;
		};
		const interval = Math.max(1, options.pollInterval ?? 5) * 1000;
		const deadline = clock.now() + Math.max(1, options.timeout ?? 600) * 1000;
		for (;;) {
			const status = await urlUploadStatus(this, i, scheduled.scheduled_item_id as number);
			if (status.status === 'complete') {
				if (!options.download) return [{ json: status }];
				const finished = status.downloaded_file as IDataObject;
				return [{ json: status, binary: await downloadById(this, i, String(finished.file_id)) }];
			}
			if (FAILED.includes(String(status.status))) {
				throw new NodeApiError(
					this.getNode(),
					{ message: `The site could not fetch ${url}` },
					{
						message: `The site could not fetch ${url}: the URL upload ended as "${status.status}" [item ${i}]`,
						description: `Scheduled item ${scheduled.scheduled_item_id}. Check that the address is public and answers with the file.`,
						itemIndex: i,
					},
				);
			}
			if (clock.now() + interval > deadline) {
				throw new NodeApiError(
					this.getNode(),
					{ message: 'URL upload still running' },
					{
						message: `The URL upload of ${url} was still "${status.status}" when "Give Up After" ran out [item ${i}]`,
						description:
							`It may still finish on the site: check scheduled item ` +
							`${scheduled.scheduled_item_id} with "Get Upload From URL Status".`,
						itemIndex: i,
					},
				);
			}
			await clock.sleep(interval);
		}
	},
};
