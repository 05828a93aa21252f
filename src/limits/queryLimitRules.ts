/**
 * The bounds on a GraphQL document, as validation rules (and the parser's
 * token limit): depth, aliases and directives by graphql-armor's rules, cost by
 * ours (costRule.ts), introspection by its shape (introspectionAliasRule.ts). Each
 * reports its own code in `extensions.limit`, which formatError turns into the
 * error's code.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { ErrorCode } from '../errors';
import { costLimitRule } from './costRule';
import { introspectionAliasRule } from './introspectionAliasRule';
import type { LimitOptions } from './limitOptions';

export function queryLimitRules(limits: LimitOptions): ValidationRule[] {
  // graphql-armor throws its error by default; instead it is reported with our code.
  const reporting = (code: ErrorCode) => ({
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { limit: code } })),
    ],
  });
  return [
    // Fragments count as levels: 60 nested `... on Query { }` ran before.
    maxDepthRule({ n: limits.queryDepth, flattenFragments: false, ...reporting(ErrorCode.QUERY_TOO_DEEP) }),
    maxAliasesRule({ n: limits.queryAliases, ...reporting(ErrorCode.TOO_MANY_ALIASES) }),
    maxDirectivesRule({ n: limits.queryDirectives, ...reporting(ErrorCode.TOO_MANY_DIRECTIVES) }),
    costLimitRule(limits.queryCost),
    introspectionAliasRule,
  ];
}

export function queryParseOptions(limits: LimitOptions): ParseOptions {
  return { maxTokens: limits.queryTokens };
}
