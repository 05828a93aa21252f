/**
 * A span for each GraphQL operation that Apollo executes: named `mutation
 * CreateJob` (type and name), with the tenant. Never the document, the
 * variables or a token: those may hold what a trace must not carry. The span
 * is active while the operation executes, so its SQL statements are its
 * children. The one operation of an HTTP request takes over the request's
 * server span (`requestSpan.ts`); each operation of a batch gets a child span.
 */
import type { GatewayExecutionResult, GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import type { Tenant } from '../tenant';
import { operationRunsIn, requestSpanToName } from './requestSpan';
import { failSpan, inSpan } from './tracer';

/** `gateway`, whose executor runs each operation in a span. Wrap only when tracing is on. */
export function traceOperations(gateway: GatewayInterface): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (listener) => gateway.onSchemaLoadOrUpdate(listener),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      const executor = loaded.executor;
      if (!executor) return loaded;
      const execute: GatewayExecutor = (requestContext) => {
        const type = requestContext.operation?.operation ?? 'unknown';
        const name = requestContext.operationName ?? undefined;
        const attributes: Attributes = { 'graphql.operation.type': type };
        if (name) attributes['graphql.operation.name'] = name;
        addTenantAttributes(attributes, requestContext.context);
        const spanName = name ? `${type} ${name}` : type;
        const request = requestSpanToName();
        if (request) {
          request.updateName(spanName);
          request.setAttributes(attributes);
          const operation = executor(requestContext).then(
            (result) => withErrorsMarked(request, result),
            (error: unknown) => {
              failSpan(request, error);
              throw error;
            },
          );
          // Ended by traceHttpRequests once the response is over and this has settled.
          operationRunsIn(request, operation);
          return operation;
        }
        return inSpan(spanName, { kind: SpanKind.INTERNAL, attributes }, async (span) =>
          withErrorsMarked(span, await executor(requestContext)),
        );
      };
      return { ...loaded, executor: execute };
    },
  };
}

/** `result`, after marking `span` failed when the operation answered errors. */
function withErrorsMarked(span: Span, result: GatewayExecutionResult): GatewayExecutionResult {
  if (result.errors?.length) {
    span.setAttribute('graphql.errors', result.errors.length);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  return result;
}

/**
 * Adds the tenant of a request's context to `attributes`; none for a
 * schema-only request, whose context refuses to be asked (its `tenant` is a
 * throwing getter, not its own).
 */
function addTenantAttributes(attributes: Attributes, contextValue: unknown): void {
  if (typeof contextValue !== 'object' || contextValue === null || !Object.hasOwn(contextValue, 'tenant')) return;
  const tenant = (contextValue as { tenant: Tenant }).tenant;
  attributes['tenant.org_id'] = tenant.orgId;
  attributes['tenant.sandbox_name'] = tenant.sandboxName;
}
