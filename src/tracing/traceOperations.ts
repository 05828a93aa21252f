/**
 * A span for each GraphQL operation that Apollo executes, as a child of its
 * HTTP request's span: named `mutation CreateJob` (type and name), with the
 * tenant. Never the document, the variables or a token: those may hold what a
 * trace must not carry. The span is active while the operation executes, so
 * the operation's SQL statements are its children.
 */
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { Tenant } from '../tenant';
import { inSpan } from './tracer';

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
        const attributes: Attributes = {
          'graphql.operation.type': type,
          ...(name ? { 'graphql.operation.name': name } : {}),
          ...tenantAttributes(requestContext.context),
        };
        return inSpan(name ? `${type} ${name}` : type, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
          const result = await executor(requestContext);
          if (result.errors?.length) {
            span.setAttribute('graphql.errors', result.errors.length);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          return result;
        });
      };
      return { ...loaded, executor: execute };
    },
  };
}

/**
 * The tenant of a request's context; none for a schema-only request, whose
 * context refuses to be asked (its `tenant` is a throwing getter, not its own).
 */
function tenantAttributes(contextValue: unknown): Attributes {
  if (typeof contextValue !== 'object' || contextValue === null || !Object.hasOwn(contextValue, 'tenant')) return {};
  const tenant = (contextValue as { tenant: Tenant }).tenant;
  return { 'tenant.org_id': tenant.orgId, 'tenant.sandbox_name': tenant.sandboxName };
}
