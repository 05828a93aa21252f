/**
 * The access log: a line per GraphQL request over HTTP (its operation, HTTP
 * status, duration and error codes), for a sampled share of requests
 * (ACCESS_LOG_SAMPLE; default none). A request not sampled costs one random
 * number. The request id (and trace id) come with the line from the log context.
 * Requests refused before they run are lines too: those refused before Apollo
 * sees them (`accessLogOfRefusals`: a body too large, too many operations) and
 * those whose context failed (no tenant, a token refused, the rate limit).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger';
import type { Refusal } from './graphqlHttpHandler';

const LINE = 'GraphQL request';

const rounded = (ms: number) => Math.round(ms * 10) / 10;

export function accessLogPlugin<TContext extends BaseContext>(logger: Logger, sample: number): ApolloServerPlugin<TContext> {
  const sampled = () => sample > 0 && Math.random() < sample;
  return {
    // Apollo starts no request for a context that failed: its line is written here.
    async contextCreationDidFail({ error }) {
      if (!sampled()) return;
      const extensions = error instanceof GraphQLError ? error.extensions : {};
      const http = extensions.http as { status?: number } | undefined;
      logger.info(LINE, { operation: null, type: null, status: http?.status ?? 500, errorCodes: [extensions.code ?? null] });
    },
    async requestDidStart() {
      if (!sampled()) return;
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          logger.info(LINE, {
            operation: operationName ?? null,
            type: operation?.operation ?? null,
            status: response.http.status ?? 200,
            durationMs: rounded(performance.now() - started),
            ...(errors?.length ? { errorCodes: errors.map((error) => error.extensions?.code ?? null) } : {}),
          });
        },
      };
    },
  };
}

/** The access log's line of a request refused before Apollo saw it, sampled as the others. */
export function accessLogOfRefusals(logger: Logger, sample: number): (refusal: Refusal) => void {
  return ({ code, status, durationMs }) => {
    if (sample <= 0 || Math.random() >= sample) return;
    logger.info(LINE, { operation: null, type: null, status, durationMs: rounded(durationMs), errorCodes: [code] });
  };
}
