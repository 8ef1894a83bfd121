/**
 * The one place where a failure becomes the node error n8n shows: what the site said, which
 * parameter it is about, how often a call was tried. The failure it was is kept beside the node
 * error, so that callers handling some failures themselves (`settle`) act on it, never on wording.
 */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asSiteError, networkError } from './causes';
import type { ApiRequestOptions, YetiShareContext } from './request';
import type { AttemptFailure } from './retry';
import {
	resultOf,
	type ApiProblem,
	type FormFields,
	type SiteError,
	type SiteErrorKind,
} from './site';

/** Gave up after retrying: says what the site did, how often it was tried, and what to do. */
export class RetriesExhausted extends Error {
	constructor(
		readonly failure: AttemptFailure,
		readonly attempts: number,
		readonly last: unknown,
		readonly waitedTooLong?: number,
		/** Of the retry budget, the time spent in attempts that waited for an answer and failed. */
		readonly waitedForAnswersMs = 0,
	) {
		super(
			failure.rateLimited
				? `The site is rate-limiting requests (HTTP 429)`
				: `The site kept failing: ${failure.reason}`,
		);
		this.name = 'RetriesExhausted';
	}
}

/** A create that failed in a way that leaves it unknown whether the site acted, and could not be checked. */
export class OutcomeUnknown extends Error {
	constructor(
		readonly failure: AttemptFailure,
		readonly what: string,
		readonly checkFailed?: unknown,
	) {
		super(`It is unknown whether the site created ${what}: ${failure.reason}`);
		this.name = 'OutcomeUnknown';
	}
}

/**
 * Thrown by a `confirm` that looked and could not tell whether the call created something (its
 * message says what it saw, and where): the outcome stays unknown and the call is not repeated.
 */
export class OutcomeInconclusive extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OutcomeInconclusive';
	}
}

/** The parameter an API error is about, when the server's message names its field. */
function parameterOf(message: string, fields: FormFields, labels: Record<string, string> = {}) {
	// Longest first: "new_parent_folder_id" also contains "folder_id".
	const byLength = Object.entries(labels).sort(([a], [b]) => b.length - a.length);
	for (const [field, label] of byLength) {
		if (message.includes(field)) return { label, value: fields[field] };
	}
	return undefined;
}

function itemSuffix(itemIndex?: number): string {
	return itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
}

/**
 * What a failed call met, as the transport classified it. Callers that handle a failure
 * themselves (a folder that is gone, an older site) act on this, never on an error's wording.
 */
export interface CallFailure {
	/** How the site failed ('gaveUp': retries exhausted or an unknown outcome; 'other': not from the site). */
	kind: SiteErrorKind | 'gaveUp' | 'other';
	/** For 'api': what the server's message is about, and the field it names. */
	problem?: ApiProblem;
	parameter?: string;
}

export type NodeError = NodeApiError | NodeOperationError;

/** The failure behind each node error `toNodeError` made. */
const failures = new WeakMap<NodeError, CallFailure>();

/** A call's answer, or the node error it failed with and what it met. */
export type CallResult<T> =
	| { ok: true; value: T }
	| { ok: false; error: NodeError; failure: CallFailure };

/**
 * Runs calls of this transport (apiRequest, downloadFile, or helpers built on them) and returns
 * their failure as a value, for a caller that handles some failures itself and throws the rest.
 */
export async function settle<T>(
	ctx: YetiShareContext,
	run: () => Promise<T>,
	itemIndex?: number,
): Promise<CallResult<T>> {
	const tried = await resultOf(run);
	if (tried.ok) return tried;
	const error = toNodeError(ctx, tried.error, 'the site', {}, { itemIndex });
	return { ok: false, error, failure: failures.get(error) ?? { kind: 'other' } };
}

/**
 * The one place where a failure inside the transport (SiteError, RetriesExhausted, OutcomeUnknown,
 * an HTTP client's error) becomes the node error n8n shows; the failure it was is kept for `settle`.
 */
export function toNodeError(
	ctx: YetiShareContext,
	error: unknown,
	endpoint: string,
	fields: FormFields,
	options: ApiRequestOptions,
): NodeError {
	// Made here already, or a parameter error. (n8n's HTTP helpers throw NodeApiErrors of their own:
	// those are failures to classify like any other.)
	if (error instanceof NodeOperationError || (error instanceof NodeApiError && failures.has(error)))
		return error;
	const gaveUp = error instanceof RetriesExhausted || error instanceof OutcomeUnknown;
	const site = gaveUp ? undefined : siteErrorOf(error, endpoint);
	const made = describeFailure(ctx, error, site, endpoint, fields, options);
	const { problem, parameter } = site?.details ?? {};
	failures.set(made, { kind: site?.kind ?? (gaveUp ? 'gaveUp' : 'other'), problem, parameter });
	return made;
}

function siteErrorOf(error: unknown, endpoint: string): SiteError | undefined {
	return asSiteError(error) ?? networkError(error, endpoint);
}

function describeFailure(
	ctx: YetiShareContext,
	error: unknown,
	site: SiteError | undefined,
	endpoint: string,
	fields: FormFields,
	{ itemIndex, fields: labels }: ApiRequestOptions,
): NodeError {
	const node = ctx.getNode();
	if (error instanceof RetriesExhausted || error instanceof OutcomeUnknown) {
		const cause =
			error instanceof RetriesExhausted
				? error.last
				: error.checkFailed instanceof OutcomeInconclusive
					? undefined
					: error.checkFailed;
		// described afresh, as it was met inside this call (even when it is a node error of a nested call)
		const last =
			cause === undefined
				? undefined
				: cause instanceof NodeOperationError
					? cause
					: describeFailure(ctx, cause, siteErrorOf(cause, endpoint), endpoint, fields, {});
		let message: string;
		let description: string;
		if (error instanceof RetriesExhausted) {
			const { failure, attempts, waitedTooLong, waitedForAnswersMs } = error;
			const tried = attempts === 1 ? 'once' : `${attempts} times`;
			message = failure.rateLimited
				? `The site is rate-limiting requests (HTTP 429): ${endpoint} was refused, tried ${tried}`
				: `The site kept failing (${failure.reason}): ${endpoint} was tried ${tried}`;
			if (waitedTooLong === undefined) {
				description =
					`The last answer: ${last?.message}. Try again later; ` +
					`the credential's "Max Retry Wait (Seconds)" sets how long a call keeps trying.`;
			} else if (waitedForAnswersMs > 0) {
				description =
					`Waiting for the site's answers took ${Math.ceil(waitedForAnswersMs / 1000)} s ` +
					`of the credential's "Max Retry Wait (Seconds)", ` +
					`and the next try would have passed it. Check that the site is up; ` +
					`raise "Timeout (Seconds)" and "Max Retry Wait (Seconds)" if it is only slow.`;
			} else {
				description =
					`The next try would have waited ${Math.ceil(waitedTooLong / 1000)} s, beyond the ` +
					`credential's "Max Retry Wait (Seconds)". Raise it, or run the workflow less often.`;
			}
		} else {
			message = `It is unknown whether the site created ${error.what}: ${error.failure.reason} while calling ${endpoint}`;
			const notRepeated = 'The call was not repeated, so that nothing is created twice.';
			const check = 'Check on the site before running this item again.';
			description =
				error.checkFailed instanceof OutcomeInconclusive
					? `${error.checkFailed.message}. ${notRepeated} ${check}`
					: last
						? `${notRepeated.slice(0, -1)}, and looking for the result failed too (${last.message}). ${check}`
						: `${notRepeated} ${check}`;
		}
		return new NodeApiError(node, { message, description } as JsonObject, {
			message: `${message}${itemSuffix(itemIndex)}`,
			description,
			httpCode: last instanceof NodeApiError ? (last.httpCode ?? undefined) : undefined,
			itemIndex,
		});
	}
	if (site?.kind === 'config') {
		return new NodeOperationError(node, `${site.message}${itemSuffix(itemIndex)}`, { itemIndex });
	}
	if (site) {
		let message = site.message;
		let description = site.details.description;
		if (site.kind === 'api') {
			const parameter = parameterOf(site.message, fields, labels);
			if (parameter) {
				description = `The site answered ${endpoint} with: "${site.message}"`;
				message = `${site.message} (parameter "${parameter.label}": ${JSON.stringify(String(parameter.value ?? ''))})`;
			}
		}
		return new NodeApiError(
			node,
			// the API answers its errors with HTTP 200; a site not reached answered nothing
			{
				message,
				description: description ?? '',
				...(site.kind === 'network' || site.kind === 'tls'
					? {}
					: { httpCode: String(site.details.httpCode ?? 200) }),
			} as JsonObject,
			{
				message: `${message}${itemSuffix(itemIndex)}`,
				description,
				httpCode: site.details.httpCode ? String(site.details.httpCode) : undefined,
				itemIndex,
			},
		);
	}
	const message = `Calling ${endpoint} failed: ${error instanceof Error ? error.message : String(error)}`;
	return new NodeApiError(node, { message } as JsonObject, {
		message: `${message}${itemSuffix(itemIndex)}`,
		itemIndex,
	});
}
