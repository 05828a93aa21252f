import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `schema.graphql`, the one source of the API. */
export const typeDefs = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
