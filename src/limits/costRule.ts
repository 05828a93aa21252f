/**
 * The cost of an operation, for LIMIT_QUERY_COST: each field costs its
 * `@cost(weight)` (1 without one) plus what is selected under it, and a list
 * multiplies what is under it by its size — the `first`/`last` a client asks
 * for (its `@listSize(slicingArguments)`), or the size the schema assumes for
 * it (`@listSize(assumedSize)`, else 20). The same directives price our fields
 * for a router's demand control, so the expensive fields weigh alike in both;
 * only the router's base costs differ (it counts a scalar 0 and a mutation 10
 * more, we count every field at least 1).
 */
import {
  getNamedType,
  GraphQLError,
  isListType,
  isNonNullType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  isCompositeType,
} from 'graphql';
import { ErrorCode } from '../errors';
import { MAX_PAGE_SIZE } from '../pagination/pageRequest';

const DEFAULT_LIST_SIZE = 20;

export function costLimitRule(maxCost: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const cost = operationCost(context.getSchema(), operation, (name) => context.getFragment(name) ?? undefined);
      if (cost !== undefined && cost > maxCost) {
        context.reportError(
          new GraphQLError(`The operation costs ${cost}, more than the limit of ${maxCost}`, {
            nodes: [operation],
            extensions: { limit: ErrorCode.QUERY_TOO_COSTLY, cost, maxCost },
          }),
        );
      }
    },
  });
}

/** Where the fields and fragments of an operation are looked up, and the fragments priced so far. */
interface Scope {
  schema: GraphQLSchema;
  fragment: (name: string) => FragmentDefinitionNode | undefined;
  /**
   * A fragment's cost, by its name and the sizes given to it from above: priced once each.
   * Priced at every spread instead, a chain of fragments that each spread the next twice
   * took 2^n steps: 10 s to validate 22 levels, a document of 1 kB that needs no headers.
   */
  fragmentCosts: Map<string, number>;
}

/**
 * The cost of `operation`; `sized` gives some of its root fields a size known only
 * as it runs (`_entities`: its representations), counted in place of their own.
 * Undefined for an operation type the schema does not have.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | undefined,
  sized: ReadonlyMap<string, number> = new Map(),
): number | undefined {
  const type =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!type) return undefined;
  return selectionCost({ schema, fragment, fragmentCosts: new Map() }, operation.selectionSet, type, new Set(), sized);
}

/**
 * `sized`: the sizes a connection above gave to some of these fields (its
 * `@listSize(sizedFields)`, e.g. `edges`), which count in place of their own.
 */
function selectionCost(
  scope: Scope,
  selectionSet: SelectionSetNode,
  parent: GraphQLOutputType,
  fragmentsInUse: Set<string>,
  sized: ReadonlyMap<string, number> = new Map(),
): number {
  const parentType = getNamedType(parent);
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = isCompositeType(parentType) && 'getFields' in parentType ? parentType.getFields()[selection.name.value] : undefined;
      if (!field) continue; // __typename, or an unknown field that validation reports
      // By its response key first: one of two aliased `_entities` calls is sized as it runs (entityRepresentations.ts).
      const size = sized.get(selection.alias?.value ?? selection.name.value) ?? sized.get(selection.name.value);
      cost += fieldCost(scope, selection, field, fragmentsInUse, size);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? scope.schema.getType(selection.typeCondition.name.value) : parentType;
      cost += selectionCost(scope, selection.selectionSet, (type ?? parentType) as GraphQLOutputType, fragmentsInUse, sized);
    } else {
      const name = selection.name.value;
      const fragment = scope.fragment(name);
      // A cycle of fragments is a validation error of its own; do not loop on it.
      if (!fragment || fragmentsInUse.has(name)) continue;
      const key = sized.size === 0 ? name : `${name} ${JSON.stringify([...sized])}`;
      let fragmentCost = scope.fragmentCosts.get(key);
      if (fragmentCost === undefined) {
        fragmentsInUse.add(name);
        const type = scope.schema.getType(fragment.typeCondition.name.value);
        fragmentCost = selectionCost(scope, fragment.selectionSet, (type ?? parentType) as GraphQLOutputType, fragmentsInUse, sized);
        fragmentsInUse.delete(name);
        scope.fragmentCosts.set(key, fragmentCost);
      }
      cost += fragmentCost;
    }
  }
  return cost;
}

function fieldCost(
  scope: Scope,
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  fragmentsInUse: Set<string>,
  sizeFromAbove: number | undefined,
): number {
  const { size, sizedFields } = listSizeOf(node, field);
  const own = weightOf(field);
  // A connection's size belongs to its sized fields (edges), not to itself (pageInfo, totalCount).
  if (sizedFields.length > 0) {
    const sized = new Map(sizedFields.map((name) => [name, size]));
    return own + (node.selectionSet ? selectionCost(scope, node.selectionSet, field.type, fragmentsInUse, sized) : 0);
  }
  const below = node.selectionSet ? selectionCost(scope, node.selectionSet, field.type, fragmentsInUse) : 0;
  return own + below * (sizeFromAbove ?? size);
}

/** The field's own `@cost(weight: n)`, or 1. */
function weightOf(field: GraphQLField<unknown, unknown>): number {
  const directive = field.astNode?.directives?.find((each) => each.name.value === 'cost');
  const weight = directive?.arguments?.find((each) => each.name.value === 'weight')?.value;
  return weight?.kind === Kind.INT ? Number(weight.value) : 1;
}

/** How many items a list field is taken to return (1 for a field that is not a list), and which of its fields that sizes. */
function listSizeOf(node: FieldNode, field: GraphQLField<unknown, unknown>): { size: number; sizedFields: string[] } {
  const directive = field.astNode?.directives?.find((each) => each.name.value === 'listSize');
  const argument = (name: string) => directive?.arguments?.find((each) => each.name.value === name)?.value;
  const sizedArgument = argument('sizedFields');
  const sizedFields =
    sizedArgument?.kind === Kind.LIST ? sizedArgument.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : [])) : [];
  return { size: sizeOf(node, field, argument), sizedFields };
}

function sizeOf(node: FieldNode, field: GraphQLField<unknown, unknown>, argument: (name: string) => ValueNode | undefined): number {
  const directive = field.astNode?.directives?.find((each) => each.name.value === 'listSize');
  const slicing = argument('slicingArguments');
  if (slicing?.kind === Kind.LIST) {
    const sizes = slicing.values.flatMap((value) =>
      value.kind === Kind.STRING ? [argumentValue(node, value.value)] : [],
    );
    const given = sizes.filter((size): size is number => size !== undefined);
    if (given.length > 0) return Math.max(...given);
  }
  const assumed = argument('assumedSize');
  if (assumed?.kind === Kind.INT) return Number(assumed.value);
  let type = field.type;
  if (isNonNullType(type)) type = type.ofType;
  return directive || isListType(type) ? DEFAULT_LIST_SIZE : 1;
}

/**
 * The integer value of argument `name` on `node`, from a literal; a variable's
 * value is not known at validation, so it counts as the largest page a list
 * allows. Undefined when the argument is absent. A negative size (which the
 * field refuses as it runs) counts as none: subtracted, it would pay for the
 * rest of the operation.
 */
function argumentValue(node: FieldNode, name: string): number | undefined {
  const value: ValueNode | undefined = node.arguments?.find((each) => each.name.value === name)?.value;
  if (value?.kind === Kind.INT) return Math.max(0, Number(value.value));
  if (value?.kind === Kind.VARIABLE) return MAX_PAGE_SIZE;
  return undefined;
}
