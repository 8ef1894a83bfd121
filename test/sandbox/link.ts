/**
 * The site's network link for file bytes: a bandwidth cap shared by every transfer in one
 * direction, as a real site's uplink is. Each chunk takes its slot on the link (size ÷ rate) after
 * the chunks before it, and passes on when its slot ends. A rate of 0 means no cap.
 */
import { Transform } from 'stream';

export class Link {
	private freeAt = 0;

	constructor(private readonly bytesPerSecond: () => number) {}

	/** A stream that lets bytes through at the link's rate. */
	throttle(): Transform {
		return new Transform({
			transform: (chunk: Buffer, _encoding, callback) => {
				const wait = this.reserve(chunk.length);
				if (wait < 1) callback(null, chunk);
				else setTimeout(() => callback(null, chunk), wait);
			},
		});
	}

	/** How long (ms) until `bytes` sent now have gone through. */
	private reserve(bytes: number): number {
		const rate = this.bytesPerSecond();
		if (!(rate > 0)) return 0;
		const now = Date.now();
		this.freeAt = Math.max(now, this.freeAt) + (bytes * 1000) / rate;
		return this.freeAt - now;
	}
}
