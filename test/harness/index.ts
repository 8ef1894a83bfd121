/** The in-engine test harness: run the package's nodes and credentials inside n8n-core. */
export { Engine } from './engine';
export type {
	BinaryItemOptions,
	BinaryMode,
	EngineOptions,
	ExecutionErrorRecord,
	ExpressionEngine,
	MethodOptions,
	NodeUnderTest,
	OnError,
	PollOptions,
	PollResult,
	RunOptions,
	RunResult,
} from './engine';
export { CredentialStore, HarnessCredentialsHelper } from './credentials';
export type { CredentialInput, CredentialRef, CredentialSave } from './credentials';
export { MemoryLogger } from './logger';
export type { LogEntry, LogLevel } from './logger';
