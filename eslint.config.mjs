// n8n's own community-node lint, as `n8n-node lint` and n8n's verification run it: @n8n/node-cli's
// ESLint export (@n8n/eslint-plugin-community-nodes, typescript-eslint, import-x and
// eslint-plugin-n8n-nodes-base's community, credentials and nodes rules), with inline
// `eslint-disable` comments ignored so nothing is switched off in the code.
import { config } from '@n8n/node-cli/eslint';

// n8n Cloud's config (`config`): the self-hosted one (`configWithoutCloudSupport`) and, on top, only
// n8n-workflow and a few Node modules may be imported. Uploads and downloads stream without `stream`
// or `form-data` (transport/multipart.ts, storeDownload in transport/index.ts), so the package holds to it.
const n8nConfig = config;

export default [
	...n8nConfig,
	{ ignores: ['node_modules/**', 'test/**'] },
	{ linterOptions: { noInlineConfig: true } },
];
