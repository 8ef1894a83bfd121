/**
 * The node as an AI agent's tool: the example workflow `examples/ai-agent-tools.json` (n8n's MCP
 * Server Trigger with four YetiShare tools whose parameters come from `$fromAI()`) runs in a real
 * n8n, and the official MCP client calls the tools over HTTP the way an agent would. No language
 * model: the test is the model, reading the schemas and filling the arguments.
 */
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { SandboxServer } from '../sandbox/server';
import { exampleWorkflows, N8nServer } from './cli';
import { cliWithPackageInstalled } from './packed';
import { DEFAULT_N8N_VERSION, ensureN8n } from './runtime';

const WORKFLOW = 'ys-ai-tools';
const PORT = 5740;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };

/** What a tool answered, as the JSON objects n8n put in its text content. */
function answerOf(result: ToolResult): any[] {
	const text = result.content
		.filter((part) => part.type === 'text')
		.map((part) => part.text ?? '')
		.join('');
	const parsed = JSON.parse(text);
	return Array.isArray(parsed) ? parsed : [parsed];
}

// MCP Server Trigger v2 (streamable HTTP) is in n8n 2.x
describe(`YetiShare as tools of n8n's MCP Server Trigger in a real n8n ${DEFAULT_N8N_VERSION}`, () => {
	const sandbox = new SandboxServer();
	/** The file an agent asks the site to fetch, served from a separate web server. */
	const remote = Buffer.from('Quarterly report, fetched by the site for an agent.\n'.repeat(200));
	const web = http.createServer((request, response) => {
		response.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': remote.length });
		response.end(remote);
	});
	let home: string;
	let n8n: N8nServer;
	const client = new Client({ name: 'n8n-nodes-yetishare e2e', version: '1.0.0' });

	const call = async (name: string, args: Record<string, unknown>) =>
		(await client.callTool({ name, arguments: args })) as ToolResult;

	beforeAll(async () => {
		const runtime = await ensureN8n(DEFAULT_N8N_VERSION);
		await sandbox.start();
		await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
		home = mkdtempSync(join(tmpdir(), 'n8n-e2e-mcp-'));
		const cli = await cliWithPackageInstalled(runtime, home, {
			N8N_PORT: String(PORT),
			N8N_RUNNERS_BROKER_PORT: String(PORT + 1),
		});
		await cli.importSandboxCredential(sandbox);
		await cli.importWorkflows(exampleWorkflows().filter((workflow) => workflow.id === WORKFLOW));
		await cli.activate(WORKFLOW);
		n8n = new N8nServer(cli);
		await n8n.start();
		// n8n registers the webhooks of published workflows after its editor is up
		for (const deadline = Date.now() + 60_000; ; await sleep(1000)) {
			try {
				await client.connect(
					new StreamableHTTPClientTransport(new URL(`${n8n.url}/mcp/yetishare`)),
				);
				break;
			} catch (error) {
				if (Date.now() > deadline)
					throw new Error(
						`the MCP client could not connect: ${error}\nn8n printed:\n${n8n.output.slice(-4000)}`,
					);
			}
		}
	});
	afterAll(async () => {
		await client.close().catch(() => undefined);
		await n8n?.stop();
		await new Promise((resolve) => web.close(resolve));
		await sandbox.stop();
		if (home) rmSync(home, { recursive: true, force: true });
	});

	it('lists the tools with descriptions and input schemas a model can fill', async () => {
		const { tools } = await client.listTools();
		const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
		expect(Object.keys(byName).sort()).toEqual([
			'Get_file',
			'List_folder',
			'Search_files',
			'Upload_file_from_URL',
		]);
		// n8n describes a tool by its operation's action unless the workflow writes one
		expect(byName.List_folder.description).toBe(
			'Get many folders and files inside a folder in YetiShare',
		);
		expect(byName.Search_files.description).toBe('Search files by name, type or size in YetiShare');
		expect(byName.Upload_file_from_URL.description).toBe('Upload a file from a URL in YetiShare');
		expect(byName.Get_file.description).toBe("Get a file's details and links in YetiShare");

		const schema = (name: string) =>
			byName[name].inputSchema as {
				type: string;
				properties: Record<string, { type: string; description?: string }>;
				required?: string[];
			};
		expect(schema('List_folder').properties).toEqual({
			folder_path: expect.objectContaining({ type: 'string' }),
		});
		expect(schema('Search_files').properties).toEqual({
			name: expect.objectContaining({ type: 'string' }),
			limit: expect.objectContaining({ type: 'number' }),
			file_type: expect.objectContaining({ type: 'string' }),
		});
		expect(schema('Upload_file_from_URL').properties).toEqual({
			url: expect.objectContaining({ type: 'string' }),
			folder_path: expect.objectContaining({ type: 'string' }),
		});
		expect(schema('Get_file').properties).toEqual({
			file_id: expect.objectContaining({ type: 'string' }),
		});
		// every argument is required and says what to pass: ids versus paths, the root, the units
		for (const tool of tools) {
			const { properties, required } = schema(tool.name);
			expect((required ?? []).sort()).toEqual(Object.keys(properties).sort());
		}
		expect(schema('List_folder').properties.folder_path.description).toMatch(
			/separated by slashes.*\/ for the top level/s,
		);
		expect(schema('Search_files').properties.name.description).toMatch(/\*\.pdf/);
		expect(schema('Search_files').properties.limit.description).toMatch(/from 1 to 100/);
		expect(schema('Get_file').properties.file_id.description).toMatch(
			/a number.*Not its name or path/s,
		);
		expect(schema('Upload_file_from_URL').properties.url.description).toMatch(/https?:\/\//);
	});

	it('lists a folder given by path, and the root', async () => {
		const listed = answerOf(await call('List_folder', { folder_path: 'Invoices/2026' }));
		expect(listed.map((entry) => entry.folderName ?? entry.filename)).toEqual([
			'March',
			'summary-2026.csv',
		]);
		expect(listed.map((entry) => entry.type)).toEqual(['folder', 'file']);
		const root = answerOf(await call('List_folder', { folder_path: '/' }));
		expect(root.map((entry) => entry.folderName ?? entry.filename)).toEqual(
			expect.arrayContaining(['Invoices', 'Photos', 'readme.txt']),
		);
	});

	it('searches the whole account by name and type, with each file path', async () => {
		const found = answerOf(
			await call('Search_files', { name: 'invoice', limit: 10, file_type: 'pdf' }),
		);
		expect(found.map((file) => file.path).sort()).toEqual([
			'Invoices/2026/March/invoice-2026-001.pdf',
			'Invoices/2026/March/invoice-2026-002.pdf',
		]);
		const images = answerOf(
			await call('Search_files', { name: '', limit: 1, file_type: 'image/' }),
		);
		expect(images).toHaveLength(1);
		expect(['Photos/sunset.jpg', 'Photos/Holidays/beach.png']).toContain(images[0].path);
	});

	it('has the site fetch a file from a URL into a folder, then gets it by the ID it answered', async () => {
		const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/q3-report.pdf`;
		const [uploaded] = answerOf(
			await call('Upload_file_from_URL', { url, folder_path: 'Invoices/2026/March' }),
		);
		expect(uploaded.status).toBe('complete');
		const fileId = String(uploaded.downloaded_file.file_id);
		const stored = sandbox.state.files.find((file) => file.id === fileId)!;
		expect(stored).toMatchObject({ folderId: '125', md5: md5(remote) });

		const [file] = answerOf(await call('Get_file', { file_id: fileId }));
		expect(file).toMatchObject({
			id: fileId,
			filename: 'q3-report.pdf',
			fileSize: String(remote.length),
		});
		expect(
			sandbox.log
				.filter((entry) => entry.endpoint === 'file/info')
				.map((entry) => entry.params.file_id),
		).toContain(fileId);
	});

	it('answers a wrong argument with an error that names the parameter, and no call to the site', async () => {
		const calls = sandbox.log.length;
		const result = await call('Get_file', { file_id: 'invoice-2026-001.pdf' });
		const text = result.content.map((part) => part.text ?? '').join('');
		expect(result.isError).toBe(true);
		expect(text).toMatch(
			/Parameter "File" is not a file ID: "invoice-2026-001\.pdf" is not a number \[item 0\]/,
		);
		expect(text).toMatch(/enter its ID \(a number\)/);
		expect(
			sandbox.log
				.slice(calls)
				.filter((entry) => entry.kind === 'api' && entry.endpoint !== 'authorize'),
		).toEqual([]);
	});
});
