/**
 * The package as users get it: the tarball `npm pack` makes of the checkout (built before), and
 * that tarball installed in n8n's nodes folder (`~/.n8n/nodes`) as the README's manual route does.
 */
import { execFile, execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { promisify } from 'util';

import { N8nCli } from './cli';
import { INSTALLED_PACKAGES_ONLY, ROOT, type N8nRuntime } from './runtime';

export const PACKAGE_NAME = 'n8n-nodes-yetishare';

/**
 * The package as `npm publish` sends it: `npm pack` of the checkout (built before), or, for
 * `version`, the same files under another version number (a later release).
 */
export function packPackage(into: string, version?: string): string {
	const pack = (cwd: string) => {
		const [{ filename }] = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--pack-destination', into], {
				cwd,
				encoding: 'utf8',
			}),
		) as Array<{ filename: string }>;
		return join(into, filename);
	};
	const tarball = pack(ROOT);
	if (!version) return tarball;
	const unpacked = mkdtempSync(join(into, 'release-'));
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
	const manifestFile = join(unpacked, 'package', 'package.json');
	writeFileSync(
		manifestFile,
		JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, 'utf8')), version }, null, 2),
	);
	rmSync(tarball);
	return pack(join(unpacked, 'package'));
}

let packedOnce: string | undefined;

/**
 * Installs this checkout's packed tarball in a user folder's `.n8n/nodes`, with npm and no network
 * (it has no dependencies to fetch): n8n then loads it as a package installed by hand.
 */
export async function installPacked(userFolder: string): Promise<void> {
	if (!packedOnce) {
		const folder = mkdtempSync(join(tmpdir(), 'yetishare-packed-'));
		process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
		packedOnce = packPackage(folder);
	}
	const nodes = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodes, { recursive: true });
	// a cache of its own, empty: nothing of this machine's npm cache (or network) takes part
	await promisify(execFile)(
		'npm',
		[
			'install',
			packedOnce,
			'--offline',
			'--no-audit',
			'--no-fund',
			`--cache=${join(dirname(packedOnce), 'npm-cache')}`,
		],
		{ cwd: nodes },
	);
}

/** n8n's command line for a user folder with the packed package installed in it by hand, and no build folder loaded. */
export async function cliWithPackageInstalled(
	runtime: N8nRuntime,
	userFolder: string,
	env: NodeJS.ProcessEnv = {},
): Promise<N8nCli> {
	await installPacked(userFolder);
	return new N8nCli(runtime, userFolder, { ...env, ...INSTALLED_PACKAGES_ONLY });
}
