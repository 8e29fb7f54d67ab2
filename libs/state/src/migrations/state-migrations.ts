import { InitialSchema1795843810986 } from './1795843810986-InitialSchema';

/**
 * Every migration, oldest first. A landed migration is never edited: add a new one and append it.
 */
export const STATE_MIGRATIONS = [InitialSchema1795843810986] as const;
