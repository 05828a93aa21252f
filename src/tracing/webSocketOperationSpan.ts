/**
 * A span for each GraphQL operation over graphql-ws, from its subscribe to its
 * end (completed by either side, failed, or its socket closed): named like an
 * HTTP operation's (`subscription Watch`), with the tenant. A `traceparent` in
 * the `connection_init` payload, where the tenant headers travel, makes it a
 * child of the caller's trace. Never the document, the variables or a token.
 */
import { propagation, ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';
import type { Tenant } from '../tenant';
import { tracer } from './tracer';

export function startWebSocketOperationSpan(
  operation: { document: DocumentNode; operationName: string | null | undefined },
  tenant: Tenant,
  connectionHeaders: IncomingHttpHeaders,
): Span {
  // graphql-ws clients seldom send an operationName: the document's operation names itself.
  const definition = getOperationAST(operation.document, operation.operationName);
  const type = definition?.operation ?? 'unknown';
  const name = operation.operationName ?? definition?.name?.value;
  return tracer().startSpan(
    name ? `${type} ${name}` : type,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'graphql.operation.type': type,
        ...(name ? { 'graphql.operation.name': name } : {}),
        'network.protocol.name': 'websocket',
        'tenant.org_id': tenant.orgId,
        'tenant.sandbox_name': tenant.sandboxName,
      },
    },
    propagation.extract(ROOT_CONTEXT, connectionHeaders),
  );
}
