/**
 * The node as a user meets it in the editor `npm start` serves (real n8n 2.40.7): headless Debian
 * Chromium, driven by playwright-core, opens an example workflow, finds YetiShare by searching the
 * node creator, adds "Upload a file" and checks the icon, the resources and the Upload form.
 * The screenshot stays in test/artifacts/ (also when the test fails).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { ROOT } from './runtime';
import { startEditor, type Editor } from './start';

// Only this version: the editor's markup (data-test-id names) changes between n8n lines.
const VERSION = '2.40.7';
const PORT = 5730;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test/artifacts');
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Editor',
	lastName: 'Check',
	password: 'Editor-check-1',
};
// The machine is small and shared: the editor's first load compiles a lot of JavaScript.
const UI_TIMEOUT = 60_000;

// n8n marks its elements with data-test-id.
selectors.setTestIdAttribute('data-test-id');

/** Waits for the first <img> of `within` to load; its natural width is 0 if the file did not load or decode. */
async function iconOf(within: Locator) {
	const image = within.locator('img').first();
	await image.waitFor();
	return image.evaluate(async (element: any) => {
		await element.decode().catch(() => undefined);
		return { src: String(element.getAttribute('src')), naturalWidth: Number(element.naturalWidth) };
	});
}

/** Opens a dropdown of the node's panel, reads the options it offers and picks one of them. */
async function choose(page: Page, parameter: Locator, option: string): Promise<string[]> {
	await parameter.click();
	const list = page.locator('.el-select-dropdown:visible');
	const names = list.locator('[data-test-id="parameter-input-item"] .option-headline');
	await names.first().waitFor();
	const offered = await names.allInnerTexts();
	await names.filter({ hasText: new RegExp(`^${option}$`) }).click();
	await list.waitFor({ state: 'hidden' });
	return offered;
}

describe(`the YetiShare node in the n8n ${VERSION} editor`, () => {
	let home: string;
	let editor: Editor;
	let browser: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		if (!existsSync(CHROMIUM))
			throw new Error(
				`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`,
			);
		mkdirSync(ARTIFACTS, { recursive: true });
		home = mkdtempSync(join(tmpdir(), 'n8n-e2e-editor-'));
		// A broker port of its own: other n8n instances on this machine use the default one.
		editor = await startEditor({
			userFolder: join(home, 'n8n'),
			port: PORT,
			version: VERSION,
			env: { N8N_RUNNERS_BROKER_PORT: String(PORT + 1) },
		});
		browser = await chromium.launchPersistentContext(join(home, 'chromium'), {
			executablePath: CHROMIUM,
			headless: true,
			viewport: { width: 1440, height: 900 },
			// The network is closed: no background requests to Google's hosts.
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		browser.setDefaultTimeout(UI_TIMEOUT);
		page = browser.pages()[0] ?? (await browser.newPage());
		// A fresh n8n asks for its owner account first; the REST call sets the session cookie.
		const setup = await browser.request.post(`${editor.n8n.url}/rest/owner/setup`, { data: OWNER });
		expect(setup.status()).toBe(200);
	}, 1_200_000);

	/** Runs a test's steps, then keeps a screenshot of the page, whether they passed or not. */
	async function screenshotAfter(file: string, steps: () => Promise<void>) {
		rmSync(join(ARTIFACTS, file), { force: true });
		try {
			await steps();
		} finally {
			await page?.screenshot({ path: join(ARTIFACTS, file), fullPage: true });
		}
	}

	afterAll(async () => {
		await browser?.close();
		await editor?.stop();
		if (home) rmSync(home, { recursive: true, force: true });
	});

	it('shows the node with its icon in the example workflow', () =>
		screenshotAfter('editor-canvas.png', async () => {
			await page.goto(`${editor.n8n.url}/workflow/ys-upload-a-file`);
			const node = page.locator(
				'[data-test-id="canvas-node"][data-node-name="Upload to YetiShare"]',
			);
			const icon = await iconOf(node);
			expect(icon.src).toMatch(/\/yetishare\.svg$/);
			expect(icon.naturalWidth).toBeGreaterThan(0);
		}));

	// On the workflow the previous test opened (a reload would meet n8n's "editing in another tab" lock).
	it('finds YetiShare in the node creator; File → Upload shows its form', () =>
		screenshotAfter('editor-upload-form.png', async () => {
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('YetiShare');
			const item = page.getByTestId('item-iterator-item').filter({
				has: page.getByTestId('node-creator-item-name').getByText('YetiShare', { exact: true }),
			});
			expect((await iconOf(item)).naturalWidth).toBeGreaterThan(0);
			await item.click();
			await page
				.getByTestId('node-creator-item-name')
				.getByText('Upload a file', { exact: true })
				.click();

			const panel = page.getByTestId('ndv');
			await panel.waitFor();
			expect((await iconOf(panel.locator('header'))).naturalWidth).toBeGreaterThan(0);

			// As a user would: open Resource, see what it offers, pick File, then Upload.
			const resource = panel.getByTestId('parameter-input-resource');
			expect(await choose(page, resource, 'File')).toEqual(['Account', 'File', 'Folder']);
			const operation = panel.getByTestId('parameter-input-operation');
			expect(await choose(page, operation, 'Upload')).toEqual(
				expect.arrayContaining(['Upload', 'Download', 'Upload From URL']),
			);
			expect(await resource.locator('input').inputValue()).toBe('File');
			expect(await operation.locator('input').inputValue()).toBe('Upload');

			// The Upload form: its fields, labelled, and the credential n8n picked (the only one).
			for (const label of ['Credential', 'Input Binary Field', 'Parent Folder', 'Options']) {
				await panel.locator('label').getByText(label, { exact: true }).first().waitFor();
			}
			expect(
				await panel.getByTestId('parameter-input-binaryPropertyName').locator('input').inputValue(),
			).toBe('data');
			expect(await panel.getByTestId('node-credentials-select').locator('input').inputValue()).toBe(
				'YetiShare sandbox',
			);

			// The folder picker lists the site's folders (through the credential) with their paths.
			const folder = panel.getByTestId('parameter-input-parentFolder').getByTestId('rlc-input');
			expect(await folder.inputValue()).toBe('/ (Root)');
			await folder.click();
			await page.getByTestId('rlc-item').getByText('/Invoices', { exact: true }).click();
			expect(await folder.inputValue()).toBe('/Invoices');
		}));

	// In a tab of its own: the first tab holds the upload workflow with unsaved changes.
	it('shows the dark icon on the dark theme, for the node and the trigger', async () => {
		const dark = await browser.newPage();
		try {
			await dark.goto(`${editor.n8n.url}/workflow/ys-new-files?theme=dark`);
			for (const name of ['New file in Invoices', 'File details']) {
				const icon = await iconOf(
					dark.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`),
				);
				expect(icon.src).toMatch(/\/yetishare\.dark\.svg$/);
				expect(icon.naturalWidth).toBeGreaterThan(0);
			}
			// the trigger's event in words under it
			await dark
				.locator('[data-test-id="canvas-node"][data-node-name="New file in Invoices"]')
				.getByText('On new file', { exact: true })
				.waitFor();
		} finally {
			await dark
				.screenshot({ path: join(ARTIFACTS, 'editor-canvas-dark.png'), fullPage: true })
				.catch(() => undefined);
			await dark.close();
		}
	});
});
