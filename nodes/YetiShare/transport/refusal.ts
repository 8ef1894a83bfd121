/**
 * Answers that mean a request never reached the script whole: the site's PHP or the web server in
 * front of it refused it for its size. The script then answers as if nothing had been sent
 * ("Please provide the access_token param.", "Did not receive uploaded file."), which reads as a
 * broken credential or a node bug. Here those answers become what happened, which limit is the
 * likely cause and what to ask the site owner. None of them is retried or taken for a dead token.
 */
import { SiteError } from './site';

/** What an upload sent: the file part, and whether the session token went with it. */
export interface SentUpload {
	name: string;
	size: number;
	tokenSent: boolean;
}

/** Sizes as people read them: 3145728 → "3.0 MiB". */
export function formatBytes(bytes: number): string {
	const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const ASK_OWNER =
	"Ask the site owner to raise PHP's upload_max_filesize and post_max_size " +
	"(php.ini) and the web server's body limit (nginx: client_max_body_size; " +
	'Apache: LimitRequestBody) above the size of your files, or upload smaller files.';

/** Why the script saw no upload, by its answer, for a file that was sent whole and not empty. */
const NOT_RECEIVED: Array<{
	answer: RegExp;
	applies: (sent: SentUpload) => boolean;
	limit: string;
	why: (answer: string) => string;
}> = [
	{
		// PHP drops every field and the file of a body over post_max_size, the token included
		answer: /^please provide the access_token param\.?$/i,
		applies: (sent) => sent.tokenSent,
		limit: "the request was larger than the site's PHP post_max_size",
		why: (answer) =>
			`The site answered "${answer}", though the node sent the access token: ` +
			`PHP drops every field and the file of a request larger than its post_max_size ` +
			`(8 MB in a stock PHP), and the script then finds nothing. The credential is fine.`,
	},
	{
		answer: /^did not receive uploaded file\.?$/i,
		applies: () => true,
		limit: "the file is likely larger than the site's PHP upload_max_filesize",
		why: (answer) =>
			`The site answered "${answer}": PHP hands the script no file ` +
			`larger than its upload_max_filesize (2 MB in a stock PHP). ` +
			`Less often the site's temporary upload folder is full or missing.`,
	},
	{
		answer: /^filesize received was zero\.?$/i,
		applies: () => true,
		limit: "it arrived empty, likely for being larger than the site's PHP upload_max_filesize",
		why: (answer) =>
			`The site answered "${answer}" for a file that is not empty: ` +
			`PHP kept none of its bytes, as it does for a file over upload_max_filesize, ` +
			`or the site's disk or temporary upload folder is full.`,
	},
];

/**
 * The refusal behind a failed answer, said in words, or undefined when the failure is something
 * else. `upload` is what an upload sent (undefined for other calls).
 */
export function explainRefusal(
	error: unknown,
	endpoint: string,
	upload?: SentUpload,
): SiteError | undefined {
	if (!(error instanceof SiteError)) return undefined;
	const httpCode = error.details.httpCode;
	if (error.kind === 'http' && httpCode === 413) {
		const what = upload
			? `the upload of "${upload.name}" (${formatBytes(upload.size)})`
			: `the request to ${endpoint}`;
		return new SiteError(`The site's web server refused ${what} as too large (HTTP 413)`, 'http', {
			httpCode,
			description:
				`The web server in front of the site (or a proxy before it) has a limit on the ` +
				`size of a request body, such as nginx's client_max_body_size (1 MB unless the ` +
				`site sets it) or Apache's LimitRequestBody, and the script never saw the request. ` +
				`${upload ? ASK_OWNER : 'Ask the site owner to raise that limit.'}`,
		});
	}
	const answer = error.details.serverMessage;
	if (!upload || upload.size === 0 || error.kind !== 'api' || answer === undefined)
		return undefined;
	const known = NOT_RECEIVED.find(
		(candidate) => candidate.answer.test(answer.trim()) && candidate.applies(upload),
	);
	if (!known) return undefined;
	return new SiteError(
		`The site did not receive the file "${upload.name}" (${formatBytes(upload.size)}): ${known.limit}`,
		'api',
		{
			serverMessage: answer,
			description: `${known.why(answer)} ${ASK_OWNER}`,
		},
	);
}
