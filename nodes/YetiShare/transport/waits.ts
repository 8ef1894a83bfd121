/**
 * How long to wait before sending a call again: what the site asked for in Retry-After, or
 * exponential backoff with jitter.
 */
import { clock } from '../execution/clock';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<hour>\\d\\d):(?<minute>\\d\\d):(?<second>\\d\\d)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

/** RFC 9110's HTTP-date: IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
const HTTP_DATES = [
	new RegExp(`^${DAY}, (?<day>\\d\\d) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
	new RegExp(
		`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (?<day>\\d\\d)-${MONTH}-(?<year>\\d\\d) ${TIME} GMT$`,
	),
	new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * An HTTP-date as a time, or undefined. Date.parse is not used: it takes nearly anything ("-5"
 * and "1.5" are days in 2001).
 */
function parseHttpDate(text: string, now: number): number | undefined {
	const parts = HTTP_DATES.map((form) => form.exec(text)?.groups).find(Boolean);
	if (!parts) return undefined;
	const [day, hour, minute, second] = [parts.day, parts.hour, parts.minute, parts.second].map(
		Number,
	);
	let year = Number(parts.year);
	if (parts.year.length === 2) {
		// RFC 9110: a two-digit year over 50 years ahead is the last such year in the past
		const thisYear = new Date(now).getUTCFullYear();
		year += thisYear - (thisYear % 100);
		if (year > thisYear + 50) year -= 100;
	}
	const midnight = Date.UTC(year, MONTHS.indexOf(parts.month), day);
	// 60 seconds: a leap second; a day the month lacks (31 Feb) would roll into the next month
	if (hour > 23 || minute > 59 || second > 60 || new Date(midnight).getUTCDate() !== day)
		return undefined;
	return midnight + ((hour * 60 + minute) * 60 + second) * 1000;
}

/**
 * Retry-After is either delta-seconds (digits only) or an HTTP-date. Anything else is ignored
 * (and backoff applies).
 */
export function parseRetryAfter(value: unknown, now = clock.now()): number | undefined {
	const first: unknown = Array.isArray(value) ? value[0] : value;
	const text = typeof first === 'string' ? first.trim() : '';
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = parseHttpDate(text, now);
	return date === undefined ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: about 1, 2, 4, 8 s, each between half and all of that. */
export function backoffMs(attempt: number, random = Math.random): number {
	const ceiling = Math.min(1000 * 2 ** (attempt - 1), 30_000);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
