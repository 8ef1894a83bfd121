/**
 * Pure unit tests of transport/site.ts: reading the API's answers (errors come on HTTP 200),
 * redirects, the wire format of a call, and outcomes as values.
 */
import {
	apiUrl,
	authorizeFields,
	encodeForm,
	normalizeBaseUrl,
	resultOf,
	readAnswer,
	requestTimeoutMs,
	SiteError,
	type YetiShareCredentials,
} from '../../nodes/YetiShare/transport/site';

/** What readAnswer throws, or a failure if it accepted the answer. */
function refused(
	statusCode: number,
	body: unknown,
	headers: Record<string, unknown> = {},
	endpoint = 'folder/info',
	requestUrl?: string,
): SiteError {
	try {
		readAnswer(endpoint, statusCode, body, headers, requestUrl);
	} catch (error) {
		expect(error).toBeInstanceOf(SiteError);
		return error as SiteError;
	}
	throw new Error(`readAnswer accepted HTTP ${statusCode}`);
}

describe('successful answers', () => {
	it('a JSON object with _status success is returned as it is', () => {
		const body = { _status: 'success', response: 'ok', data: { id: 7 } };
		expect(readAnswer('folder/info', 200, body)).toBe(body);
	});

	it('a JSON text body is parsed', () => {
		expect(readAnswer('folder/info', 200, '{"_status":"success","data":{"id":7}}')).toEqual({
			_status: 'success',
			data: { id: 7 },
		});
	});

	it('a Buffer body is read as UTF-8 JSON', () => {
		expect(readAnswer('folder/info', 200, Buffer.from('{"status":"success","data":"é"}'))).toEqual({
			status: 'success',
			data: 'é',
		});
	});

	it('an object without any status is accepted (only "error" is an error)', () => {
		expect(readAnswer('account/info', 200, { data: { username: 'demo' } })).toEqual({
			data: { username: 'demo' },
		});
	});

	it('any 2xx status is read as an answer', () => {
		expect(readAnswer('folder/info', 201, { _status: 'success' })).toEqual({ _status: 'success' });
	});
});

describe('API errors on HTTP 200', () => {
	it('HTTP 200 with _status error is a site error naming the message', () => {
		const error = refused(200, { _status: 'error', response: 'Could not find folder.' });
		expect(error.kind).toBe('api');
		expect(error.message).toBe('Could not find folder.');
		expect(error.details).toEqual({
			serverMessage: 'Could not find folder.',
			problem: 'folderNotFound',
			parameter: undefined,
		});
	});

	it('HTTP 200 with status error (script 4.x) is a site error too', () => {
		const error = refused(200, '{"status":"error","response":"Could not find file."}');
		expect(error.kind).toBe('api');
		expect(error.details.problem).toBe('fileNotFound');
	});

	it('a dead token is recognised by its message, any case', () => {
		expect(
			refused(200, { _status: 'error', response: 'Could not validate access_token and account_id' })
				.details.problem,
		).toBe('invalidToken');
		expect(
			refused(200, {
				_status: 'error',
				response: 'could NOT validate ACCESS_TOKEN and account_id.',
			}).details.problem,
		).toBe('invalidToken');
	});

	it('a missing parameter names the field', () => {
		const error = refused(200, { _status: 'error', response: 'Please provide the file_id param.' });
		expect(error.details).toMatchObject({ problem: 'parameterMissing', parameter: 'file_id' });
	});

	it('an unrecognised message has no problem', () => {
		const error = refused(200, { _status: 'error', response: 'Account is locked.' });
		expect(error.message).toBe('Account is locked.');
		expect(error.details.problem).toBeUndefined();
	});

	it('an error without a message says "Unknown error"', () => {
		expect(refused(200, { _status: 'error' }).message).toBe('Unknown error');
		expect(refused(200, { _status: 'error', response: { nested: true } }).message).toBe(
			'Unknown error',
		);
	});
});

describe('answers that are not the API', () => {
	it('HTTP 200 with HTML is not JSON and quotes the start of the page', () => {
		const error = refused(200, '<html>\n  <body>Maintenance</body>\n</html>', {}, 'account/info');
		expect(error.kind).toBe('notJson');
		expect(error.message).toBe('The site did not answer account/info with JSON (HTTP 200)');
		expect(error.details.httpCode).toBe(200);
		expect(error.details.description).toBe(
			'Start of the answer: <html> <body>Maintenance</body> </html>. ' +
				'Check that the Base URL is the address of a site running the File Upload Script API v2.',
		);
	});

	it('an empty body says "(empty)"', () => {
		expect(refused(200, '').details.description).toMatch(/^Start of the answer: \(empty\)\./);
		expect(refused(200, '   \n ').details.description).toMatch(/^Start of the answer: \(empty\)\./);
		expect(refused(200, undefined).details.description).toMatch(
			/^Start of the answer: \(empty\)\./,
		);
	});

	it('JSON that is not an object (an array, null, a number, a string) is not the API', () => {
		for (const body of ['[1,2]', 'null', '5', '"text"', [1, 2], null])
			expect(refused(200, body).kind).toBe('notJson');
	});

	it('a long answer is quoted to 120 characters with an ellipsis', () => {
		const error = refused(200, 'x'.repeat(200));
		expect(error.details.description).toContain(`Start of the answer: ${'x'.repeat(120)}…. Check`);
	});

	it('an answer of exactly 120 characters is quoted whole', () => {
		expect(refused(200, 'y'.repeat(120)).details.description).toContain(
			`${'y'.repeat(120)}. Check`,
		);
	});
});

describe('HTTP errors', () => {
	it('an HTML error page is an HTTP error quoting its start', () => {
		const page = `<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>${'padding '.repeat(30)}</body></html>`;
		const error = refused(502, page, {}, 'file/upload');
		expect(error.kind).toBe('http');
		expect(error.message).toBe('The site answered HTTP 502 to file/upload');
		expect(error.details.httpCode).toBe(502);
		const quoted = page.replace(/\s+/g, ' ').slice(0, 120);
		expect(error.details.description).toBe(`Start of the answer: ${quoted}…`);
	});

	it('a JSON body on an HTTP error is quoted, not read as an answer', () => {
		const error = refused(500, { _status: 'success' });
		expect(error.kind).toBe('http');
		expect(error.details.description).toBe('Start of the answer: {"_status":"success"}');
	});

	it('Retry-After is kept as text for the retry decision', () => {
		expect(refused(429, 'slow down', { 'retry-after': '30' }).details.retryAfter).toBe('30');
		expect(
			refused(503, '', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }).details.retryAfter,
		).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
	});

	it('a Retry-After that is not text (repeated header) is dropped', () => {
		expect(refused(429, '', { 'retry-after': ['1', '2'] }).details.retryAfter).toBeUndefined();
	});

	it('401, 403 and 413 are HTTP errors with their code', () => {
		for (const status of [401, 403, 413]) {
			const error = refused(status, '');
			expect(error.kind).toBe('http');
			expect(error.details.httpCode).toBe(status);
		}
	});

	it('a 1xx status is not an answer', () => {
		expect(refused(100, '').kind).toBe('http');
	});
});

describe('a missing endpoint (HTTP 404)', () => {
	it('says the site does not offer that call and how to check the Base URL', () => {
		const error = refused(404, '<html>Not Found</html>', {}, 'folder/info');
		expect(error.kind).toBe('missingEndpoint');
		expect(error.message).toBe('This site does not offer folder/info');
		expect(error.details.httpCode).toBe(404);
		expect(error.details.description).toContain('Check that the Base URL');
	});

	it('URL uploads missing are named as a feature', () => {
		const error = refused(404, '', {}, 'file/url_upload_add');
		expect(error.message).toBe('This site does not offer URL uploads');
		expect(error.details.description).toContain('without URL uploads');
		expect(refused(404, '', {}, 'file/url_upload_status').message).toBe(
			'This site does not offer URL uploads',
		);
	});

	it('a 404 is a missing endpoint even with a JSON error body', () => {
		expect(refused(404, { _status: 'error', response: 'Could not find file.' }).kind).toBe(
			'missingEndpoint',
		);
	});
});

describe('redirects are never followed', () => {
	const from = 'http://files.example.com/api/v2/account/info';

	it('a redirect to https names the Base URL to use', () => {
		const error = refused(
			301,
			'',
			{ location: 'https://files.example.com/api/v2/account/info' },
			'account/info',
			from,
		);
		expect(error.kind).toBe('http');
		expect(error.details.httpCode).toBe(301);
		expect(error.message).toBe(
			"The site redirects its API to another address: set the credential's Base URL to https://files.example.com",
		);
		expect(error.details.description).toMatch(
			/^The site at http:\/\/files\.example\.com answered account\/info with HTTP 301, pointing to https:\/\/files\.example\.com\. /,
		);
	});

	it('a site in a sub-folder keeps its folder in the Base URL', () => {
		const error = refused(
			302,
			'',
			{ location: 'https://www.example.com/files/api/v2/account/info' },
			'account/info',
			from,
		);
		expect(error.message).toBe(
			"The site redirects its API to another address: set the credential's Base URL to https://www.example.com/files",
		);
	});

	it('a relative Location is read against the request URL', () => {
		const error = refused(
			307,
			'',
			{ location: '/api/v2/account/info' },
			'account/info',
			'https://files.example.com:8443/api/v2/account/info',
		);
		expect(error.message).toBe(
			"The site redirects its API to another address: set the credential's Base URL to https://files.example.com:8443",
		);
	});

	it('a redirect away from the API (a login page) names the site origin', () => {
		expect(
			refused(302, '', { location: 'https://files.example.com/login.php' }, 'account/info', from)
				.message,
		).toBe(
			"The site redirects its API to another address: set the credential's Base URL to https://files.example.com",
		);
	});

	it('a redirect without a usable Location says so and what to do', () => {
		const error = refused(302, '', {}, 'account/info', from);
		expect(error.message).toBe(
			'The site at http://files.example.com answered account/info with a redirect (HTTP 302) to no usable address',
		);
		expect(error.details.httpCode).toBe(302);
		expect(error.details.description).toContain('Open the site in a browser');
	});

	it('a redirect to another protocol (ftp:) is not usable', () => {
		expect(
			refused(308, '', { location: 'ftp://files.example.com/' }, 'account/info', from).message,
		).toContain('to no usable address');
	});

	it('a relative Location without a request URL is not usable, and the message names no site', () => {
		expect(refused(301, '', { location: '/api/v2/account/info' }, 'account/info').message).toBe(
			'The site answered account/info with a redirect (HTTP 301) to no usable address',
		);
	});
});

describe('outcomes as values', () => {
	it('a result is ok with its value', async () => {
		await expect(resultOf(async () => 42)).resolves.toEqual({ ok: true, value: 42 });
	});

	it('a failure is not ok and keeps the very error thrown', async () => {
		const error = new Error('boom');
		const outcome = await resultOf(async () => {
			throw error;
		});
		expect(outcome.ok).toBe(false);
		expect(!outcome.ok && outcome.error).toBe(error);
	});

	it('a rejected promise that is not an Error is kept too', async () => {
		await expect(resultOf(() => Promise.reject('text'))).resolves.toEqual({
			ok: false,
			error: 'text',
		});
	});
});

describe('the wire format of a call', () => {
	it('the Base URL accepts what users paste and drops a trailing /api/v2/', () => {
		expect(normalizeBaseUrl('https://files.example.com')).toBe('https://files.example.com');
		expect(normalizeBaseUrl(' https://files.example.com/ ')).toBe('https://files.example.com');
		expect(normalizeBaseUrl('https://files.example.com/api/v2/')).toBe('https://files.example.com');
		expect(normalizeBaseUrl('https://files.example.com/API/V2')).toBe('https://files.example.com');
		expect(normalizeBaseUrl('http://example.com:8080/files//')).toBe(
			'http://example.com:8080/files',
		);
	});

	it('a missing, non-URL or non-http Base URL is a config error', () => {
		for (const raw of ['', '   ', undefined, 42, 'files.example.com', 'ftp://files.example.com']) {
			expect(() => normalizeBaseUrl(raw)).toThrow(SiteError);
		}
		expect(() => normalizeBaseUrl('ftp://x')).toThrow(
			"The credential's Base URL must start with http:// or https:// (it starts with ftp://)",
		);
	});

	it('an endpoint is called under /api/v2/', () => {
		expect(apiUrl('https://files.example.com/api/v2/', 'folder/info')).toBe(
			'https://files.example.com/api/v2/folder/info',
		);
	});

	it('fields are form-encoded as text and empty ones are left out', () => {
		expect(
			encodeForm({ folder_id: 5, name: 'a b&c', parent: null, skip: undefined, empty: '' }),
		).toBe('folder_id=5&name=a+b%26c&empty=');
	});

	it('API keys must be 64 letters and digits, and are trimmed', () => {
		const key = 'a'.repeat(64);
		expect(
			authorizeFields({
				baseUrl: 'https://x',
				authentication: 'apiKeys',
				apiKey1: ` ${key} `,
				apiKey2: key,
			}),
		).toEqual({ key1: key, key2: key });
		expect(() =>
			authorizeFields({
				baseUrl: 'https://x',
				authentication: 'apiKeys',
				apiKey1: 'short',
				apiKey2: key,
			}),
		).toThrow("The credential's Key 1 must be 64 characters long (it has 5)");
		expect(() =>
			authorizeFields({
				baseUrl: 'https://x',
				authentication: 'apiKeys',
				apiKey1: key,
				apiKey2: `${'b'.repeat(63)}-`,
			}),
		).toThrow("The credential's Key 2 may only contain letters and digits");
	});

	it('a username login needs both a username and a password', () => {
		const base: YetiShareCredentials = { baseUrl: 'https://x', authentication: 'usernamePassword' };
		expect(authorizeFields({ ...base, username: 'u', password: 'p' })).toEqual({
			username: 'u',
			password: 'p',
		});
		expect(() => authorizeFields({ ...base, password: 'p' })).toThrow(
			'The credential has no Username',
		);
		expect(() => authorizeFields({ ...base, username: 'u' })).toThrow(
			'The credential has no Password',
		);
	});

	it('the timeout is in seconds, 60 s when unset', () => {
		expect(requestTimeoutMs({ baseUrl: 'https://x', authentication: 'apiKeys', timeout: 5 })).toBe(
			5000,
		);
		expect(requestTimeoutMs({ baseUrl: 'https://x', authentication: 'apiKeys' })).toBe(60_000);
	});
});
