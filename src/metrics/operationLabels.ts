/**
 * Operation names as label values, with bounded cardinality: clients choose
 * the names, and every distinct label value is a time series in Prometheus.
 */

/** Distinct operation names labelled as themselves; later ones are `other`. */
export const MAX_OPERATION_LABELS = 100;

/**
 * How many of those one caller (a tenant) may be the first to use: one tenant sending 100
 * made-up names would otherwise leave every other tenant's operations `other` for good.
 */
export const MAX_OPERATION_LABELS_PER_CALLER = 25;

/** Longer names are `other`: a label value is stored with every sample. */
const MAX_NAME_LENGTH = 64;

export const UNKNOWN_OPERATION = 'unknown';
export const ANONYMOUS_OPERATION = 'anonymous';
export const OTHER_OPERATION = 'other';
/** A request without a tenant, which reads only the schema: its name is not taken (graphqlMetricsPlugin.ts). */
export const SCHEMA_OPERATION = 'schema';

export interface OperationLabels {
  /**
   * The label of an operation that `caller` (a tenant's key) sent: its name if among the
   * first 100 seen and, when `caller` saw it first, among the first 25 names it did;
   * `anonymous` without a name (null), `unknown` when the request never got as far as
   * choosing its operation (undefined: unparsable, invalid).
   */
  of(name: string | null | undefined, caller: string): string;
}

// A client's operation named like one of ours would be counted as ours (`query schema`
// among the schema-only requests): such a name is `other`, and takes no place.
const RESERVED = new Set([UNKNOWN_OPERATION, ANONYMOUS_OPERATION, OTHER_OPERATION, SCHEMA_OPERATION]);

export function operationLabels(max = MAX_OPERATION_LABELS, maxPerCaller = MAX_OPERATION_LABELS_PER_CALLER): OperationLabels {
  const known = new Set<string>();
  // Names each caller was the first to use; at most `max` entries in all, as `known`.
  const claimed = new Map<string, number>();
  return {
    of(name, caller) {
      if (name === undefined) return UNKNOWN_OPERATION;
      if (name === null || name === '') return ANONYMOUS_OPERATION;
      if (known.has(name)) return name;
      if (RESERVED.has(name)) return OTHER_OPERATION;
      if (known.size >= max || name.length > MAX_NAME_LENGTH) return OTHER_OPERATION;
      const claimedByCaller = claimed.get(caller) ?? 0;
      if (claimedByCaller >= maxPerCaller) return OTHER_OPERATION;
      claimed.set(caller, claimedByCaller + 1);
      known.add(name);
      return name;
    },
  };
}
