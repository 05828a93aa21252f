import { readFileSync } from 'node:fs';
import { projectPath } from '../projectPath';

/** `schema.graphql`, the one source of the API. */
export const typeDefs = readFileSync(projectPath('schema.graphql'), 'utf8');
