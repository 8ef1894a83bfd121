/**
 * Pure unit tests of shared/names.ts: names the site would not store as sent (PHP's
 * trim(strip_tags()) and upload handling), refused when typed and changed when uploaded.
 */
import { nameProblems, uploadName } from '../../nodes/YetiShare/shared/names';
import { phpFilename } from '../sandbox/part-headers';
import { cleanInput } from '../sandbox/php';

const problems = (name: string, use: 'upload' | 'field') =>
	nameProblems(name, use).map((rule) => rule.what);

const TAG = '"<" not followed by a space';
const NUL = 'NUL characters';
const SLASH = '"/" or "\\"';
const QUOTES = 'quotes or line breaks';

describe('names the site keeps as they are', () => {
	it('ordinary names break no rule, in an upload or a field', () => {
		for (const name of [
			'report.pdf',
			'Quarterly report (final) v2.tar.gz',
			'résumé 📄.pdf',
			"it's > 5 & more.txt",
		]) {
			expect(problems(name, 'upload')).toEqual([]);
			expect(problems(name, 'field')).toEqual([]);
		}
	});

	it('a "<" followed by whitespace is kept by the site (strip_tags leaves it)', () => {
		for (const name of ['a < b.txt', 'a <\tb', 'a <\nb', 'x <\rb', 'x <\vb', 'x <\fb'])
			expect(problems(name, 'field')).toEqual([]);
	});

	it('there is no rule on length or extension: a long name without extension is fine', () => {
		expect(problems('x'.repeat(1000), 'upload')).toEqual([]);
		expect(problems('README', 'upload')).toEqual([]);
	});
});

describe('names the site would change', () => {
	it('a "<" starting a tag is stripped, in an upload or a field', () => {
		expect(problems('<b>x.txt', 'upload')).toEqual([TAG]);
		expect(problems('<b>x.txt', 'field')).toEqual([TAG]);
		// a closing tag also holds a "/", which matters in an upload
		expect(problems('<i>x</i>.txt', 'upload')).toEqual([TAG, SLASH]);
		expect(problems('<i>x</i>.txt', 'field')).toEqual([TAG]);
	});

	it('a "<" at the end of the name is stripped (to the end of the name)', () => {
		expect(problems('draft<', 'field')).toEqual([TAG]);
	});

	it('NUL characters are dropped, in an upload or a field', () => {
		expect(problems('a\0b.txt', 'upload')).toEqual([NUL]);
		expect(problems('a\0b.txt', 'field')).toEqual([NUL]);
	});

	it('"/" and "\\" matter in an upload only (PHP keeps the part after the last one)', () => {
		expect(problems('dir/file.txt', 'upload')).toEqual([SLASH]);
		expect(problems('dir\\file.txt', 'upload')).toEqual([SLASH]);
		expect(problems('dir/file.txt', 'field')).toEqual([]);
	});

	it('quotes and line breaks matter in an upload only', () => {
		for (const name of ['say "hi".txt', 'a\rb', 'a\nb']) {
			expect(problems(name, 'upload')).toEqual([QUOTES]);
			expect(problems(name, 'field')).toEqual([]);
		}
	});

	it('a name breaking several rules lists each once, in rule order', () => {
		expect(problems('a/<b>"c"\0/<d', 'upload')).toEqual([TAG, NUL, SLASH, QUOTES]);
		expect(problems('a/<b>"c"\0/<d', 'field')).toEqual([TAG, NUL]);
	});

	it('each problem says why, for the error message', () => {
		const [tag] = nameProblems('<b>', 'field');
		expect(tag.why).toContain('HTML tag');
	});

	it('asking twice gives the same answer (no regex state carried between calls)', () => {
		expect(problems('<a', 'upload')).toEqual([TAG]);
		expect(problems('<a', 'upload')).toEqual([TAG]);
		expect(problems('x/y', 'upload')).toEqual([SLASH]);
		expect(problems('x/y', 'upload')).toEqual([SLASH]);
	});
});

describe("an uploaded binary's file name, as the site will store it", () => {
	it('an ordinary name is unchanged, extension included', () => {
		expect(uploadName('report.pdf')).toBe('report.pdf');
		expect(uploadName('résumé 📄.tar.gz')).toBe('résumé 📄.tar.gz');
		expect(uploadName('a < b.txt')).toBe('a < b.txt');
	});

	it('a "<" starting a tag becomes "_", the rest of the tag stays', () => {
		expect(uploadName('<i>x</i>.txt')).toBe('_i>x__i>.txt');
	});

	it('"/" and "\\" become "_", so the folder part is kept in the name', () => {
		expect(uploadName('dir/sub\\file.txt')).toBe('dir_sub_file.txt');
	});

	it('quotes, line breaks and NUL characters become "_"', () => {
		expect(uploadName('say "hi".txt')).toBe('say _hi_.txt');
		expect(uploadName('line\r\nbreak.txt')).toBe('line__break.txt');
		expect(uploadName('a\0b.txt')).toBe('a_b.txt');
	});

	it('spaces, tabs and vertical tabs at either end go, as PHP trim() removes them', () => {
		expect(uploadName('  report.pdf \t')).toBe('report.pdf');
		expect(uploadName('\vreport.pdf\v')).toBe('report.pdf');
	});

	it('a form feed is not trimmed (PHP trim() keeps it)', () => {
		expect(uploadName('\freport.pdf\f')).toBe('\freport.pdf\f');
	});

	it('a line break or NUL at an end becomes "_" before trimming, so it is not lost', () => {
		expect(uploadName('report.pdf\n')).toBe('report.pdf_');
		expect(uploadName('\0report.pdf')).toBe('_report.pdf');
	});

	// the site would strip a "<" left last as a tag; one before inner spaces stays
	it.each([
		['x < ', 'x _'],
		['x <\t\v', 'x _'],
		[' < ', '_'],
		[' a < b ', 'a < b'],
	])('a "<" that trimming leaves last becomes "_": %j is sent as %j', (name, sent) => {
		expect(uploadName(name)).toBe(sent);
	});

	it('a name the site would trim to nothing gives no name, for the caller to fall back', () => {
		for (const name of ['', '   ', ' \t\v ']) expect(uploadName(name)).toBeUndefined();
		// as resources/file/upload.ts falls back: never an empty name sent
		expect(uploadName('   ') || uploadName('data.pdf') || 'file.bin').toBe('data.pdf');
	});

	it('the name it gives breaks no upload rule and stays as it is when given again', () => {
		for (const name of [
			'<i>x</i>.txt',
			'a/b\\c.txt',
			'say "hi"\r\n.txt',
			'\0<\0/',
			' <b> bold </b> ',
			'ok.txt',
			'x < ',
		]) {
			const safe = uploadName(name)!;
			expect(problems(safe, 'upload')).toEqual([]);
			expect(uploadName(safe)).toBe(safe);
		}
	});
});

/** The name the sandbox (which mimics the script) stores for a file part sent under `name`. */
function storedBySandbox(name: string): string | undefined {
	const disposition = Buffer.from(
		`form-data; name="upload_file"; filename="${name}"`,
		'utf8',
	).toString('latin1');
	const received = phpFilename(disposition);
	return received === undefined ? undefined : cleanInput(received);
}

describe('the name uploadName gives is the name the site stores', () => {
	it.each([
		'x < ',
		'x <',
		'a < b.txt',
		'  spaced  .txt  ',
		'<i>x</i>.txt',
		'<!-- note -->a.txt',
		'<?php x ?>.txt',
		'a\0<\0.txt',
		'dir/sub\\file.txt',
		'say "hi".txt',
		'résumé 📄 <.pdf',
		'tab\t<\t',
		'\v<\v',
		'\f<\f',
	])('%j', (name) => {
		const safe = uploadName(name);
		expect(safe).toBeTruthy();
		expect(storedBySandbox(safe!)).toBe(safe);
	});

	it('for every name of up to 4 characters from the ones the site treats specially', () => {
		const alphabet = [
			'a',
			'<',
			'>',
			'!',
			'?',
			'-',
			' ',
			'\t',
			'\v',
			'\f',
			'\r',
			'\n',
			'\0',
			'/',
			'\\',
			'"',
		];
		let names = [''];
		for (let length = 1; length <= 4; length++) {
			names = names.flatMap((name) =>
				name.length === length - 1 ? alphabet.map((c) => name + c) : [],
			);
			for (const name of names) {
				const safe = uploadName(name);
				// no name only for blanks PHP's trim() removes and an upload sends as they are
				if (safe === undefined) expect(name).toMatch(/^[ \t\v]*$/);
				else if (storedBySandbox(safe) !== safe)
					throw new Error(
						`${JSON.stringify(name)} → ${JSON.stringify(safe)} is stored as ${JSON.stringify(storedBySandbox(safe))}`,
					);
			}
		}
	});
});
