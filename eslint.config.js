// The n8n community-node lint rules (eslint-plugin-n8n-nodes-base), each set on the files it is written for.
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const typescriptParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const plugins = { 'n8n-nodes-base': n8nNodesBase };

module.exports = [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', '**/*.js'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins,
		rules: n8nNodesBase.configs.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: typescriptParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// This rule wants a camelCase slug, which n8n's editor turns into a page of n8n's own
			// docs. A community credential has no page there: its documentationUrl must be a full URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: typescriptParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: n8nNodesBase.configs.nodes.rules,
	},
];
