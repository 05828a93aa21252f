/**
 * One POST to an endpoint, as the deliverer needs it: a total time limit, no
 * redirect followed, only addresses the URL may be sent to (`refusedTarget`),
 * kept-alive connections, and an outcome instead of an exception.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { webhookResolverFor } from './webhookResolver';
import { allowedAddressLookup } from './allowedAddressLookup';
import type { SignedRequest } from './webhookRequest';
import { refusedTarget } from './webhookTarget';
import { hostOf, schemeProblem } from './webhookUrl';
import type { WebhookOptions } from './webhookOptions';

export interface PostOutcome {
  /** When the attempt started. */
  attemptedAt: Date;
  durationMs: number;
  /** A 2xx answer. */
  succeeded: boolean;
  /** The endpoint's status; null when none came. */
  httpStatus: number | null;
  /** What went wrong; null on success. */
  error: string | null;
  /** Stopped by the deliverer stopping: not an attempt to record. */
  aborted: boolean;
}

export interface WebhookPoster {
  post(url: URL, request: SignedRequest, signal: AbortSignal): Promise<PostOutcome>;
  /** Closes the kept-alive connections. */
  close(): void;
}

// A receiver answers with a status; what it says after is read (for the connection's reuse, and
// before the next message is sent) but not kept.
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_ERROR_CHARS = 500;

export function createWebhookPoster(options: Pick<WebhookOptions, 'allowPrivate' | 'timeoutMs' | 'dnsServers'>): WebhookPoster {
  const agentOptions = { keepAlive: true, maxFreeSockets: 64 };
  const agents = { 'http:': new HttpAgent(agentOptions), 'https:': new HttpsAgent(agentOptions) };
  const resolver = webhookResolverFor(options.dnsServers);
  const lookups = {
    'http:': allowedAddressLookup('http:', options.allowPrivate, resolver),
    'https:': allowedAddressLookup('https:', options.allowPrivate, resolver),
  };

  async function post(url: URL, request: SignedRequest, signal: AbortSignal): Promise<PostOutcome> {
    const attemptedAt = new Date();
    const started = performance.now();
    const outcome = (fields: Partial<PostOutcome>): PostOutcome => ({
      attemptedAt,
      durationMs: Math.round(performance.now() - started),
      succeeded: false,
      httpStatus: null,
      error: null,
      aborted: false,
      ...fields,
    });
    // The same rules as at creation: the settings may have changed since.
    const problem = schemeProblem(url, options.allowPrivate) ?? literalAddressProblem(url);
    if (problem) return outcome({ error: `refused: the URL ${problem}` });
    try {
      const response = await send(url, request, signal, started + options.timeoutMs, true);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return outcome({ succeeded: true, httpStatus: status });
      const error =
        status >= 300 && status < 400
          ? `redirect not followed (HTTP ${status}${response.headers.location ? ` to ${response.headers.location}` : ''})`
          : `HTTP ${status}`;
      return outcome({ httpStatus: status, error: bounded(error) });
    } catch (error: unknown) {
      if (signal.aborted) return outcome({ aborted: true, error: 'stopped' });
      return outcome({ error: bounded(error instanceof Error ? error.message : String(error)) });
    }
  }

  /** A host written as an address: no lookup runs for it, so it is checked here. */
  function literalAddressProblem(url: URL): string | null {
    const host = hostOf(url);
    if (!isIP(host)) return null;
    const reason = refusedTarget(host, url.protocol, options.allowPrivate);
    return reason ? `names ${host}, ${reason}` : null;
  }

  /**
   * Resolves with the response once it is over: its body read (up to
   * MAX_RESPONSE_BYTES, then cut) or cut at the time limit. Not at its status:
   * a receiver that answers at once and then sends its body slowly would
   * otherwise have the next message sent on a new connection while the last
   * still drains, up to one per message; this way one endpoint holds one.
   */
  function send(
    url: URL,
    request: SignedRequest,
    signal: AbortSignal,
    deadline: number,
    mayRetry: boolean,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const req: ClientRequest = (isHttps ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: agents[isHttps ? 'https:' : 'http:'],
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: lookups[isHttps ? 'https:' : 'http:'],
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
        Math.max(0, deadline - performance.now()),
      );
      const onAbort = () => req.destroy(new Error('stopped'));
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      let answered = false;
      req.on('response', (response) => {
        answered = true;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        // Its status stands however the body ends: read, cut, or timed out.
        response.on('error', () => {});
        response.on('close', () => {
          done();
          resolve(response);
        });
      });
      req.on('error', (error: Error & { code?: string }) => {
        done();
        if (answered) return;
        // A kept-alive connection the server closed as we reused it: not the endpoint's failure.
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) {
          send(url, request, signal, deadline, false).then(resolve, reject);
          return;
        }
        reject(error);
      });
      req.end(request.body);
    });
  }

  return {
    post,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function bounded(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}…`;
}
