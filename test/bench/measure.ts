/**
 * What both benchmarks measure with: generated input files, their MD5, and a child process's
 * peak RSS.
 */
import type { ChildProcess } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { once } from 'events';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

export const MiB = 1024 * 1024;

/** Writes `bytes` random bytes to `path`; resolves their MD5 (hex). */
export async function makeRandomFile(path: string, bytes: number): Promise<string> {
	const out = createWriteStream(path);
	const hash = createHash('md5');
	const block = randomBytes(4 * MiB);
	for (let written = 0; written < bytes; written += block.length) {
		const part = block.subarray(0, Math.min(block.length, bytes - written));
		hash.update(part);
		if (!out.write(part)) await once(out, 'drain');
	}
	out.end();
	await once(out, 'finish');
	return hash.digest('hex');
}

export async function md5OfFile(path: string): Promise<string> {
	const hash = createHash('md5');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/**
 * Samples a child's peak RSS (the high-water mark the kernel keeps, VmHWM) every 10 ms until it
 * exits; the returned function gives the highest value read.
 */
export function watchPeakRss(child: ChildProcess): () => number {
	let peak = 0;
	const timer = setInterval(() => {
		try {
			const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
			if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
		} catch {}
	}, 10);
	child.once('exit', () => clearInterval(timer));
	return () => peak;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Puts `stamp` and `table` between the `<!-- marker -->` and `<!-- /marker -->` lines of RELIABILITY.md. */
export function keepInReliabilityReport(marker: string, stamp: string, table: string): void {
	keepInReport('RELIABILITY.md', marker, `${stamp}\n\n${table}`);
}

/**
 * Puts `text` between the `<!-- marker -->` and `<!-- /marker -->` lines of a report at the top of
 * the repository (BENCHMARKS.md, RELIABILITY.md); without them, adds both at the end under `heading`.
 */
export function keepInReport(file: string, marker: string, text: string, heading?: string): void {
	const report = join(__dirname, '../..', file);
	const current = readFileSync(report, 'utf8');
	const block = `<!-- ${marker} -->\n${text}\n<!-- /${marker} -->`;
	const pattern = new RegExp(`<!-- ${marker} -->[\\s\\S]*<!-- /${marker} -->`);
	const updated = pattern.test(current)
		? current.replace(pattern, () => block)
		: `${current.trimEnd()}\n\n${heading ? `${heading}\n\n` : ''}${block}\n`;
	writeFileSync(report, updated);
}
