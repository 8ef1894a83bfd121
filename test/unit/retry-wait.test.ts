/**
 * Pure unit tests of transport/waits.ts: how long to wait before sending a failed call again
 * (Retry-After, backoff). No server, no real waiting.
 */
import { backoffMs, parseRetryAfter } from '../../nodes/YetiShare/transport/waits';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('Retry-After', () => {
	it('a number of seconds is that many seconds', () => {
		expect(parseRetryAfter('120', NOW)).toBe(120_000);
		expect(parseRetryAfter('1', NOW)).toBe(1000);
	});

	it('"0" means retry now', () => {
		expect(parseRetryAfter('0', NOW)).toBe(0);
	});

	it('spaces around the seconds are ignored', () => {
		expect(parseRetryAfter('  5 ', NOW)).toBe(5000);
	});

	it('a repeated header uses its first value', () => {
		expect(parseRetryAfter(['7', '9'], NOW)).toBe(7000);
	});

	it('an HTTP date in the future is the time until then', () => {
		expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
	});

	it('an HTTP date in the past means retry now', () => {
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
	});

	it('an HTTP date equal to now means retry now', () => {
		expect(parseRetryAfter(new Date(NOW).toUTCString(), NOW)).toBe(0);
	});

	it('a date is measured from the real clock when no clock is given', () => {
		const inAMinute = new Date(Date.now() + 60_000).toUTCString();
		const wait = parseRetryAfter(inAMinute)!;
		// toUTCString drops milliseconds: the wait is a little under a minute, never more
		expect(wait).toBeGreaterThan(58_000);
		expect(wait).toBeLessThanOrEqual(60_000);
	});

	it('garbage is ignored, so backoff applies', () => {
		expect(parseRetryAfter('soon', NOW)).toBeUndefined();
		expect(parseRetryAfter('5s', NOW)).toBeUndefined();
		expect(parseRetryAfter('1e3', NOW)).toBeUndefined();
	});

	it('an empty or missing header is ignored', () => {
		expect(parseRetryAfter('', NOW)).toBeUndefined();
		expect(parseRetryAfter('   ', NOW)).toBeUndefined();
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
		expect(parseRetryAfter(null, NOW)).toBeUndefined();
	});

	it('a value that is not text (a number, an object) is ignored', () => {
		expect(parseRetryAfter(5, NOW)).toBeUndefined();
		expect(parseRetryAfter({ seconds: 5 }, NOW)).toBeUndefined();
	});

	it('a negative or fractional number is neither seconds nor a date: ignored, so backoff applies', () => {
		// V8's Date.parse reads "-5" and "1.5" as dates in 2001
		for (const value of ['-5', '1.5', '+5', '-0', '1,5', '0x10'])
			expect(parseRetryAfter(value, NOW)).toBeUndefined();
		expect(parseRetryAfter(['-5'], NOW)).toBeUndefined();
	});

	it('a date that is not an HTTP date (ISO, a loose or partial form) is ignored', () => {
		for (const value of [
			'2024-05-01T12:00:30Z',
			'2024-05-01',
			'Wed, 01 May 2024',
			'May 1, 2024 12:00:30',
			'01 May 2024 12:00:30 GMT',
			'Wed, 01 May 2024 12:00:30 +0000',
		]) {
			expect(parseRetryAfter(value, NOW)).toBeUndefined();
		}
	});

	it('an HTTP date whose parts are out of range is ignored', () => {
		for (const value of [
			'Wed, 31 Feb 2024 12:00:00 GMT',
			'Wed, 01 May 2024 24:00:00 GMT',
			'Wed, 01 May 2024 12:60:00 GMT',
			'Wed, 1 May 2024 12:00:30 GMT',
			'Xyz, 01 May 2024 12:00:30 GMT',
		]) {
			expect(parseRetryAfter(value, NOW)).toBeUndefined();
		}
	});

	it('the obsolete RFC 850 form is an HTTP date too', () => {
		expect(parseRetryAfter('Wednesday, 01-May-24 12:00:30 GMT', NOW)).toBe(30_000);
	});

	it("an RFC 850 year of two digits is this century's unless that is over 50 years ahead", () => {
		expect(parseRetryAfter('Tuesday, 01-May-29 12:00:00 GMT', NOW)).toBe(
			Date.parse('2029-05-01T12:00:00Z') - NOW,
		);
		// 2099 would be 75 years ahead: 1999, in the past
		expect(parseRetryAfter('Saturday, 01-May-99 12:00:00 GMT', NOW)).toBe(0);
	});

	it('the obsolete asctime form is an HTTP date too, with a one-digit day padded by a space', () => {
		expect(parseRetryAfter('Wed May  1 12:00:30 2024', NOW)).toBe(30_000);
		expect(parseRetryAfter('Wed May 01 12:00:30 2024', NOW)).toBe(30_000);
		expect(parseRetryAfter('Sat May 11 12:00:00 2024', NOW)).toBe(10 * 86_400_000);
	});

	it('an HTTP date in a repeated header is read like one given once', () => {
		expect(parseRetryAfter(['Wed, 01 May 2024 12:00:30 GMT', '9'], NOW)).toBe(30_000);
	});
});

describe('backoff', () => {
	const lowest = () => 0;
	const highest = () => 1;

	it('grows about 1, 2, 4, 8, 16 s: the lowest is half of that', () => {
		expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(attempt, lowest))).toEqual([
			500, 1000, 2000, 4000, 8000,
		]);
	});

	it('grows about 1, 2, 4, 8, 16 s: the highest is all of that', () => {
		expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(attempt, highest))).toEqual([
			1000, 2000, 4000, 8000, 16_000,
		]);
	});

	it('is capped at 30 s however many attempts', () => {
		expect(backoffMs(6, highest)).toBe(30_000);
		expect(backoffMs(6, lowest)).toBe(15_000);
		expect(backoffMs(50, highest)).toBe(30_000);
		expect(backoffMs(50, lowest)).toBe(15_000);
	});

	it('jitter lies between half and all of the ceiling, rounded to whole milliseconds', () => {
		expect(backoffMs(1, () => 0.5)).toBe(750);
		expect(backoffMs(1, () => 1 / 3)).toBe(667);
		for (let attempt = 1; attempt <= 8; attempt++) {
			const ceiling = Math.min(1000 * 2 ** (attempt - 1), 30_000);
			for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999]) {
				const wait = backoffMs(attempt, () => r);
				expect(Number.isInteger(wait)).toBe(true);
				expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
				expect(wait).toBeLessThanOrEqual(ceiling);
			}
		}
	});

	it('uses Math.random when no random source is given', () => {
		const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
		try {
			expect(backoffMs(3)).toBe(3000);
			expect(random).toHaveBeenCalledTimes(1);
		} finally {
			random.mockRestore();
		}
	});
});
