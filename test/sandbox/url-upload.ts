/**
 * The site's background URL downloader (file/url_upload_add): each scheduled item is fetched
 * with Node's http/https, streamed to disk, and becomes a file of the account when complete.
 */
import { createHash } from 'crypto';
import { createWriteStream, rmSync } from 'fs';
import http from 'http';
import https from 'https';
import { Transform, pipeline } from 'stream';

import { siteClock } from './clock';
import { sqlDateTime } from './php';
import type { Store } from './store';
import type { SandboxScheduledItem } from './types';

const MAX_REDIRECTS = 5;

export interface UrlUploadTiming {
	delayMs: number;
	timeoutMs: number;
}

export class UrlUploads {
	private readonly timers = new Set<NodeJS.Timeout>();
	private stops = 0;
	private readonly requests = new Set<http.ClientRequest>();

	constructor(private readonly store: Store) {}

	schedule(item: SandboxScheduledItem, timing: UrlUploadTiming): void {
		const generation = this.store.generation;
		const stops = this.stops;
		// the site's clock: a test that skips the node's waits skips this one too
		void siteClock.sleep(timing.delayMs).then(() => {
			if (stops !== this.stops || generation !== this.store.generation || item.status !== 'pending')
				return;
			this.run(item, generation, timing.timeoutMs);
		});
	}

	/** Stops every job: pending ones never start, running ones are cut off. */
	stopAll(): void {
		this.stops++;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const request of this.requests) request.destroy();
		this.requests.clear();
	}

	private later(ms: number, run: () => void): NodeJS.Timeout {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		timer.unref();
		this.timers.add(timer);
		return timer;
	}

	private run(item: SandboxScheduledItem, generation: number, timeoutMs: number): void {
		item.status = 'downloading';
		item.started = sqlDateTime();
		const path = this.store.newStoragePath();
		let finished = false;
		let active: http.ClientRequest | undefined;

		const fail = (reason: string) => {
			if (finished) return;
			finished = true;
			clearTimeout(deadline);
			this.timers.delete(deadline);
			active?.destroy();
			rmSync(path, { force: true });
			if (generation !== this.store.generation) return;
			item.status = 'failed';
			item.finished = sqlDateTime();
			item.failure = reason;
		};

		const deadline = this.later(timeoutMs, () => fail(`timed out after ${timeoutMs} ms`));

		const get = (url: URL, redirectsLeft: number) => {
			const client = url.protocol === 'https:' ? https : http;
			const request = client.get(url, {
				headers: { 'user-agent': 'YetiShare Sandbox URL downloader' },
			});
			active = request;
			this.requests.add(request);
			request.once('close', () => this.requests.delete(request));
			request.once('error', (error) => fail(`request failed: ${error.message}`));
			request.once('response', (response) => {
				const status = response.statusCode ?? 0;
				if (status >= 300 && status < 400 && response.headers.location && redirectsLeft > 0) {
					response.resume();
					let next: URL;
					try {
						next = new URL(response.headers.location, url);
					} catch {
						return fail(`bad redirect to ${response.headers.location}`);
					}
					if (next.protocol !== 'http:' && next.protocol !== 'https:')
						return fail(`redirect to ${next.protocol}`);
					return get(next, redirectsLeft - 1);
				}
				if (status < 200 || status >= 300) {
					response.resume();
					return fail(`HTTP ${status}`);
				}
				const announced = Number(response.headers['content-length']);
				if (Number.isFinite(announced) && announced > 0) item.totalSize = announced;
				const limit = this.store.maxUploadSize(item.accountId);
				const hash = createHash('md5');
				let size = 0;
				const meter = new Transform({
					transform(chunk: Buffer, _encoding, callback) {
						size += chunk.length;
						if (limit > 0 && size > limit)
							return callback(new Error('larger than the account may upload'));
						hash.update(chunk);
						callback(null, chunk);
					},
				});
				pipeline(response, meter, createWriteStream(path), (error) => {
					if (error) return fail(error.message);
					if (finished) return;
					if (!response.complete) return fail('connection closed before the end of the file');
					finished = true;
					clearTimeout(deadline);
					this.timers.delete(deadline);
					if (generation !== this.store.generation) {
						rmSync(path, { force: true });
						return;
					}
					const filename = nameFromResponse(response.headers['content-disposition'], url);
					const contentType = String(response.headers['content-type'] ?? '')
						.split(';')[0]
						.trim();
					const folderId =
						item.folderId !== null && this.store.activeFolder(item.accountId, Number(item.folderId))
							? item.folderId
							: null;
					const file = this.store.createFile(item.accountId, {
						folderId,
						filename,
						storagePath: path,
						size,
						md5: hash.digest('hex'),
						fileType:
							contentType && contentType !== 'application/octet-stream' ? contentType : undefined,
						uploadSource: 'remote',
					});
					item.status = 'complete';
					item.finished = sqlDateTime();
					item.totalSize = size;
					item.fileId = file.id;
				});
			});
		};

		get(new URL(item.url), MAX_REDIRECTS);
	}
}

/** The name a downloaded file gets: the server's Content-Disposition, else the URL's last segment. */
function nameFromResponse(disposition: string | undefined, url: URL): string {
	if (disposition) {
		const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
		if (extended) {
			try {
				const name = decodeURIComponent(extended[1].trim());
				if (name) return name;
			} catch {
				// fall through to the plain parameter
			}
		}
		const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(disposition);
		const name = (plain?.[2] ?? plain?.[1] ?? '').trim();
		if (name) return name.split(/[\\/]/).pop() as string;
	}
	const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
	try {
		return decodeURIComponent(segment) || 'download';
	} catch {
		return segment || 'download';
	}
}
