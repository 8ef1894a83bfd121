/**
 * The transport's front door, the one way the node talks to a site: operations, list searches and
 * the trigger import from here only (the credential uses site.ts and causes.ts, which need no n8n).
 * Behind it: request.ts sends calls (session token, retries), errors.ts makes the errors users
 * see, download.ts stores downloads, site.ts reads the API's answers (errors come on HTTP 200).
 */
export {
	apiRequestWithBody,
	apiRequest,
	type ApiRequestOptions,
	type BodyFactory,
	type YetiShareContext,
} from './request';
export {
	OutcomeInconclusive,
	settle,
	type CallFailure,
	type NodeError,
	type CallResult,
} from './errors';
export { downloadFile, type FileStream } from './download';
export { multipartForm, type FilePart } from './multipart';
export { formatBytes } from './refusal';
export { resultOf } from './site';
