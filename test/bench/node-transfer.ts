/**
 * One measured transfer through the YetiShare node inside n8n's engine (binary data in
 * filesystem mode), in a process of its own so its peak RSS belongs to this transfer alone.
 * Prints one JSON line: { ms, bytes, rssBefore, rssPeak, fileId? }.
 *
 *   ts-node test/bench/node-transfer.ts upload <baseUrl> <key1> <key2> <filePath>
 *   ts-node test/bench/node-transfer.ts download <baseUrl> <key1> <key2> <fileId>
 */
import { basename, join } from 'path';

import { Engine } from '../harness';

// The built package, as n8n loads it (npm run bench builds it first); the TypeScript sources
// with TRANSFER_FROM_SOURCES=1 (test/streaming.test.ts, which runs without a build).
const [PACKAGE, EXT] =
	process.env.TRANSFER_FROM_SOURCES === '1'
		? [join(__dirname, '../..'), 'ts']
		: [join(__dirname, '../../dist'), 'js'];
const { YetiShare } = require(
	join(PACKAGE, `nodes/YetiShare/YetiShare.node.${EXT}`),
) as typeof import('../../nodes/YetiShare/YetiShare.node');
const { YetiShareApi } = require(
	join(PACKAGE, `credentials/YetiShareApi.credentials.${EXT}`),
) as typeof import('../../credentials/YetiShareApi.credentials');

const NODE_TYPE = 'CUSTOM.yetiShare';

async function main() {
	const [direction, baseUrl, key1, key2, target] = process.argv.slice(2);
	const engine = new Engine({
		nodeTypes: { [NODE_TYPE]: new YetiShare() },
		credentialTypes: [new YetiShareApi()],
		binaryMode: 'filesystem',
	});
	await engine.init();
	try {
		const credential = engine.credentials.add('yetiShareApi', 'bench', {
			baseUrl,
			authentication: 'apiKeys',
			apiKey1: key1,
			apiKey2: key2,
			timeout: 120,
			accessToken: '',
			accountId: '',
		});
		const node = (parameters: Record<string, unknown>) => ({
			type: NODE_TYPE,
			parameters: parameters as any,
			credentials: { yetiShareApi: credential },
		});
		// sign in first: the session is not what is measured
		await engine.run({ node: node({ resource: 'account', operation: 'get' }) });
		const items =
			direction === 'upload'
				? [
						await engine.binaryItem(target, {
							fileName: basename(target),
							mimeType: 'application/octet-stream',
						}),
					]
				: [{ json: {} }];
		const parameters =
			direction === 'upload'
				? {
						resource: 'file',
						operation: 'upload',
						binaryPropertyName: 'data',
						parentFolder: { __rl: true, mode: 'id', value: 'root' },
					}
				: {
						resource: 'file',
						operation: 'download',
						binaryPropertyName: 'data',
						fileId: { __rl: true, mode: 'id', value: target },
					};

		(global as { gc?: () => void }).gc?.();
		const rssBefore = process.memoryUsage().rss;
		const started = process.hrtime.bigint();
		const result = await engine.run({ node: node(parameters), items });
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		const rssPeak = process.resourceUsage().maxRSS * 1024;
		if (result.error) throw new Error(`${result.error.message} ${result.error.description ?? ''}`);
		const out = result.items[0];
		const bytes =
			direction === 'upload' ? Number(out.json.size) : Number(out.binary!.data.bytes ?? 0);
		process.stdout.write(
			`${JSON.stringify({ ms, bytes, rssBefore, rssPeak, fileId: out.json.file_id })}\n`,
		);
	} finally {
		await engine.close();
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
