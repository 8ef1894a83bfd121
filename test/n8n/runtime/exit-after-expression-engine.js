/**
 * Loaded into n8n 1.x processes with `node --require` (see test/n8n/runtime.ts).
 *
 * n8n 1.123's CLI commands (`n8n execute`, `import:*`) end in BaseCommand.finally with a bare
 * process.exit(). The expression engine's isolate pool starts building a replacement isolate
 * (in isolated-vm, on a thread of its own) when an execution takes one; when process.exit()
 * comes while that isolate is still loading n8n's runtime bundle, Node tears V8's platform down
 * under the running thread and the process dies with SIGSEGV after a complete run (seen in a
 * core dump: the main thread in exit() joining isolated-vm's thread pool, that thread in a V8
 * scavenge). Here process.exit() first waits until the pool has no isolate being built.
 * Disposing the engine instead (as n8n's exitSuccessFully() does) moves the race to the
 * isolates' teardown, which isolated-vm also finishes on its thread: seen once in 40 runs.
 */
'use strict';

const path = require('path');

const exit = process.exit.bind(process);
let exiting = false;

process.exit = function exitAfterExpressionEngine(code) {
	if (code !== undefined) process.exitCode = code;
	if (exiting) return undefined;
	exiting = true;
	// never wait for ever: a stuck disposal must still end the process
	setTimeout(() => exit(process.exitCode), 10_000);
	let disposing;
	try {
		const workflow = require(
			require.resolve('n8n-workflow', { paths: [path.dirname(process.argv[1])] }),
		);
		disposing = Promise.resolve(workflow.Expression?.vmEvaluator?.waitForReplenishment?.());
	} catch (error) {
		disposing = Promise.reject(error);
	}
	disposing.then(
		() => exit(process.exitCode),
		(error) => {
			process.stderr.write(
				`Waiting for the expression engine before exit failed: ${error && error.message}\n`,
			);
			exit(process.exitCode);
		},
	);
	return undefined;
};
