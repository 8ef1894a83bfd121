import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { networkError, signInFailure } from '../nodes/YetiShare/transport/causes';
import {
	apiUrl,
	authorizeFields,
	encodeForm,
	FORM_HEADERS,
	readAnswer,
	requestTimeoutMs,
	type YetiShareCredentials,
} from '../nodes/YetiShare/transport/site';

/** Adds the session fields to a form body, whether it is an encoded string, an object or a multipart form. */
function withSessionFields(
	body: unknown,
	session: { access_token: string; account_id: string },
): unknown {
	if (typeof body === 'string') {
		return `${body}${body === '' ? '' : '&'}${encodeForm(session)}`;
	}
	if (body instanceof URLSearchParams) {
		for (const [name, value] of Object.entries(session)) body.set(name, value);
		return body;
	}
	if (
		body !== null &&
		typeof body === 'object' &&
		typeof (body as { append?: unknown }).append === 'function'
	) {
		// a multipart form (uploads: the transport's MultipartForm, which sends text fields first)
		for (const [name, value] of Object.entries(session))
			(body as { append: (n: string, v: string) => void }).append(name, value);
		return body;
	}
	return { ...((body as IDataObject | undefined) ?? {}), ...session };
}

/** /authorize with the credential's keys or login: the session token and account id n8n stores with the credential. */
async function authorize(helper: IHttpRequestHelper, site: YetiShareCredentials) {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: apiUrl(site.baseUrl, 'authorize'),
		headers: FORM_HEADERS,
		body: encodeForm(authorizeFields(site)),
		timeout: requestTimeoutMs(site),
		skipSslCertificateValidation: site.ignoreSSLIssues === true,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
		json: false,
		// a 301 or 302 would turn the POST into a GET without the keys: reported instead (readAnswer)
		disableFollowRedirect: true,
	};
	const response = (await helper.helpers.httpRequest(request).catch((error: unknown) => {
		// the editor's credential test shows this message as it is (a bare code otherwise)
		throw networkError(error, 'authorize') ?? error;
	})) as { statusCode: number; body: unknown; headers: Record<string, unknown> };
	const envelope = readAnswer(
		'authorize',
		response.statusCode,
		response.body,
		response.headers,
		request.url,
	);
	const data = (envelope.data ?? {}) as IDataObject;
	if (typeof data.access_token !== 'string' || data.access_token === '') {
		throw new Error('The site accepted the login but sent no access token');
	}
	return { accessToken: data.access_token, accountId: String(data.account_id ?? '') };
}

export class YetiShareApi implements ICredentialType {
	name = 'yetiShareApi';

	displayName = 'YetiShare API';

	icon: Icon = { light: 'file:../icons/yetishare.svg', dark: 'file:../icons/yetishare.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-yetishare/n8n-nodes-yetishare#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://files.example.com',
			description:
				'Address of the site running the File Upload Script (YetiShare). The API path /api/v2/ is added for you; pasting it too is fine.',
		},
		{
			displayName:
				'This address uses plain http://: the keys or password, ' +
				'the session token and every file travel unencrypted. ' +
				'Use https:// unless the site is on this machine or your own network.',
			name: 'plainHttpNotice',
			type: 'notice',
			default: '',
			displayOptions: {
				show: { baseUrl: [{ _cnd: { startsWith: 'http://' } }] },
				hide: {
					baseUrl: [
						{ _cnd: { startsWith: 'http://localhost' } },
						{ _cnd: { startsWith: 'http://127.' } },
						{ _cnd: { startsWith: 'http://[::1]' } },
					],
				},
			},
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'API Keys',
					value: 'apiKeys',
					description: 'Key 1 and Key 2 from your account page on the site (the usual setting)',
				},
				{
					name: 'Username & Password',
					value: 'usernamePassword',
					description: 'Your site login, for sites whose owner set the API to account login',
				},
			],
			default: 'apiKeys',
		},
		{
			displayName: 'Key 1',
			name: 'apiKey1',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['apiKeys'] } },
			description:
				'64 letters and digits. On the site, log in and open Edit Account (/account_edit): ' +
				'fill or generate "Key 1" and "Key 2", then click "Update Account". If the fields ' +
				'are missing, the site owner has not allowed API access for your account level.',
		},
		{
			displayName: 'Key 2',
			name: 'apiKey2',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['apiKeys'] } },
			description: 'The second 64-character key from the same page',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['usernamePassword'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['usernamePassword'] } },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description:
				'How long to wait for the site to answer before giving up. ' +
				'For uploads and downloads: how long a transfer may stall, not its total time.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description:
				'When the site is busy (HTTP 429, a 5xx from its proxy, a dropped connection), ' +
				'how long one call may spend waiting to try again: as long as the site ' +
				'asks (Retry-After), otherwise a little longer each time. Attempts that got ' +
				'no answer within the timeout count too. Calls that create something are ' +
				'repeated only after checking that nothing was created. 0 turns retries off.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSSLIssues',
			type: 'boolean',
			default: false,
			description:
				"Whether to connect even when the site's TLS certificate cannot be verified " +
				'(a self-signed certificate). Anyone between n8n and the site could ' +
				'then read the keys and files: use it only for a site you run yourself.',
		},
		{
			// Filled by /authorize and stored with the credential, so every execution and process shares one token.
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'hidden',
			default: '',
		},
	];

	/**
	 * n8n calls this when the stored token is empty (and the node's transport empties it when the
	 * site reports it dead); n8n then saves the result with the credential.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		try {
			return await authorize(this, credentials as unknown as YetiShareCredentials);
		} catch (error) {
			throw signInFailure(error);
		}
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	) {
		requestOptions.body = withSessionFields(requestOptions.body, {
			access_token: String(credentials.accessToken ?? ''),
			account_id: String(credentials.accountId ?? ''),
		}) as IHttpRequestOptions['body'];
		return requestOptions;
	}

	// The editor's "Test" button: /authorize runs first (its errors are the server's own words),
	// then account/info proves the token works. Errors come back with HTTP 200, hence the rules.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			url: '={{ $credentials.baseUrl.trim().replace(/\\/+$/, "").replace(/\\/api\\/v2$/i, "") + "/api/v2/account/info" }}',
			headers: FORM_HEADERS,
			body: '',
			skipSslCertificateValidation: '={{ $credentials.ignoreSSLIssues === true }}',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: '_status',
					value: 'error',
					message:
						'The site refused the access token: check the keys, or ask the site owner to allow API access for your account level',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'error',
					message:
						'The site refused the access token: check the keys, or ask the site owner to allow API access for your account level',
				},
			},
		],
	};
}
