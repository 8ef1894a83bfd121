/**
 * Names the site would not store as sent. Every input passes through PHP's trim(strip_tags()),
 * and an uploaded file's name first through PHP's upload handling, which keeps only the part
 * after the last "/" or "\". So `<i>x</i>.txt` would be stored as `i>.txt`. Names a user typed
 * are refused (they can fix them); a binary's file name from an upstream node is changed here, in
 * a predictable way, into one the site keeps as it is (the output says so).
 */

/** Where a name goes: a file's name in an upload, or a form field (folder names, file/edit). */
export type NameUse = 'upload' | 'field';

interface Rule {
	pattern: RegExp;
	/** The characters, as the error names them. */
	what: string;
	why: string;
	uploadOnly?: boolean;
}

const RULES: Rule[] = [
	{
		// strip_tags() keeps a "<" only when C's isspace() is true of the next character.
		pattern: /<(?![ \t\n\v\f\r])/g,
		what: '"<" not followed by a space',
		why: 'The site removes anything that looks like an HTML tag: from such a "<" to the next ">", or to the end of the name.',
	},
	{ pattern: /\0/g, what: 'NUL characters', why: 'The site drops NUL characters.' },
	{
		pattern: /[/\\]/g,
		what: '"/" or "\\"',
		why: 'The site keeps only the part of an uploaded file\'s name after the last "/" or "\\" (PHP\'s upload handling).',
		uploadOnly: true,
	},
	{
		pattern: /["\r\n]/g,
		what: 'quotes or line breaks',
		why: 'An upload sends them in its form as %22, %0D and %0A, and the site keeps those as they are.',
		uploadOnly: true,
	},
];

const applies = (rule: Rule, use: NameUse) => use === 'upload' || !rule.uploadOnly;

/** The rules `name` breaks, so the site would store something else. */
export function nameProblems(name: string, use: NameUse): Array<Pick<Rule, 'what' | 'why'>> {
	return RULES.filter((rule) => applies(rule, use) && new RegExp(rule.pattern.source).test(name));
}

/** PHP's trim(), which the site applies to every name. */
function phpTrim(text: string): string {
	return text.replace(/^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g, '');
}

/** Every character the site would drop or change (see RULES) as "_". */
function replaceChanged(name: string): string {
	let safe = name;
	for (const rule of RULES) safe = safe.replace(rule.pattern, '_');
	return safe;
}

/**
 * A binary's file name as the site will store it: every character it would drop or change
 * (see RULES) becomes "_", and spaces at either end go (as the site trims them). undefined when
 * nothing is left (a name of spaces): the caller knows the fallback (the binary field and its
 * extension), and an empty name must not be sent.
 */
export function uploadName(name: string): string | undefined {
	// Trimming can leave a kept "<" last ("x < " → "x <"), which the site then strips as a tag:
	// replacing again after the trim makes it "_".
	const safe = replaceChanged(phpTrim(replaceChanged(name)));
	return safe === '' ? undefined : safe;
}
