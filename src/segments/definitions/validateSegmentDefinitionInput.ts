/**
 * Turns the input of `createSegmentDefinition` and `updateSegmentDefinition`
 * into what is stored: every rule that needs no database is checked here,
 * every default applied here. The expression is compiled, so a stored
 * definition always evaluates.
 */
import { sql } from 'drizzle-orm';
import type { SegmentSchemaSpec } from '../../db/schema';
import { badUserInput } from '../../errors';
import { DEFAULT_MERGE_POLICY, PROFILE_SCHEMA_NAME } from '../../jobs/exportJobSpec';
import { requiredKey, storageProblem } from '../../profiles/storable';
import { compileSegmentExpression } from './compileSegmentExpression';

export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2_000;
export const EXPRESSION_TYPE = 'PQL';
export const EXPRESSION_FORMAT = 'pql/text';

/** A definition's expression as a client sends it; `type` and `format` default to `PQL`, `pql/text`. */
export interface SegmentExpressionInput {
  type?: string | null;
  format?: string | null;
  value: string;
}

/** What `createSegmentDefinition` takes (the GraphQL `CreateSegmentDefinitionInput`). */
export interface SegmentDefinitionInput {
  name: string;
  description?: string | null;
  expression: SegmentExpressionInput;
  mergePolicyId?: string | null;
  schema?: { name: string } | null;
}

/** What `updateSegmentDefinition` takes: an omitted (undefined) field is kept. */
export type SegmentDefinitionChanges = {
  [Key in keyof SegmentDefinitionInput]?: SegmentDefinitionInput[Key] | null;
};

/** The stored columns of a definition, as a create writes them all and an update some. */
export interface SegmentDefinitionSpec {
  name: string;
  description: string | null;
  expressionType: string;
  expressionFormat: string;
  expressionValue: string;
  mergePolicyId: string;
  schema: SegmentSchemaSpec;
}

/** A new definition's columns, defaults applied; BAD_USER_INPUT naming the first bad field. */
export function validateSegmentDefinitionInput(input: SegmentDefinitionInput): SegmentDefinitionSpec {
  return {
    name: checkName(input.name),
    description: checkDescription(input.description),
    ...checkExpression(input.expression),
    mergePolicyId: checkMergePolicyId(input.mergePolicyId),
    schema: checkSchema(input.schema),
  };
}

/** The columns an update changes: only those `changes` gives; null returns a defaulted field to its default. */
export function validateSegmentDefinitionChanges(changes: SegmentDefinitionChanges): Partial<SegmentDefinitionSpec> {
  const spec: Partial<SegmentDefinitionSpec> = {};
  if (changes.name !== undefined) {
    if (changes.name === null) throw badUserInput('name', '`name` cannot be removed');
    spec.name = checkName(changes.name);
  }
  if (changes.description !== undefined) spec.description = checkDescription(changes.description);
  if (changes.expression !== undefined) {
    if (changes.expression === null) throw badUserInput('expression', '`expression` cannot be removed');
    Object.assign(spec, checkExpression(changes.expression));
  }
  if (changes.mergePolicyId !== undefined) spec.mergePolicyId = checkMergePolicyId(changes.mergePolicyId);
  if (changes.schema !== undefined) spec.schema = checkSchema(changes.schema);
  return spec;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw badUserInput('name', '`name` must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw badUserInput('name', `\`name\` must have at most ${MAX_NAME_LENGTH} characters (got ${trimmed.length})`);
  }
  checkStorable(trimmed, 'name');
  return trimmed;
}

function checkDescription(description: string | null | undefined): string | null {
  if (description === null || description === undefined) return null;
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw badUserInput(
      'description',
      `\`description\` must have at most ${MAX_DESCRIPTION_LENGTH} characters (got ${description.length})`,
    );
  }
  checkStorable(description, 'description');
  return description;
}

function checkExpression(
  expression: SegmentExpressionInput,
): Pick<SegmentDefinitionSpec, 'expressionType' | 'expressionFormat' | 'expressionValue'> {
  // GraphQL applies the defaults only when the field is omitted; an explicit null means the same.
  const type = expression.type ?? EXPRESSION_TYPE;
  const format = expression.format ?? EXPRESSION_FORMAT;
  if (type !== EXPRESSION_TYPE) {
    throw badUserInput('expression.type', `\`expression.type\` must be ${EXPRESSION_TYPE} (got ${JSON.stringify(type)})`);
  }
  if (format !== EXPRESSION_FORMAT) {
    throw badUserInput(
      'expression.format',
      `\`expression.format\` must be ${EXPRESSION_FORMAT} (got ${JSON.stringify(format)})`,
    );
  }
  // Compiled at the time of writing: time words (`now`, `today`) only need a valid instant to type-check.
  compileSegmentExpression(expression.value, 'expression.value', { profile: sql.raw('p'), now: new Date() });
  return { expressionType: type, expressionFormat: format, expressionValue: expression.value };
}

function checkMergePolicyId(mergePolicyId: string | null | undefined): string {
  if (mergePolicyId === null || mergePolicyId === undefined) return DEFAULT_MERGE_POLICY.id;
  return requiredKey(mergePolicyId, 'mergePolicyId');
}

function checkSchema(schema: { name: string } | null | undefined): SegmentSchemaSpec {
  const name = schema?.name ?? PROFILE_SCHEMA_NAME;
  if (name !== PROFILE_SCHEMA_NAME) {
    throw badUserInput('schema.name', `\`schema.name\` must be ${PROFILE_SCHEMA_NAME} (got ${JSON.stringify(name)})`);
  }
  return { name };
}

function checkStorable(value: string, field: string): void {
  const problem = storageProblem(value, field);
  if (problem) throw badUserInput(field, `\`${field}\` ${problem.problem}`);
}
