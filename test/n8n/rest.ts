/**
 * n8n's REST API as the editor calls it, signed in as the instance's owner: what the suites use
 * where a user would click (a credential's Test button, Settings → Community Nodes).
 */
export interface RestAnswer<T = any> {
	status: number;
	data: T;
	/** n8n's error message, when it answered with one. */
	message?: string;
}

const OWNER = {
	email: 'owner@example.com',
	firstName: 'Suite',
	lastName: 'Owner',
	password: 'Suite-owner-1',
};

export class N8nRest {
	// n8n binds its session cookie to the browser that signed in
	private readonly headers: Record<string, string> = {
		'Content-Type': 'application/json',
		'browser-id': 'yetishare-suite',
	};

	constructor(readonly url: string) {}

	/** Creates the owner account of a new instance and keeps its session. */
	async setUpOwner() {
		const setup = await fetch(`${this.url}/rest/owner/setup`, {
			method: 'POST',
			headers: this.headers,
			body: JSON.stringify(OWNER),
		});
		if (!setup.ok) throw new Error(`owner setup answered ${setup.status}: ${await setup.text()}`);
		this.keepSession(setup);
	}

	/** Signs in again (after a restart, say). */
	async signIn() {
		const login = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: this.headers,
			body: JSON.stringify({
				emailOrLdapLoginId: OWNER.email,
				email: OWNER.email,
				password: OWNER.password,
			}),
		});
		if (!login.ok) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
		this.keepSession(login);
	}

	async call<T = any>(method: string, path: string, body?: unknown): Promise<RestAnswer<T>> {
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: this.headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed: any;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = text;
		}
		return {
			status: response.status,
			data: parsed?.data ?? parsed,
			message: typeof parsed?.message === 'string' ? parsed.message : undefined,
		};
	}

	/** As `call`, but anything other than 2xx throws with what n8n said. */
	async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
		const answer = await this.call<T>(method, path, body);
		if (answer.status >= 300)
			throw new Error(
				`${method} ${path} answered ${answer.status}: ${answer.message ?? JSON.stringify(answer.data)}`,
			);
		return answer.data;
	}

	/** n8n's credential test, as the editor's Test button runs it. */
	async testCredential(credential: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: string; message: string }> {
		return await this.ok('POST', '/rest/credentials/test', { credentials: credential });
	}

	private keepSession(response: Response) {
		this.headers.Cookie = response.headers
			.getSetCookie()
			.map((cookie) => cookie.split(';')[0])
			.join('; ');
	}
}
