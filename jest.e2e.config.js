/** End-to-end: workflows run by every pinned real n8n (installed before the first run into .n8n/) against the sandbox. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	globalSetup: '<rootDir>/test/n8n/install.ts',
	testTimeout: 600000,
};
