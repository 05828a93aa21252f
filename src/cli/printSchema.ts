/**
 * `npm run schema:print [-- FILE]`: writes the subgraph SDL, exactly what
 * `_service { sdl }` answers, to FILE (default `export-jobs.subgraph.graphql`)
 * for `rover supergraph compose` or any other Federation 2 composition.
 * Exit codes as the other commands': 0 done, 1 failed, 2 bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildSchema } from '../schema/buildSchema';

const DEFAULT_SUBGRAPH_FILE = 'export-jobs.subgraph.graphql';

const USAGE = `Usage: npm run schema:print [-- FILE]

Writes the subgraph SDL (what _service { sdl } answers) to FILE, by default ${DEFAULT_SUBGRAPH_FILE}.`;

function printSchema(argv: string[]): number {
  let file: string | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new TypeError(`One FILE at most (got ${positionals.length})`);
    file = positionals[0];
  } catch (error: unknown) {
    process.stderr.write(`schema:print: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const path = resolve(file ?? DEFAULT_SUBGRAPH_FILE);
  try {
    writeFileSync(path, printSubgraphSchema(buildSchema()));
  } catch (error: unknown) {
    process.stderr.write(`schema:print: could not write ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`Wrote the export-jobs subgraph SDL to ${path}\n`);
  return 0;
}

process.exitCode = printSchema(process.argv.slice(2));
