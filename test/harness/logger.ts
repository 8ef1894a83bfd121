/**
 * A logger for n8n-core that keeps every line in memory, so tests can assert on what n8n
 * and the node logged (and, above all, search the lines for secrets that must never appear).
 */
import type { Logger as N8nLogger, LogMetadata } from 'n8n-workflow';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogEntry {
	level: LogLevel;
	/** Scopes given through `logger.scoped(...)`, as n8n's own Logger has them. */
	scopes: string[];
	message: string;
	/** The metadata rendered as text, errors included, so a secret hidden in it is found too. */
	metadata: string;
}

/** Renders metadata the way a log file would carry it, without failing on cycles or errors. */
function render(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
	if (value === null || typeof value !== 'object') {
		return typeof value === 'bigint' ? value.toString() : value;
	}
	if (seen.has(value)) return '[Circular]';
	if (depth > 8) return '[Deep]';
	seen.add(value);
	if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
	if (value instanceof Error) {
		// Error fields are not enumerable: a JSON dump would lose the very text we look for.
		const out: Record<string, unknown> = {
			name: value.name,
			message: value.message,
			stack: value.stack,
		};
		for (const [key, inner] of Object.entries(value)) out[key] = render(inner, seen, depth + 1);
		if ('cause' in value) out.cause = render((value as { cause?: unknown }).cause, seen, depth + 1);
		return out;
	}
	if (Array.isArray(value)) return value.map((inner) => render(inner, seen, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) out[key] = render(inner, seen, depth + 1);
	return out;
}

function renderMetadata(metadata: LogMetadata | undefined): string {
	if (metadata === undefined) return '';
	try {
		return JSON.stringify(render(metadata)) ?? '';
	} catch {
		return String(metadata);
	}
}

/**
 * Implements n8n-workflow's `Logger` plus the `scoped()` of `@n8n/backend-common`'s Logger,
 * which n8n-core services call on the instance they get from the DI container.
 */
export class MemoryLogger implements N8nLogger {
	constructor(
		private readonly sink: LogEntry[] = [],
		private readonly scopes: string[] = [],
		/** Echo to the console too (set HARNESS_LOG=1 to see n8n's logs while debugging a test). */
		private readonly echo = process.env.HARNESS_LOG === '1',
	) {}

	get entries(): readonly LogEntry[] {
		return this.sink;
	}

	/** One line per entry: `level [scopes] message metadata`. */
	get lines(): string[] {
		return this.sink.map(
			(e) =>
				`${e.level}${e.scopes.length ? ` [${e.scopes.join(',')}]` : ''} ${e.message}${e.metadata ? ` ${e.metadata}` : ''}`,
		);
	}

	clear(): void {
		this.sink.length = 0;
	}

	scoped(scopes: string | string[]): MemoryLogger {
		return new MemoryLogger(
			this.sink,
			[...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])],
			this.echo,
		);
	}

	error(message: string, metadata?: LogMetadata): void {
		this.log('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata): void {
		this.log('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata): void {
		this.log('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata): void {
		this.log('debug', message, metadata);
	}

	private log(level: LogLevel, message: unknown, metadata?: LogMetadata): void {
		const entry: LogEntry = {
			level,
			scopes: this.scopes,
			message: typeof message === 'string' ? message : renderMetadata({ message } as LogMetadata),
			metadata: renderMetadata(metadata),
		};
		this.sink.push(entry);
		if (this.echo) console.log(`[n8n ${level}] ${entry.message} ${entry.metadata}`);
	}
}
