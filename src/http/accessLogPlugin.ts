/**
 * The access log: a line per GraphQL request over HTTP (its operation, HTTP
 * status, duration and error codes), for a sampled share of requests
 * (ACCESS_LOG_SAMPLE; default none). A request not sampled costs one random
 * number. The request id (and trace id) come with the line from the log context.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from '../logger';

export function accessLogPlugin<TContext extends BaseContext>(logger: Logger, sample: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      if (sample <= 0 || Math.random() >= sample) return;
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          logger.info('GraphQL request', {
            operation: operationName ?? null,
            type: operation?.operation ?? null,
            status: response.http.status ?? 200,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            ...(errors?.length ? { errorCodes: errors.map((error) => error.extensions?.code ?? null) } : {}),
          });
        },
      };
    },
  };
}
