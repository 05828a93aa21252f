/**
 * A webhook POST reaches only the addresses its URL may be sent to (public; with
 * WEBHOOK_ALLOW_PRIVATE loopback and private too, and http only those), checked as it
 * connects (DNS rebinding).
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookPoster } from '../../src/webhooks/webhookPoster';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';

const REQUEST = { body: '{}', headers: { 'content-type': 'application/json' } };

describe('the webhook poster', () => {
  // A bare TCP listener on loopback: it counts whoever connects, whatever the protocol.
  let listener: Server;
  let port = 0;
  let connections = 0;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await new Promise((resolve) => listener.close(resolve));
    await receiver.close();
  });

  it.each([
    // The name resolves only now to loopback: refused before connecting, as a rebinding would be.
    ['a name that resolves to loopback', () => `https://localhost:${port}/hook`, /^refused: an address of localhost is not a public address \(loopback\)$/],
    ['a loopback address', () => `https://127.0.0.1:${port}/hook`, /^refused: the URL names 127\.0\.0\.1, not a public address \(loopback\)$/],
    ['an IPv6 loopback address', () => `https://[::1]:${port}/hook`, /^refused: the URL names ::1, not a public address \(loopback\)$/],
    ['plain http', () => `http://93.184.215.14:${port}/hook`, /^refused: the URL must be an https URL/],
  ])('refuses %s without WEBHOOK_ALLOW_PRIVATE, and never connects', async (_name, url, error) => {
    const poster = createWebhookPoster({ allowPrivate: false, timeoutMs: 2_000 });
    try {
      const before = connections;
      const outcome = await poster.post(new URL(url()), REQUEST, new AbortController().signal);
      expect(outcome).toMatchObject({ succeeded: false, httpStatus: null, aborted: false });
      expect(outcome.error).toMatch(error);
      expect(connections).toBe(before);
    } finally {
      poster.close();
    }
  });

  it.each([
    // Plain http is for this machine's own network only: over the internet it would go unencrypted.
    ['plain http to a public address', () => `http://93.184.215.14:${port}/hook`, /^refused: the URL names 93\.184\.215\.14, a public address, which only https may be sent to/],
    ['cloud metadata (link-local)', () => `http://169.254.169.254:${port}/latest/meta-data/`, /^refused: the URL names 169\.254\.169\.254, not a public, loopback or private address \(linkLocal\)$/],
    ['cloud metadata over https', () => `https://169.254.169.254:${port}/latest/meta-data/`, /\(linkLocal\)$/],
  ])('refuses %s even with WEBHOOK_ALLOW_PRIVATE, before connecting', async (_name, url, error) => {
    const poster = createWebhookPoster({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const outcome = await poster.post(new URL(url()), REQUEST, new AbortController().signal);
      // The refusal is the address check's own message: a connection attempt would fail otherwise.
      expect(outcome).toMatchObject({ succeeded: false, httpStatus: null, aborted: false });
      expect(outcome.error).toMatch(error);
    } finally {
      poster.close();
    }
  });

  it('reaches private addresses with WEBHOOK_ALLOW_PRIVATE, by name too', async () => {
    const poster = createWebhookPoster({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const url = new URL(receiver.url.replace('127.0.0.1', 'localhost'));
      const outcome = await poster.post(url, REQUEST, new AbortController().signal);
      expect(outcome).toMatchObject({ succeeded: true, httpStatus: 204, error: null });
    } finally {
      poster.close();
    }
  });

  it('sends the next message only once the last answer is over, on one connection, however slowly it comes', async () => {
    // A receiver that answers 200 at once, then promises a body it never sends.
    let open = 0;
    let mostOpen = 0;
    const slow = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '1000000' });
      res.write('x');
    });
    slow.on('connection', (socket) => {
      mostOpen = Math.max(mostOpen, ++open);
      socket.on('close', () => open--);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const poster = createWebhookPoster({ allowPrivate: true, timeoutMs: 300 });
    try {
      const url = new URL(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`);
      for (let i = 0; i < 3; i++) {
        // Its status stands: the answer was a 200, though its body was cut at the time limit.
        expect(await poster.post(url, REQUEST, new AbortController().signal)).toMatchObject({ succeeded: true, httpStatus: 200 });
      }
      expect(mostOpen).toBe(1);
    } finally {
      poster.close();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('reports a refused connection as the failure it is', async () => {
    const poster = createWebhookPoster({ allowPrivate: true, timeoutMs: 2_000 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    try {
      const outcome = await poster.post(new URL(`http://127.0.0.1:${closedPort}/`), REQUEST, new AbortController().signal);
      expect(outcome).toMatchObject({ succeeded: false, httpStatus: null });
      expect(outcome.error).toMatch(/ECONNREFUSED/);
    } finally {
      poster.close();
    }
  });
});
