/**
 * Downloads: a file's download URL (it carries its own token), not an API call, streamed into
 * n8n's binary store. n8n Cloud allows no `stream` import, so a transfer cut short is caught by
 * comparing what n8n stored with the Content-Length the site announced.
 */
import type { IBinaryData, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { toNodeError } from './errors';
import { sessionCredentials, type YetiShareContext } from './request';
import { retryPolicy, TRANSFER_CUT, withRetries } from './retry';
import { resultOf, requestTimeoutMs, SiteError, type YetiShareCredentials } from './site';

/** What can store binary data: executions and polls. */
type DownloadContext = IExecuteFunctions | IPollFunctions;

/** The stream n8n's request helper gives for `encoding: 'stream'`, as its binary store takes it. */
type ResponseStream = Exclude<
	Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0],
	Buffer
>;

export interface FileStream {
	stream: ResponseStream;
	fileName?: string;
	mimeType?: string;
	size?: number;
}

/** The file name a Content-Disposition header gives, preferring RFC 5987's UTF-8 form. */
function dispositionName(header: unknown): string | undefined {
	const text = Array.isArray(header) ? header[0] : typeof header === 'string' ? header : '';
	const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(text);
	if (extended) {
		// a malformed escape: fall back to the plain name
		const decoded = decodeOrUndefined(extended[1].trim());
		if (decoded !== undefined) return decoded;
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/.exec(text);
	return plain ? plain[1].trim() : undefined;
}

function decodeOrUndefined(text: string): string | undefined {
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}

/** A download cut short; classifyFailure reads it as a dropped connection (a download may be repeated). */
function transferBroken(message: string) {
	return Object.assign(new Error(message), { code: TRANSFER_CUT });
}

/**
 * Opens a download URL (it carries its own token) as a stream. A cut transfer is caught after
 * the bytes are stored (storeDownload), so nothing stands between the response and n8n's
 * binary store here.
 */
async function openDownload(
	ctx: YetiShareContext,
	url: string,
	credentials: YetiShareCredentials,
): Promise<FileStream> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: requestTimeoutMs(credentials),
		skipSslCertificateValidation: credentials.ignoreSSLIssues === true,
	})) as { statusCode: number; headers: Record<string, unknown>; body: ResponseStream };
	const { statusCode, headers, body } = response;
	if (statusCode < 200 || statusCode >= 300) {
		body.resume();
		const expired = statusCode === 403 || statusCode === 410;
		throw new SiteError(
			`Downloading the file failed: ` +
				`${expired ? 'the download link was refused (it may have expired: links are valid for 24 hours)' : `HTTP ${statusCode}`}`,
			'http',
			{
				httpCode: statusCode,
				retryAfter: typeof headers['retry-after'] === 'string' ? headers['retry-after'] : undefined,
			},
		);
	}
	const announced = Number(headers['content-length']);
	const size =
		Number.isFinite(announced) && headers['content-length'] !== undefined ? announced : undefined;
	const contentType =
		typeof headers['content-type'] === 'string'
			? headers['content-type'].split(';')[0].trim()
			: undefined;
	return {
		stream: body,
		fileName: dispositionName(headers['content-disposition']),
		mimeType: contentType,
		size,
	};
}

/** How many bytes n8n's binary store holds for `binary`: its metadata, or the inline data in memory mode. */
async function storedBytes(ctx: DownloadContext, binary: IBinaryData): Promise<number> {
	if (binary.id) return (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	return Buffer.byteLength(binary.data, BINARY_ENCODING);
}

/**
 * Stores a download in n8n's binary store and checks it is whole: a connection that closed
 * before the announced Content-Length arrived fails (and is repeated) instead of passing for
 * the file.
 */
async function storeDownload(
	ctx: DownloadContext,
	download: FileStream,
	fileName: string,
): Promise<IBinaryData> {
	let broken: Error | undefined;
	download.stream.on('error', (error: Error) => (broken ??= error));
	download.stream.on('aborted', () => (broken ??= new Error('the connection closed')));
	const cut = (received: number | string) =>
		transferBroken(
			`The connection closed after ${received} of ${download.size ?? '?'} bytes: ` +
				`the download is incomplete${broken ? ` (${broken.message})` : ''}`,
		);
	// a store that failed because the response broke is a cut transfer (repeated); any other
	// failure of the store (a size limit, say) is handed on as it is and not repeated
	const stored = await resultOf(
		async () => await ctx.helpers.prepareBinaryData(download.stream, fileName, download.mimeType),
	);
	if (!stored.ok) throw broken ? cut('some') : stored.error;
	const received = await storedBytes(ctx, stored.value);
	if (broken || (download.size !== undefined && received !== download.size)) throw cut(received);
	return stored.value;
}

/**
 * Downloads a file from its download URL into n8n's binary store, under the site's file name
 * unless `fileName` is given. A download is safe to repeat: a failed or cut transfer is started
 * over, as apiRequestWithBody retries.
 */
export async function downloadFile(
	ctx: DownloadContext,
	url: string,
	options: { itemIndex?: number; fileName?: string } = {},
): Promise<IBinaryData> {
	try {
		const credentials = await sessionCredentials(ctx, options.itemIndex);
		return await withRetries(ctx, retryPolicy(credentials), async () => {
			const download = await openDownload(ctx, url, credentials);
			return await storeDownload(ctx, download, options.fileName ?? download.fileName ?? 'file');
		});
	} catch (error) {
		throw toNodeError(ctx, error, 'the download', {}, options);
	}
}
