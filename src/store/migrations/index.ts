import { sql as m001 } from './001-articles-and-deliveries.js';
import { sql as m002 } from './002-audit-log.js';
import { sql as m003 } from './003-feeds.js';

/**
 * Numbered migrations, applied in order. Migration N brings the schema to `user_version` N.
 * Never edit a shipped one: add the next number.
 */
export const MIGRATIONS: readonly string[] = [m001, m002, m003];
