/**
 * Names that saved workflows and credentials refer to, so an update of the package must keep them:
 * node type names (and the AI tool variant), type versions, parameter names (nested ones by their
 * dotted path), option values, resource locator modes, the credential type and its fields (with the
 * hidden token fields the credential fills), and the keys the trigger keeps in workflow static
 * data. test/stable-names.json records them; this test derives the same list from the sources.
 * Rewrite the record after adding names: UPDATE_STABLE_NAMES=1 npx jest test/stable-names.test.ts
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { basename, dirname, join, relative, resolve } from 'path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type {
	ICredentialType,
	INodeProperties,
	INodePropertyCollection,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

const root = resolve(__dirname, '..');
const recordPath = join(__dirname, 'stable-names.json');
const updating = process.env.UPDATE_STABLE_NAMES === '1';
const updateCommand = 'UPDATE_STABLE_NAMES=1 npx jest test/stable-names.test.ts';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};

/** The TypeScript source of a built file listed in package.json's "n8n" section. */
const sourceOf = (built: string) =>
	join(root, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

/** The class as n8n loads it: the export named like the file (YetiShare.node.js exports YetiShare). */
function load<T>(built: string): T {
	const className = basename(built).split('.')[0];
	const exported = require(sourceOf(built)) as Record<string, new () => T>;
	if (typeof exported[className] !== 'function')
		throw new Error(`${built}: n8n looks for an exported class ${className}`);
	return new exported[className]();
}

/** Parameters of one node version: those limited to other versions (displayOptions @version) are left out. */
function forVersion(properties: INodeProperties[], version: number): INodeProperties[] {
	return properties.filter((property) => {
		const versions = property.displayOptions?.show?.['@version'];
		return !versions || versions.some((wanted) => wanted === version);
	});
}

/** Every name under `properties`: `<prefix> > a.b.c`, `… = <option value as JSON>`, `… #mode <mode name>`. */
function walk(properties: INodeProperties[], prefix: string, path: string[], out: Set<string>) {
	for (const property of properties) {
		// notices only show text; nothing of them is saved
		if (property.type === 'notice') continue;
		const name = [...path, property.name].join('.');
		out.add(`${prefix} > ${name}`);
		if (property.type === 'options' || property.type === 'multiOptions') {
			for (const option of property.options ?? [])
				out.add(`${prefix} > ${name} = ${JSON.stringify((option as { value: unknown }).value)}`);
		} else if (property.type === 'collection') {
			walk((property.options ?? []) as INodeProperties[], prefix, [...path, property.name], out);
		} else if (property.type === 'fixedCollection') {
			for (const group of (property.options ?? []) as INodePropertyCollection[]) {
				out.add(`${prefix} > ${name}.${group.name}`);
				walk(group.values, prefix, [...path, property.name, group.name], out);
			}
		} else if (property.type === 'resourceLocator') {
			for (const mode of property.modes ?? []) out.add(`${prefix} > ${name} #mode ${mode.name}`);
		}
	}
}

/**
 * A node's parameters, each under the values of the node's selectors (top-level options without
 * expressions: resource, operation, event) it is shown for, e.g. `yetiShare@1 resource=file operation=upload`.
 */
function nodeNames(description: INodeTypeDescription, out: Set<string>) {
	const versions = Array.isArray(description.version) ? description.version : [description.version];
	for (const version of versions) {
		out.add(`node ${description.name} typeVersion ${version}`);
		const properties = forVersion(description.properties, version);
		const selectors = properties
			.filter((property) => property.type === 'options' && property.noDataExpression === true)
			.map((property) => property.name)
			.filter((name, index, all) => all.indexOf(name) === index);
		for (const property of properties) {
			let contexts = [''];
			for (const selector of selectors) {
				const values = property.displayOptions?.show?.[selector];
				if (!values) continue;
				contexts = contexts.flatMap((context) =>
					values.map(
						(value) =>
							`${context} ${selector}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
					),
				);
			}
			for (const context of contexts)
				walk([property], `${description.name}@${version}${context}`, [], out);
		}
	}
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
	});
}

/**
 * The workflow static data keys, read from the source: every `const <var> = ….getWorkflowStaticData('<scope>') as <Type>;`
 * with its `interface <Type> { … }` in the same file. The keys must match what the file reads and writes
 * (`<var>.<key>` or a key in `Object.assign(<var>, { … })`), so a renamed key cannot hide in the interface.
 */
function staticDataNames(owners: Array<{ dir: string; node: string }>, out: Set<string>) {
	for (const file of filesUnder(join(root, 'nodes'))) {
		const text = readFileSync(file, 'utf8');
		const where = relative(root, file);
		const calls = text.split('getWorkflowStaticData(').length - 1;
		const typed = [
			...text.matchAll(/const (\w+) = \w+\.getWorkflowStaticData\('(\w+)'\) as (\w+);/g),
		];
		if (typed.length !== calls) {
			throw new Error(
				`${where}: write each getWorkflowStaticData call as ` +
					`"const state = ctx.getWorkflowStaticData('node') as SomeState;" ` +
					`with an interface SomeState, so this test can read its keys`,
			);
		}
		const owner = owners.find(({ dir }) => file.startsWith(dir + '/'))?.node ?? where;
		const declared = new Map<string, Set<string>>();
		for (const [, variable, scope, type] of typed) {
			const body = new RegExp(`interface ${type} \\{([^}]*)\\}`).exec(text)?.[1];
			if (body === undefined)
				throw new Error(`${where}: no "interface ${type} { … }" for the static data`);
			const keys = [
				...body.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').matchAll(/^\s*(\w+)\??\s*:/gm),
			].map((match) => match[1]);
			if (keys.length === 0)
				throw new Error(`${where}: interface ${type} declares no static data keys`);
			for (const key of keys) out.add(`${owner} static data (${scope}) > ${key}`);
			declared.set(variable, new Set([...(declared.get(variable) ?? []), ...keys]));
		}
		for (const [variable, keys] of declared) {
			const used = new Set(
				[...text.matchAll(new RegExp(`\\b${variable}\\.(\\w+)`, 'g'))].map((match) => match[1]),
			);
			const assigned = [
				...text.matchAll(new RegExp(`Object\\.assign\\(${variable}, \\{([^}]*)\\}\\)`, 'g')),
			]
				.map((match) => match[1])
				.join(' ');
			for (const key of used) {
				if (!keys.has(key))
					throw new Error(
						`${where}: static data key "${key}" is used but not declared in the state interface`,
					);
			}
			for (const key of keys) {
				if (!used.has(key) && !new RegExp(`\\b${key}\\b`).test(assigned)) {
					throw new Error(
						`${where}: static data key "${key}" is declared but never read or written as ${variable}.${key}`,
					);
				}
			}
		}
	}
}

/** Every saved name the package defines now. */
function currentNames(): string[] {
	const out = new Set<string>([`package name ${pkg.name}`]);
	const owners: Array<{ dir: string; node: string }> = [];
	for (const built of pkg.n8n.nodes) {
		out.add(`package n8n.nodes ${built}`);
		const { description } = load<INodeType>(built);
		owners.push({ dir: dirname(sourceOf(built)), node: description.name });
		out.add(`node type ${pkg.name}.${description.name}`);
		// n8n registers a second type, <name>Tool, for nodes usable by AI agents
		if (description.usableAsTool) out.add(`node type ${pkg.name}.${description.name}Tool`);
		for (const credential of description.credentials ?? [])
			out.add(`node ${description.name} credential ${credential.name}`);
		nodeNames(description, out);
	}
	for (const built of pkg.n8n.credentials) {
		out.add(`package n8n.credentials ${built}`);
		const credential = load<ICredentialType>(built);
		out.add(`credential type ${credential.name}`);
		walk(credential.properties, `credential ${credential.name}`, [], out);
	}
	staticDataNames(owners, out);
	return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface StableNames {
	about: string;
	names: string[];
}

const readRecord = (): StableNames => JSON.parse(readFileSync(recordPath, 'utf8')) as StableNames;

describe('names saved workflows and credentials use', () => {
	let current: string[];
	let recorded: string[];

	beforeAll(() => {
		current = currentNames();
		if (updating) {
			// names that disappeared stay recorded (and keep failing): retiring one is a deliberate edit of the file
			const kept = (() => {
				try {
					return readRecord().names;
				} catch {
					return [];
				}
			})();
			const names = [...new Set([...kept, ...current])].sort((a, b) =>
				a < b ? -1 : a > b ? 1 : 0,
			);
			const record: StableNames = {
				about: `Names saved n8n workflows and credentials refer to, checked by test/stable-names.test.ts. Add new ones with: ${updateCommand}`,
				names,
			};
			writeFileSync(recordPath, `${JSON.stringify(record, null, '\t')}\n`);
		}
		recorded = readRecord().names;
	});

	it('finds every recorded name in the current sources', () => {
		const now = new Set(current);
		const missing = recorded.filter((name) => !now.has(name));
		if (missing.length > 0) {
			throw new Error(
				`${missing.length} name(s) recorded in test/stable-names.json no longer exist:\n` +
					missing.map((name) => `  - ${name}`).join('\n') +
					'\nA saved workflow or credential uses this name; keep it, or add a new node typeVersion / migrate instead of renaming.' +
					'\n(To retire a name on purpose, delete its line from test/stable-names.json.)',
			);
		}
	});

	it('has every current name recorded', () => {
		const known = new Set(recorded);
		const added = current.filter((name) => !known.has(name));
		if (added.length > 0) {
			throw new Error(
				`${added.length} name(s) are not recorded in test/stable-names.json yet:\n` +
					added.map((name) => `  + ${name}`).join('\n') +
					`\nOnce they are final, record them: ${updateCommand}`,
			);
		}
	});

	it('keeps the record sorted and free of repeats', () => {
		expect(recorded).toEqual([...new Set(recorded)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
	});
});
