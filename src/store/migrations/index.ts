import { sql as m001 } from './001-articles-and-deliveries.js';
import { sql as m002 } from './002-audit-log.js';
import { sql as m003 } from './003-feeds.js';
import { migrate as m004 } from './004-story-hash.js';
import { sql as m005 } from './005-web-door.js';
import { sql as m006 } from './006-feed-charset.js';
import { sql as m007 } from './007-templates-and-webhooks.js';
import { sql as m008 } from './008-corrections-and-delivery-details.js';
import { sql as m009 } from './009-channels.js';
import { sql as m010 } from './010-article-channels.js';
import { sql as m011 } from './011-feed-body-hash.js';
import { sql as m012 } from './012-digests.js';
import { sql as m013 } from './013-claim-order.js';
import type { Db } from '../open-database.js';

/** A migration: SQL to run, or a function for one that has to compute values row by row. */
export type Migration = string | ((db: Db) => void);

/**
 * Numbered migrations, applied in order. Migration N brings the schema to `user_version` N.
 * Never edit a shipped one: add the next number.
 */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013];
