export { buildApp, openStore, openStoreAsync, type BuswayApp, type BuildOptions } from './app.js';
export { serve, startServer, isLoopbackHost, type Started } from './main.js';
export { loadConfig, ConfigError, type ConfigSources } from './config/load.js';
export { CONFIG_OPTIONS, type ResolvedConfig, type ConfigOption } from './config/schema.js';
export type { Store } from './store/store.js';
export type { BusService } from './bus/types.js';
export * from './errors.js';
