/**
 * A real webhook endpoint for tests: a `node:http` server on 127.0.0.1 that
 * verifies each request's Standard Webhooks signature, records what came, and
 * answers as told (a status, a hang, a redirect). What it was sent can be read
 * as every request (`requests`) or as the events it accepted, once each by
 * `webhook-id` (`events()`), as a receiver that drops redeliveries would.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach } from 'vitest';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body; undefined when it is not JSON. */
  json: any;
  /** The index in `secrets` of the secret whose signature verified; -1: none did. */
  verifiedWith: number;
  /** What the receiver answered: a status, or `hang`. */
  answer: number | 'hang';
}

/** How to answer: a status (`afterMs` later), never (hang until closed), or a redirect elsewhere on this receiver. */
export type Answer = { status: number; afterMs?: number } | { hang: true } | { redirect: number };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  requests: ReceivedRequest[];
  /** Secrets to verify with, in order (`verifiedWith` indexes this list). */
  secrets: string[];
  /** Answers every later request so (default `{ status: 204 }`). */
  answerWith(answer: Answer): void;
  /** Answers the next requests with these, one each, then as `answerWith` says. */
  answerNext(...answers: Answer[]): void;
  /** The bodies it accepted (2xx, verified), once per `webhook-id`, in arrival order. */
  events(): any[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(secrets: string[] = []): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let standing: Answer = { status: 204 };
  const queued: Answer[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const answer = path === '/hook' ? (queued.shift() ?? standing) : { status: 404 };
      requests.push({
        path,
        headers: req.headers,
        body,
        json: parsed(body),
        verifiedWith: receiver.secrets.findIndex((secret) => verifies(secret, body, req.headers)),
        answer: 'hang' in answer ? 'hang' : 'redirect' in answer ? answer.redirect : answer.status,
      });
      if ('hang' in answer) {
        hanging.add(res);
        return;
      }
      if ('redirect' in answer) {
        res.writeHead(answer.redirect, { location: '/elsewhere' }).end();
        return;
      }
      if (answer.afterMs) {
        hanging.add(res);
        setTimeout(() => {
          hanging.delete(res);
          if (!res.destroyed) res.writeHead(answer.status).end();
        }, answer.afterMs);
        return;
      }
      res.writeHead(answer.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    secrets,
    answerWith: (answer) => {
      standing = answer;
    },
    answerNext: (...answers) => {
      queued.push(...answers);
    },
    events: () => {
      const seen = new Set<string>();
      return requests.flatMap((request) => {
        const id = String(request.headers['webhook-id']);
        const accepted = typeof request.answer === 'number' && request.answer < 300 && request.verifiedWith >= 0;
        if (!accepted || seen.has(id)) return [];
        seen.add(id);
        return [request.json];
      });
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

function verifies(secret: string, body: string, headers: IncomingHttpHeaders): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Receivers started by a suite's tests, each closed after its test: call the answer to start one. */
export function useWebhookReceivers(): () => Promise<WebhookReceiver> {
  const started: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((receiver) => receiver.close()));
  });
  return async () => {
    const receiver = await startWebhookReceiver();
    started.push(receiver);
    return receiver;
  };
}
