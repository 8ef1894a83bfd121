/**
 * What n8n and npm show about the package besides the nodes' behaviour: the editor's Docs links
 * (codex files and the credential's documentationUrl) land on README sections that exist, each
 * node and the credential has a light and a dark icon that exist, and package.json names one
 * public repository everywhere.
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { describe, expect, it } from '@jest/globals';
import type { ICredentialType, Icon, INodeType } from 'n8n-workflow';

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repository = 'https://github.com/n8n-nodes-yetishare/n8n-nodes-yetishare';

/** The source a built file listed in package.json's "n8n" section is compiled from. */
const sourceOf = (built: string) => built.replace(/^dist\//, '').replace(/\.js$/, '.ts');

function load<T>(built: string): T {
	const exported = require(join(root, sourceOf(built))) as Record<string, new () => T>;
	return new (Object.values(exported)[0])();
}

const nodes = (pkg.n8n.nodes as string[]).map((built) => ({ built, description: load<INodeType>(built).description }));
const credentials = (pkg.n8n.credentials as string[]).map((built) => ({ built, type: load<ICredentialType>(built) }));

/** The anchors GitHub gives the README's headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
function readmeAnchors(): Set<string> {
	const anchors = new Set<string>();
	let inFence = false;
	for (const line of readFileSync(join(root, 'README.md'), 'utf8').split('\n')) {
		if (line.startsWith('```')) inFence = !inFence;
		const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
		let anchor = slug;
		for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
		anchors.add(anchor);
	}
	return anchors;
}

function expectReadmeSection(url: string) {
	const [page, anchor] = url.split('#');
	expect(page).toBe(repository);
	expect([...readmeAnchors()]).toContain(anchor);
}

/** Checks a description's icon: one SVG per theme, found from the source as n8n finds it from dist/. */
function expectThemedIcons(icon: Icon | undefined, built: string) {
	expect(icon).toEqual({ light: expect.stringMatching(/^file:.*\.svg$/), dark: expect.stringMatching(/^file:.*\.svg$/) });
	const { light, dark } = icon as { light: string; dark: string };
	expect(light).not.toBe(dark);
	for (const file of [light, dark]) {
		const relative = file.replace(/^file:/, '');
		// n8n resolves the path from the compiled file; gulp copies icons/ to dist/icons/.
		const fromBuilt = join(dirname(built), relative);
		expect(fromBuilt).toMatch(/^dist\/icons\/[^/]+\.svg$/);
		const source = join(root, dirname(sourceOf(built)), relative);
		expect(source).toBe(join(root, fromBuilt.replace(/^dist\//, '')));
		expect(readFileSync(source, 'utf8')).toMatch(/^<svg [^>]*viewBox=/);
	}
}

describe.each(nodes)('the node in $built', ({ built, description }) => {
	const codexFile = join(root, sourceOf(built).replace(/\.ts$/, '.json'));
	const codex = existsSync(codexFile) ? JSON.parse(readFileSync(codexFile, 'utf8')) : undefined;

	it('has a codex file beside it naming it, with a category', () => {
		expect(codex).toMatchObject({ node: `${pkg.name}.${description.name}`, nodeVersion: '1.0', codexVersion: '1.0' });
		expect(codex.categories).toEqual(['Data & Storage']);
	});

	it("has Docs links to README sections that exist (the editor's Docs link and the credential's help)", () => {
		const { primaryDocumentation, credentialDocumentation } = codex.resources;
		for (const { url } of [...primaryDocumentation, ...credentialDocumentation]) expectReadmeSection(url);
	});

	it('has a light and a dark icon', () => expectThemedIcons(description.icon, built));
});

describe.each(credentials)('the credential in $built', ({ built, type }) => {
	it('links to a README section that exists', () => expectReadmeSection(type.documentationUrl as string));

	it('has a light and a dark icon', () => expectThemedIcons(type.icon, built));
});

describe('package.json', () => {
	it('names one public GitHub repository for the code, the issues and the home page', () => {
		expect(pkg.repository).toEqual({ type: 'git', url: `git+${repository}.git` });
		expect(pkg.bugs).toEqual({ url: `${repository}/issues` });
		expect(pkg.homepage).toBe(`${repository}#readme`);
	});

	it('has what n8n verification asks of it: MIT, an author with an email, the community keyword', () => {
		expect(pkg.license).toBe('MIT');
		expect(pkg.author).toMatchObject({ name: expect.any(String), email: expect.stringMatching(/^[^@\s]+@[^@\s]+\.[^@\s]+$/) });
		expect(pkg.keywords).toContain('n8n-community-node-package');
	});
});
