/**
 * Pure unit tests of transport/refusal.ts: uploads the site refused for their size, said in words.
 */
import { classifyFailure } from '../../nodes/YetiShare/transport/retry';
import { isInvalidTokenError } from '../../nodes/YetiShare/transport/causes';
import {
	explainRefusal,
	formatBytes,
	type SentUpload,
} from '../../nodes/YetiShare/transport/refusal';
import { readAnswer, SiteError } from '../../nodes/YetiShare/transport/site';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

function answerError(endpoint: string, statusCode: number, body: unknown): SiteError {
	try {
		readAnswer(endpoint, statusCode, body);
	} catch (error) {
		return error as SiteError;
	}
	throw new Error('accepted');
}
const scriptSaid = (response: string) =>
	answerError('file/upload', 200, { _status: 'error', response });
const upload = (extra: Partial<SentUpload> = {}): SentUpload => ({
	name: 'video.mp4',
	size: 3 * MiB,
	tokenSent: true,
	...extra,
});

describe('sizes as people read them', () => {
	it('under 1 KiB is whole bytes', () => {
		expect(formatBytes(0)).toBe('0 bytes');
		expect(formatBytes(1)).toBe('1 bytes');
		expect(formatBytes(1023)).toBe('1023 bytes');
	});

	it('1024 bytes is 1.0 KiB', () => {
		expect(formatBytes(1024)).toBe('1.0 KiB');
		expect(formatBytes(1536)).toBe('1.5 KiB');
	});

	it('just under 1 MiB still reads in KiB, rounded to one decimal', () => {
		expect(formatBytes(MiB - 1)).toBe('1024.0 KiB');
	});

	it('3145728 bytes is "3.0 MiB"', () => {
		expect(formatBytes(3_145_728)).toBe('3.0 MiB');
		expect(formatBytes(MiB)).toBe('1.0 MiB');
	});

	it('GiB and TiB, and TiB is the largest unit', () => {
		expect(formatBytes(GiB)).toBe('1.0 GiB');
		expect(formatBytes(2.25 * GiB)).toBe('2.3 GiB');
		expect(formatBytes(TiB)).toBe('1.0 TiB');
		expect(formatBytes(1024 * TiB)).toBe('1024.0 TiB');
	});
});

describe('a request body too large for the web server (HTTP 413)', () => {
	const tooLarge = () =>
		answerError('file/upload', 413, '<html><h1>413 Request Entity Too Large</h1></html>');

	it('an upload refused as too large names the file and its size', () => {
		const error = explainRefusal(tooLarge(), 'file/upload', upload())!;
		expect(error).toBeInstanceOf(SiteError);
		expect(error.kind).toBe('http');
		expect(error.message).toBe(
			'The site\'s web server refused the upload of "video.mp4" (3.0 MiB) as too large (HTTP 413)',
		);
		expect(error.details.httpCode).toBe(413);
		expect(error.details.description).toContain('client_max_body_size');
		expect(error.details.description).toContain("PHP's upload_max_filesize and post_max_size");
	});

	it('another call refused as too large names the endpoint', () => {
		const error = explainRefusal(answerError('folder/create', 413, ''), 'folder/create')!;
		expect(error.message).toBe(
			"The site's web server refused the request to folder/create as too large (HTTP 413)",
		);
		expect(error.details.description!.endsWith('Ask the site owner to raise that limit.')).toBe(
			true,
		);
	});

	it('is not retried and is not taken for a dead token', () => {
		const error = explainRefusal(tooLarge(), 'file/upload', upload());
		expect(classifyFailure(error)).toBeUndefined();
		expect(isInvalidTokenError(error)).toBe(false);
	});
});

describe('an upload the script did not receive whole', () => {
	it('"Please provide the access_token param." after sending the token means post_max_size, not a bad credential', () => {
		const original = scriptSaid('Please provide the access_token param.');
		expect(original.details.problem).toBe('parameterMissing');
		const error = explainRefusal(original, 'file/upload', upload())!;
		expect(error.kind).toBe('api');
		expect(error.message).toBe(
			'The site did not receive the file "video.mp4" (3.0 MiB): the request was larger than the site\'s PHP post_max_size',
		);
		expect(error.details.serverMessage).toBe('Please provide the access_token param.');
		expect(error.details.description).toContain('The credential is fine.');
		expect(error.details.problem).toBeUndefined();
	});

	it('"Please provide the access_token param." when no token was sent is a real missing token', () => {
		expect(
			explainRefusal(
				scriptSaid('Please provide the access_token param.'),
				'file/upload',
				upload({ tokenSent: false }),
			),
		).toBeUndefined();
	});

	it('the answer is matched without regard to case, a final period or surrounding spaces', () => {
		for (const answer of [
			'please provide the ACCESS_TOKEN param',
			'  Please provide the access_token param.  ',
		]) {
			expect(explainRefusal(scriptSaid(answer), 'file/upload', upload())?.message).toContain(
				'post_max_size',
			);
		}
	});

	it('"Did not receive uploaded file." means upload_max_filesize', () => {
		const error = explainRefusal(
			scriptSaid('Did not receive uploaded file.'),
			'file/upload',
			upload({ tokenSent: false }),
		)!;
		expect(error.message).toBe(
			'The site did not receive the file "video.mp4" (3.0 MiB): the file is likely larger than the site\'s PHP upload_max_filesize',
		);
		expect(error.details.description).toContain(
			'The site answered "Did not receive uploaded file."',
		);
	});

	it('"Filesize received was zero." for a file that is not empty means it arrived empty', () => {
		const error = explainRefusal(
			scriptSaid('Filesize received was zero.'),
			'file/upload',
			upload({ name: 'a.bin', size: 1536 }),
		)!;
		expect(error.message).toBe(
			'The site did not receive the file "a.bin" (1.5 KiB): it arrived empty, ' +
				"likely for being larger than the site's PHP upload_max_filesize",
		);
	});

	it('an empty file the script calls empty is left as the script said', () => {
		expect(
			explainRefusal(scriptSaid('Filesize received was zero.'), 'file/upload', upload({ size: 0 })),
		).toBeUndefined();
		expect(
			explainRefusal(
				scriptSaid('Did not receive uploaded file.'),
				'file/upload',
				upload({ size: 0 }),
			),
		).toBeUndefined();
	});

	it('the same answers to a call that is not an upload are left alone', () => {
		expect(
			explainRefusal(scriptSaid('Please provide the access_token param.'), 'folder/info'),
		).toBeUndefined();
	});

	it('a longer answer that only contains those words is left alone', () => {
		expect(
			explainRefusal(
				scriptSaid('Error: did not receive uploaded file. Try again'),
				'file/upload',
				upload(),
			),
		).toBeUndefined();
	});

	it('the explained error is neither retried nor taken for a dead token', () => {
		const error = explainRefusal(
			scriptSaid('Please provide the access_token param.'),
			'file/upload',
			upload(),
		);
		expect(classifyFailure(error)).toBeUndefined();
		expect(isInvalidTokenError(error)).toBe(false);
	});
});

describe('everything else is not a refusal', () => {
	it('other API errors, other HTTP errors and errors that are not SiteErrors', () => {
		expect(
			explainRefusal(scriptSaid('Could not find folder.'), 'file/upload', upload()),
		).toBeUndefined();
		expect(
			explainRefusal(answerError('file/upload', 500, 'oops'), 'file/upload', upload()),
		).toBeUndefined();
		expect(explainRefusal(new Error('HTTP 413'), 'file/upload', upload())).toBeUndefined();
		expect(explainRefusal(undefined, 'file/upload', upload())).toBeUndefined();
	});

	it('a 413 that is not an HTTP answer (an API message) is not a web-server refusal', () => {
		expect(
			explainRefusal(
				new SiteError('x', 'api', { httpCode: 413, serverMessage: 'x' }),
				'file/upload',
				upload(),
			),
		).toBeUndefined();
	});
});
