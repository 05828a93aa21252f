/**
 * The schema's `DateTime`: graphql-scalars' RFC 3339 date-time, which also takes year
 * 0000 (and 0001 with an offset ahead of UTC), limited to the instants the database
 * keeps (`src/storableInstant.ts`). Without the limit such an input reached PostgreSQL:
 * `ingestProfiles` answered INTERNAL_SERVER_ERROR and `createExportJob` stored a job
 * that failed when it ran.
 */
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { isStorableInstant, OUTSIDE_STORABLE_YEARS } from '../storableInstant';

function storable(value: unknown): Date {
  const date = value as Date;
  if (!isStorableInstant(date)) throw new GraphQLError(`DateTime ${OUTSIDE_STORABLE_YEARS}: ${date.toISOString()}`);
  return date;
}

export const StorableDateTime = new GraphQLScalarType<Date, Date | string>({
  ...DateTimeResolver.toConfig(),
  parseValue: (value) => storable(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => storable(DateTimeResolver.parseLiteral(ast, variables)),
});
