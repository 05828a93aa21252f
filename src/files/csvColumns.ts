/**
 * How records become CSV: each record (a JSON object) is flattened into
 * columns by the rule of `recordLeaves.ts` (dotted names, `profileId` first,
 * then code-unit order), and the batch's columns are the union of its
 * records' columns.
 *
 * - Arrays are written as JSON text: `[{"id":"a","namespace":"email"}]`.
 * - Strings are written as themselves, numbers and booleans as their JSON text,
 *   `null` as an empty field.
 * - At most `MAX_CSV_COLUMNS` columns, so one hostile profile cannot make an
 *   unbounded header.
 * - RFC 4180: a field holding `,` `"` CR or LF is quoted, `"` doubled; an empty
 *   string is written as `""` so that it differs from an absent or null field,
 *   written as nothing; every line, the last too, ends with CRLF. UTF-8, no BOM.
 */
import { UnwritableRecords } from './unwritableRecords';
import { columnOrder, ColumnsOutgrown, recordLeaves } from './recordLeaves';

export const MAX_CSV_COLUMNS = 10_000;

/** A record's leaves by column name, as CSV text; `null` is a JSON null. */
export type FlatRecord = Map<string, string | null>;

/** One record, flattened into its leaf columns. */
export function flattenRecord(record: unknown): FlatRecord {
  const leaves: FlatRecord = new Map();
  for (const [name, value] of recordLeaves(record, 'CSV')) leaves.set(name, leafText(value));
  return leaves;
}

function leafText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  // Arrays, numbers and booleans: the JSON text a reader can parse back.
  return JSON.stringify(value);
}

/** Gathers the union of the columns of a batch's records, with the column guard. */
export class CsvColumnSet {
  readonly #names = new Set<string>();

  add(record: FlatRecord): void {
    for (const name of record.keys()) {
      if (this.#names.has(name)) continue;
      if (this.#names.size === MAX_CSV_COLUMNS) {
        throw new UnwritableRecords(`The records have more than ${MAX_CSV_COLUMNS} distinct CSV columns (flattened fields); export them as JSONL`);
      }
      this.#names.add(name);
    }
  }

  /** The columns in file order: `profileId` first, then code-unit order. */
  ordered(): string[] {
    return columnOrder(this.#names);
  }
}

/** The header line, CRLF included. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map(csvField).join(',') + '\r\n';
}

/** One record's line, CRLF included; a column the header lacks is an error, never dropped. */
export function csvRow(columns: readonly string[], record: FlatRecord): string {
  let written = 0;
  const fields = columns.map((name) => {
    const value = record.get(name);
    if (value === undefined) return '';
    written += 1;
    return value === null ? '' : csvField(value);
  });
  if (written !== record.size) {
    const unknown = [...record.keys()].find((name) => !columns.includes(name));
    throw new ColumnsOutgrown(`A record has the CSV column ${JSON.stringify(unknown)}, which the header lacks: the records changed while written`);
  }
  return fields.join(',') + '\r\n';
}

/** One field, quoted when RFC 4180 needs it, and when empty (an empty string, not an absent one). */
function csvField(text: string): string {
  if (text === '' || /[",\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}
