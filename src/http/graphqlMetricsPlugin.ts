/**
 * Records each GraphQL operation over HTTP: its duration by operation name and
 * outcome, and every error sent by its `extensions.code`. The clock starts
 * when Apollo starts the operation (after the body is read and the caller
 * authenticated); a request refused before that (authentication, rate limit)
 * counts as an error only.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GraphqlMetrics } from '../metrics/gatewayMetrics';
import { SCHEMA_OPERATION } from '../metrics/operationLabels';

/** What an operation ended with: `ok`, or the class of its first error. */
export type RequestOutcome = 'ok' | 'client_error' | 'server_error';

// Codes are a closed set (errors.ts plus Apollo's); anything else is not used as a label.
const CODE_LABEL = /^[A-Z][A-Z_]{0,47}$/;

/**
 * `callerOf`: who sent the request (a tenant's key, which bounds the names it may make
 * labels of), or null when it came without a tenant (it reads only the schema). Such an
 * operation is labelled `schema`, not by its name: names become label values for good (the
 * first 100), and a caller that nobody authenticated must not be the one to choose them.
 */
export function graphqlMetricsPlugin<TContext extends BaseContext>(
  metrics: GraphqlMetrics,
  callerOf: (context: TContext) => string | null,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response, contextValue }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          let outcome: RequestOutcome = 'ok';
          if (errors && errors.length > 0) {
            outcome = outcomeOf(errors[0]!);
            for (const error of errors) metrics.errors.inc({ code: codeOf(error.extensions?.code) });
          }
          const caller = callerOf(contextValue);
          metrics.requestDuration.observe(
            { operation: caller === null ? SCHEMA_OPERATION : metrics.operations.of(operationName, caller), outcome },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
    async contextCreationDidFail({ error }) {
      metrics.errors.inc({ code: codeOf((error as { extensions?: { code?: unknown } }).extensions?.code) });
    },
  };
}

/** The label of an error code; `OTHER` for one that is not a code. */
export function codeOf(code: unknown): string {
  return typeof code === 'string' && CODE_LABEL.test(code) ? code : 'OTHER';
}

/** The server's fault (masked, unexpected, or the database gone for a moment) or the client's (every other code). */
function outcomeOf(error: GraphQLFormattedError): RequestOutcome {
  const code = error.extensions?.code;
  return code === undefined || code === 'INTERNAL_SERVER_ERROR' || code === 'SERVICE_UNAVAILABLE' ? 'server_error' : 'client_error';
}
