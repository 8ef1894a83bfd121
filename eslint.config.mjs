// n8n's own community-node lint, as `n8n-node lint` and n8n's verification run it: @n8n/node-cli's
// ESLint export (@n8n/eslint-plugin-community-nodes, typescript-eslint, import-x and
// eslint-plugin-n8n-nodes-base's community, credentials and nodes rules), with inline
// `eslint-disable` comments ignored so nothing is switched off in the code.
import { config } from '@n8n/node-cli/eslint';

// n8n Cloud's config (`config`): the self-hosted one (`configWithoutCloudSupport`) and, on top, only
// n8n-workflow and a few Node modules may be imported. Uploads and downloads stream without `stream`
// or `form-data` (transport/multipart.ts, storeDownload in transport/download.ts), so the package holds to it.
const n8nConfig = config;

export default [
	...n8nConfig,
	{ ignores: ['node_modules/**', 'test/**'] },
	{ linterOptions: { noInlineConfig: true } },
	// Layers point one way: execution/ (per-execution state) <- transport/ <- shared/ <- resources/ and the trigger.
	{
		files: ['nodes/YetiShare/execution/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							// ../x, ../../x/y, … through any of these folders
							regex: '^(\\.\\./)+(.*/)?(transport|shared|resources)(/|$)',
							message:
								'nodes/YetiShare/execution/ holds per-execution state and imports nothing of ours but itself: pass in what it needs instead of importing transport/, shared/ or resources/.',
						},
					],
				},
			],
		},
	},
	{
		files: ['nodes/YetiShare/transport/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '^(\\.\\./)+(.*/)?(shared|resources)(/|$)',
							message:
								'The transport must not import nodes/YetiShare/shared/ or resources/: what it needs per execution lives in nodes/YetiShare/execution/.',
						},
					],
				},
			],
		},
	},
	// Operations never import each other, and the trigger never imports an operation: what two of
	// them need lives in nodes/YetiShare/shared/. A resource's index.ts lists its operations, so it may.
	{
		files: ['nodes/YetiShare/resources/*/*.ts'],
		ignores: ['nodes/YetiShare/resources/*/index.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							// ./x, ../<resource>[/x] (only ../types is allowed one level up), or any path through resources/
							regex: '^\\./|^\\.\\./(?!types$|\\.\\./)|(^|/)resources(/|$)',
							message:
								'An operation must not import another operation: move what both need to nodes/YetiShare/shared/ (named after what it does) and import it from there.',
						},
					],
				},
			],
		},
	},
	{
		files: ['nodes/YetiShareTrigger/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '(^|/)resources(/|$)',
							message:
								'The trigger must not import from nodes/YetiShare/resources/: move what it shares with an operation to nodes/YetiShare/shared/ and import it from there.',
						},
					],
				},
			],
		},
	},
];
