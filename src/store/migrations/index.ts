import { sql as m001 } from './001-articles-and-deliveries.js';

/**
 * Numbered migrations, applied in order. Migration N brings the schema to `user_version` N.
 * Never edit a shipped one: add the next number.
 */
export const MIGRATIONS: readonly string[] = [m001];
