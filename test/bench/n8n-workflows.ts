/**
 * The workflows `npm run bench:n8n` runs in a real n8n, built here because they carry the run's
 * sandbox address, file paths and file ids. Each task exists twice: once with the YetiShare node
 * (the credential signs in and n8n keeps the token), once with n8n's own HTTP Request node, as a
 * user without this package would build it (the workflow calls /authorize itself, then passes
 * access_token and account_id as form fields).
 */
import type { Workflow } from '../n8n/cli';

export type Client = 'yetishare' | 'http';

/** How the bench signs in to the site for each client. */
export interface SiteAccess {
	apiUrl: string;
	/** The HTTP Request workflows' keys (the YetiShare node takes its own from the credential). */
	key1: string;
	key2: string;
}

type Parameters = Record<string, unknown>;
export interface Step {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Parameters;
	credentials?: Record<string, { id: string; name: string }>;
}

const CREDENTIAL = { yetiShareApi: { id: 'yetishare-sandbox', name: 'YetiShare sandbox' } };
const TRIGGER: Step = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	parameters: {},
};

/** A workflow whose nodes run one after the other, each fed by the previous one. */
export function chain(id: string, name: string, steps: Step[]): Workflow {
	const all = [TRIGGER, ...steps];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return {
		id,
		name,
		active: false,
		nodes: all.map((step, index) => ({
			id: `${id}-${index}`,
			position: [index * 220, 0],
			...step,
		})),
		connections,
		settings: { executionOrder: 'v1' },
	};
}

export function yetiShare(name: string, parameters: Parameters): Step {
	return {
		name,
		type: 'n8n-nodes-yetishare.yetiShare',
		typeVersion: 1,
		parameters,
		credentials: CREDENTIAL,
	};
}

function httpRequest(name: string, parameters: Parameters): Step {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: { options: {}, ...parameters },
	};
}

/** The session fields, from the workflow's own /authorize call. */
const SESSION = [
	{ name: 'access_token', value: "={{ $('Authorize').first().json.data.access_token }}" },
	{ name: 'account_id', value: "={{ $('Authorize').first().json.data.account_id }}" },
];

/** An HTTP Request node that POSTs form fields to one API endpoint. */
function httpForm(
	name: string,
	site: SiteAccess,
	endpoint: string,
	fields: Array<{ name: string; value: string }>,
): Step {
	return httpRequest(name, {
		method: 'POST',
		url: `${site.apiUrl}/${endpoint}`,
		sendBody: true,
		contentType: 'form-urlencoded',
		bodyParameters: { parameters: fields },
	});
}

const authorize = (site: SiteAccess) =>
	httpForm('Authorize', site, 'authorize', [
		{ name: 'key1', value: site.key1 },
		{ name: 'key2', value: site.key2 },
	]);

export function readFile(path: string): Step {
	return {
		name: 'Read file',
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1.1,
		parameters: { operation: 'read', fileSelector: path, options: {} },
	};
}

/** n8n doing nothing: what an execution costs before any node works. */
export function idleWorkflow(): Workflow {
	return chain('bench-idle', 'Bench: n8n doing nothing', []);
}

/** Reads a file from disk into n8n's binary store, then uploads it to the site's root folder. */
export function uploadWorkflow(client: Client, site: SiteAccess, path: string): Workflow {
	if (client === 'yetishare') {
		return chain('bench-upload-ys', 'Bench: upload (YetiShare)', [
			readFile(path),
			yetiShare('Upload', {
				resource: 'file',
				operation: 'upload',
				binaryPropertyName: 'data',
				parentFolder: { __rl: true, mode: 'id', value: 'root' },
				options: {},
			}),
		]);
	}
	// Authorize first: an HTTP Request node answering JSON drops the item's binary data.
	return chain('bench-upload-http', 'Bench: upload (HTTP Request)', [
		authorize(site),
		readFile(path),
		httpRequest('Upload', {
			method: 'POST',
			url: `${site.apiUrl}/file/upload`,
			sendBody: true,
			contentType: 'multipart-form-data',
			bodyParameters: {
				// The site reads the session fields before the file, as a browser form sends them.
				parameters: [
					...SESSION.map((field) => ({ parameterType: 'formData', ...field })),
					{ parameterType: 'formData', name: 'folder_id', value: '' },
					{ parameterType: 'formBinaryData', name: 'upload_file', inputDataFieldName: 'data' },
				],
			},
		}),
	]);
}

/** Downloads one file into n8n's binary store. */
export function downloadWorkflow(client: Client, site: SiteAccess, fileId: string): Workflow {
	if (client === 'yetishare') {
		return chain('bench-download-ys', 'Bench: download (YetiShare)', [
			yetiShare('Download', {
				resource: 'file',
				operation: 'download',
				fileId: { __rl: true, mode: 'id', value: fileId },
				binaryPropertyName: 'data',
				options: {},
			}),
		]);
	}
	return chain('bench-download-http', 'Bench: download (HTTP Request)', [
		authorize(site),
		httpForm('Download link', site, 'file/download', [
			...SESSION,
			{ name: 'file_id', value: fileId },
		]),
		httpRequest('Download', {
			method: 'GET',
			url: '={{ $json.data.download_url }}',
			options: { response: { response: { responseFormat: 'file' } } },
		}),
	]);
}

/**
 * `file/info` for each of the given files, one item per file (the HTTP Request variant signs in once
 * first); `requestsInParallel` sets the YetiShare node's option (its default when not given).
 */
export function fileInfoWorkflow(
	client: Client,
	site: SiteAccess,
	id: string,
	fileIds: string[],
	requestsInParallel?: number,
): Workflow {
	const items: Step[] = [
		{
			name: 'File ids',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ id: fileIds }), options: {} },
		},
		{
			name: 'One item per file',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'id', options: {} },
		},
	];
	if (client === 'yetishare') {
		return chain(`${id}-ys`, `Bench: ${fileIds.length} × file/info (YetiShare)`, [
			...items,
			yetiShare('File info', {
				resource: 'file',
				operation: 'get',
				fileId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				...(requestsInParallel === undefined ? {} : { requestsInParallel }),
			}),
		]);
	}
	return chain(`${id}-http`, `Bench: ${fileIds.length} × file/info (HTTP Request)`, [
		authorize(site),
		...items,
		httpForm('File info', site, 'file/info', [
			...SESSION,
			{ name: 'file_id', value: '={{ $json.id }}' },
		]),
	]);
}

/** The node whose run is the measured transfer or lookup, in every workflow above. */
export const MEASURED_NODE: Record<'upload' | 'download' | 'info', string> = {
	upload: 'Upload',
	download: 'Download',
	info: 'File info',
};
