/**
 * One measured file/upload with one way of building the multipart body, inside n8n's engine
 * (binary data in filesystem mode, the file streamed from n8n's binary store), in a process of its
 * own so its peak RSS belongs to this upload alone. `npm run bench` runs every candidate in turn
 * and prints their ratios against `form-data` (the body this package sent before it dropped its
 * runtime dependency). Prints one JSON line: { ms, bytes, rssBefore, rssPeak }.
 *
 *   ts-node test/bench/multipart-candidates.ts <candidate> <apiUrl> <accessToken> <accountId> <filePath>
 */
import FormData from 'form-data';
import type { IExecuteFunctions, INodeType, IHttpRequestOptions } from 'n8n-workflow';
import { basename, join } from 'path';
import { Readable } from 'stream';

import { Engine } from '../harness';

// The built package, as n8n loads it (npm run bench builds it first).
const { multipartForm } = require(
	join(__dirname, '../../dist/nodes/YetiShare/transport/multipart.js'),
) as typeof import('../../nodes/YetiShare/transport/multipart');

export const CANDIDATES = ['form-data', 'formdata-shape', 'n8n-formData', 'own-stream'] as const;
type Candidate = (typeof CANDIDATES)[number];

interface Upload {
	url: string;
	fields: Record<string, string>;
	fileName: string;
	size: number;
	/** The file from n8n's binary store. */
	content: Readable;
}

/** Sends one upload the candidate's way; resolves the site's answer (JSON text or object). */
const send: Record<Candidate, (ctx: IExecuteFunctions, upload: Upload) => Promise<unknown>> = {
	// The previous release: form-data with a known length, through httpRequest.
	'form-data': async (ctx, { url, fields, fileName, size, content }) => {
		const form = new FormData();
		for (const [name, value] of Object.entries(fields)) form.append(name, value);
		form.append('upload_file', content, {
			filename: fileName,
			contentType: 'application/octet-stream',
			knownLength: size,
		});
		return await ctx.helpers.httpRequest({
			method: 'POST',
			url,
			body: form,
			disableFollowRedirect: true,
			json: false,
		});
	},
	// The shipped body: a FormData-shaped description that n8n's HTTP client streams.
	'formdata-shape': async (ctx, { url, fields, fileName, size, content }) => {
		const body = multipartForm(fields, 'upload_file', {
			name: fileName,
			type: 'application/octet-stream',
			size,
			stream: () => content,
		});
		return await ctx.helpers.httpRequest({
			method: 'POST',
			url,
			body,
			disableFollowRedirect: true,
			json: false,
		} as IHttpRequestOptions);
	},
	// n8n's legacy helper building the form from a description (deprecated for community nodes).
	'n8n-formData': async (ctx, { url, fields, fileName, size, content }) =>
		await ctx.helpers.request({
			method: 'POST',
			uri: url,
			formData: {
				...fields,
				upload_file: {
					value: content,
					options: {
						filename: fileName,
						contentType: 'application/octet-stream',
						knownLength: size,
					},
				},
			},
			followRedirect: false,
			followAllRedirects: false,
		}),
	// A body assembled by hand around the stream, with its Content-Length (needs Node's `stream`).
	'own-stream': async (ctx, { url, fields, fileName, size, content }) => {
		const boundary = `bench${Date.now()}`;
		const head = Buffer.from(
			Object.entries(fields)
				.map(
					([name, value]) =>
						`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
				)
				.join('') +
				`--${boundary}\r\nContent-Disposition: form-data; name="upload_file"; ` +
				`filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
		);
		const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
		const body = Readable.from(
			(async function* () {
				yield head;
				yield* content;
				yield tail;
			})(),
		);
		return await ctx.helpers.httpRequest({
			method: 'POST',
			url,
			body: body as unknown as IHttpRequestOptions['body'],
			headers: {
				'content-type': `multipart/form-data; boundary=${boundary}`,
				'content-length': String(head.length + size + tail.length),
			},
			disableFollowRedirect: true,
			json: false,
		});
	},
};

function benchNode(
	candidate: Candidate,
	apiUrl: string,
	fields: Record<string, string>,
): INodeType {
	return {
		description: {
			displayName: 'Multipart candidate',
			name: 'multipartCandidate',
			group: ['output'],
			version: 1,
			description: 'Bench only',
			defaults: { name: 'Multipart candidate' },
			inputs: ['main'] as never,
			outputs: ['main'] as never,
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			const binary = this.getInputData()[0].binary!.data;
			const { fileSize } = await this.helpers.getBinaryMetadata(binary.id!);
			const content = await this.helpers.getBinaryStream(binary.id!, 256 * 1024);
			const answer = await send[candidate](this, {
				url: `${apiUrl}/file/upload`,
				fields,
				fileName: binary.fileName ?? 'file.bin',
				size: fileSize,
				content,
			});
			const parsed = (typeof answer === 'string' ? JSON.parse(answer) : answer) as {
				data?: Array<{ size?: string; error?: unknown }>;
			};
			return [
				[
					{
						json: {
							size: Number(parsed.data?.[0]?.size ?? -1),
							error: String(parsed.data?.[0]?.error ?? ''),
						},
					},
				],
			];
		},
	};
}

async function main() {
	const [candidate, apiUrl, accessToken, accountId, file] = process.argv.slice(2) as [
		Candidate,
		string,
		string,
		string,
		string,
	];
	if (!CANDIDATES.includes(candidate)) throw new Error(`unknown candidate ${candidate}`);
	const fields = { access_token: accessToken, account_id: accountId, folder_id: '' };
	const type = 'CUSTOM.multipartCandidate';
	const engine = new Engine({
		nodeTypes: { [type]: benchNode(candidate, apiUrl, fields) },
		credentialTypes: [],
		binaryMode: 'filesystem',
	});
	await engine.init();
	try {
		const items = [
			await engine.binaryItem(file, {
				fileName: basename(file),
				mimeType: 'application/octet-stream',
			}),
		];
		(global as { gc?: () => void }).gc?.();
		const rssBefore = process.memoryUsage().rss;
		const started = process.hrtime.bigint();
		const result = await engine.run({ node: { type, parameters: {} }, items });
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		const rssPeak = process.resourceUsage().maxRSS * 1024;
		if (result.error) throw new Error(`${candidate}: ${result.error.message}`);
		process.stdout.write(
			`${JSON.stringify({ ms, bytes: result.items[0].json.size, rssBefore, rssPeak })}\n`,
		);
	} finally {
		await engine.close();
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	});
}
