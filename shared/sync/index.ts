// Public surface of the sync engine and protocol (docs/protocol.md describes the wire format).
export * from './advice';
export * from './bytes';
export * from './canonical';
export * from './codes';
export * from './engine';
export type { SyncEngineOptions, SyncStatus } from './engine-core';
export * from './envelope';
export * from './grants';
export * from './link';
export * from './members';
export * from './ports';
export * from './session';
export * from './snapshot';
export * from './storage';
export * from './wire-frames';
export * from './wire-records';
