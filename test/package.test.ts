/**
 * What n8n and npm show about the package besides the nodes' behaviour: the editor's Docs links
 * (codex files and the credential's documentationUrl) land on README sections that exist, each
 * node and the credential has a light and a dark icon that exist, package.json names one
 * public repository everywhere, and the tarball holds what n8n loads and nothing else.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative, resolve } from 'path';
import { beforeAll, describe, expect, it } from '@jest/globals';
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

const nodes = (pkg.n8n.nodes as string[]).map((built) => ({
	built,
	description: load<INodeType>(built).description,
}));
const credentials = (pkg.n8n.credentials as string[]).map((built) => ({
	built,
	type: load<ICredentialType>(built),
}));

/** The anchors GitHub gives the README's headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
function readmeAnchors(): Set<string> {
	const anchors = new Set<string>();
	let inFence = false;
	for (const line of readFileSync(join(root, 'README.md'), 'utf8').split('\n')) {
		if (line.startsWith('```')) inFence = !inFence;
		const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
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
	expect(icon).toEqual({
		light: expect.stringMatching(/^file:.*\.svg$/),
		dark: expect.stringMatching(/^file:.*\.svg$/),
	});
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
		expect(codex).toMatchObject({
			node: `${pkg.name}.${description.name}`,
			nodeVersion: '1.0',
			codexVersion: '1.0',
		});
		expect(codex.categories).toEqual(['Data & Storage']);
	});

	it("has Docs links to README sections that exist (the editor's Docs link and the credential's help)", () => {
		const { primaryDocumentation, credentialDocumentation } = codex.resources;
		for (const { url } of [...primaryDocumentation, ...credentialDocumentation])
			expectReadmeSection(url);
	});

	it('has a light and a dark icon', () => expectThemedIcons(description.icon, built));
});

describe.each(credentials)('the credential in $built', ({ built, type }) => {
	it('links to a README section that exists', () =>
		expectReadmeSection(type.documentationUrl as string));

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
		expect(pkg.author).toMatchObject({
			name: expect.any(String),
			email: expect.stringMatching(/^[^@\s]+@[^@\s]+\.[^@\s]+$/),
		});
		expect(pkg.keywords).toContain('n8n-community-node-package');
	});
});

/** Every file under a folder, relative to the checkout, with forward slashes. */
function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory()
			? filesUnder(path)
			: [relative(root, path).split('\\').join('/')];
	});
}

describe('the packed package (npm pack of the build)', () => {
	let files: string[] = [];
	let manifest: Record<string, unknown> = {};

	beforeAll(() => {
		if (!existsSync(join(root, 'dist')))
			throw new Error('dist/ is missing: run npm run build first');
		const work = mkdtempSync(join(tmpdir(), 'yetishare-files-'));
		try {
			const [packed] = JSON.parse(
				execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
					cwd: root,
					encoding: 'utf8',
					stdio: ['ignore', 'pipe', 'ignore'],
				}),
			) as Array<{ filename: string; files: Array<{ path: string }> }>;
			files = packed.files.map(({ path }) => path).sort();
			execFileSync('tar', [
				'-xzf',
				join(work, packed.filename),
				'-C',
				work,
				'package/package.json',
			]);
			manifest = JSON.parse(readFileSync(join(work, 'package/package.json'), 'utf8'));
		} finally {
			rmSync(work, { recursive: true, force: true });
		}
	});

	it('holds only compiled .js, codex .json and icons under dist/, besides index.js, package.json, README.md and LICENSE', () => {
		const shipped = (path: string) =>
			/^dist\/(nodes|credentials)\/.+\.js$/.test(path) ||
			/^dist\/nodes\/.+\.node\.json$/.test(path) ||
			/^dist\/icons\/[^/]+\.svg$/.test(path) ||
			['index.js', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path);
		expect(files.filter((path) => !shipped(path))).toEqual([]);
		expect(
			files.filter(
				(path) => /\.map$|\.d\.ts$|\.tsbuildinfo$/.test(path) || path === 'dist/package.json',
			),
		).toEqual([]);
	});

	it('holds everything n8n loads: every compiled source, the codex files and the icons', () => {
		const sources = [...filesUnder(join(root, 'nodes')), ...filesUnder(join(root, 'credentials'))];
		const expected = [
			...sources
				.filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts'))
				.map((path) => `dist/${path.replace(/\.ts$/, '.js')}`),
			...sources.filter((path) => path.endsWith('.node.json')).map((path) => `dist/${path}`),
			...readdirSync(join(root, 'icons')).map((name) => `dist/icons/${name}`),
			...(pkg.n8n.nodes as string[]),
			...(pkg.n8n.credentials as string[]),
			'index.js',
			'package.json',
			'README.md',
			'LICENSE',
		];
		expect(expected.filter((path) => !files.includes(path))).toEqual([]);
	});

	it('the build writes nothing into dist/ that does not ship', () => {
		expect(filesUnder(join(root, 'dist')).filter((path) => !files.includes(path))).toEqual([]);
	});

	it('declares no dependencies, and n8n-workflow as an optional peer (npm 7+ does not install it; n8n provides it)', () => {
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(manifest.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
	});
});
