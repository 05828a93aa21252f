/**
 * `npm run schema:print [-- FILE]`: writes the subgraph SDL, exactly what
 * `_service { sdl }` answers, to FILE (default `export-jobs.subgraph.graphql`)
 * for `rover supergraph compose` or any other Federation 2 composition.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildSchema } from '../schema/buildSchema';

const DEFAULT_SUBGRAPH_FILE = 'export-jobs.subgraph.graphql';

const file = resolve(process.argv[2] ?? DEFAULT_SUBGRAPH_FILE);
writeFileSync(file, printSubgraphSchema(buildSchema()));
console.log(`Wrote the export-jobs subgraph SDL to ${file}`);
