/**
 * The site's PHP workers: a web server in front of the script runs a fixed pool of them
 * (PHP-FPM's default pool has 5), so a site serves that many API calls at once and the others wait
 * their turn, in arrival order. A size of 0 means any number at once, kinder than a real site.
 */
export class Workers {
	private busy = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly size: () => number) {}

	/** Waits for a free worker and returns the function that frees it (once). */
	async take(): Promise<() => void> {
		const size = this.size();
		// a freed worker passes straight to the next in line, so none can slip in between
		if (size > 0 && this.busy >= size)
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		else this.busy++;
		let freed = false;
		return () => {
			if (freed) return;
			freed = true;
			const next = this.waiting.shift();
			if (next) next();
			else this.busy--;
		};
	}
}
