// What `npx @n8n/scan-community-package` checks, offline: the tarball `npm pack` makes (compiled
// JavaScript and package.json) and the sources it is built from, linted with the scanner's own
// config (its exported buildScanConfig, run by its own eslint, inline config off), failing on any
// error or warning; and no runtime `dependencies` in the packed package.json. The scanner's
// network steps (registry metadata, provenance, downloading the published source) are left out.
// Run after `npm run build` (`npm run verify` does both).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scannerRoot = path.dirname(
	createRequire(import.meta.url).resolve('@n8n/scan-community-package/package.json'),
);
// the modules the scanner itself loads, so its config meets the eslint it was written for
const fromScanner = createRequire(path.join(scannerRoot, 'scanner', 'scanner.mjs'));
const { ESLint } = fromScanner('eslint');
const glob = fromScanner('fast-glob');
const { buildScanConfig, SOURCE_FILE_PATTERNS } = await import(
	pathToFileURL(path.join(scannerRoot, 'scanner', 'scanner.mjs')).href
);

const work = mkdtempSync(path.join(tmpdir(), 'yetishare-verify-'));
const problems = [];
try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	const tarball = path.join(work, packed[0].filename);
	const packageDir = path.join(work, 'package');
	execFileSync('tar', ['-xzf', tarball, '-C', work]);
	console.log(
		`Packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`,
	);

	const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const dependencies = Object.keys(manifest.dependencies ?? {});
	if (dependencies.length > 0)
		problems.push(`the packed package.json has dependencies: ${dependencies.join(', ')}`);

	const config = await buildScanConfig();
	// the scanner's two legs: the published artifact, and the sources (here: this checkout)
	for (const [what, cwd, patterns] of [
		['tarball', packageDir, ['**/*.js', 'package.json']],
		['sources', root, SOURCE_FILE_PATTERNS],
	]) {
		const eslint = new ESLint({
			cwd,
			allowInlineConfig: false,
			overrideConfigFile: true,
			overrideConfig: config,
		});
		const files = glob.sync(patterns, {
			cwd,
			absolute: true,
			ignore: ['node_modules/**', '**/package-lock.json'],
		});
		const results = await eslint.lintFiles(files);
		const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
		const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
		console.log(
			`Scanner rules on the ${what}: ${files.length} files, ${errors} errors, ${warnings} warnings`,
		);
		if (errors + warnings > 0) {
			process.stdout.write(await (await eslint.loadFormatter('stylish')).format(results));
			problems.push(
				`the scanner's rules found ${errors} errors and ${warnings} warnings in the ${what}`,
			);
		}
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
	console.error(`verify failed: ${problems.join('; ')}`);
	process.exit(1);
}
console.log('verify passed');
