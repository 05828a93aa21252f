/** /healthz (alive, no database) against /readyz (database, migrations, not shutting down). */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { openRawWebSocket } from '../helpers/rawWebSocket';
import { startTestServer, type TestServer } from '../helpers/testServer';

const probe = (api: TestServer, path: string) => fetch(api.server.url.replace(/\/graphql$/, path));

describe.each(storageTargets)('the probes on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  it('answers /healthz without asking the database', async () => {
    api.resetQueries();
    const response = await probe(api, '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect(api.queries).toEqual([]);
  });

  it('answers /readyz 200 when the database answers with every migration applied', async () => {
    const response = await probe(api, '/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('answers GET and HEAD alone on the probes: 405, with Allow, for any other method and no database statement', async () => {
    api.resetQueries();
    for (const [path, method] of [['/healthz', 'POST'], ['/readyz', 'DELETE'], ['/readyz', 'PUT']] as const) {
      const response = await fetch(api.server.url.replace(/\/graphql$/, path), { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.text()).toBe(`${method} is not allowed here; use GET\n`);
    }
    expect(api.queries).toEqual([]);
    const head = await fetch(api.server.url.replace(/\/graphql$/, '/readyz'), { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers /readyz 503 while a migration of this build is not applied', async () => {
    const [last] = await api.database.db.execute<{ id: number; hash: string; created_at: string }>(
      sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    await api.database.db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${last!.id}`);
    try {
      const response = await probe(api, '/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', reason: '1 migration(s) not applied' });
    } finally {
      await api.database.db.execute(
        sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last!.id}, ${last!.hash}, ${last!.created_at})`,
      );
    }
    expect((await probe(api, '/readyz')).status).toBe(200);
  });
});

describe('the embedded database lost for good', () => {
  it('fails /healthz once the PGlite thread has stopped: only a restart opens it again', async () => {
    const api = await startTestServer(storageTargets.find((target) => target.name === 'pglite')!);
    let closing: Promise<void> | undefined;
    try {
      expect((await probe(api, '/healthz')).status).toBe(200);
      // The thread ends as a crash would end it: every statement from now on fails.
      await api.database.close();
      const response = await probe(api, '/healthz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'failed', reason: expect.stringMatching(/^The embedded database thread stopped: exit code/) });
      // The shutdown says it failed (the runner could hand nothing back), and still closes
      // everything else: the file's check of servers left listening holds it to that.
      closing = api.close();
      await expect(closing).rejects.toThrow('The embedded database thread stopped');
    } finally {
      await (closing ?? api.close()).catch(() => {});
    }
  });
});

describe.each(storageTargets)('shutting down on $name', (target) => {
  it('turns /readyz to 503 first and goes on answering requests until the drain delay has passed', async () => {
    const api = await startTestServer(target, {}, {}, {}, { shutdownDrainMs: 1_500 });
    const closing = api.close();
    let closed = false;
    void closing.then(() => (closed = true));
    const readyz = await probe(api, '/readyz');
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'not ready', reason: 'shutting down' });
    // Not ready, yet still serving: a load balancer has time to stop sending.
    const answered = await api.graphql('query StillServed { __typename }');
    expect(answered.data).toEqual({ __typename: 'Query' });
    expect(closed).toBe(false);
    await closing;
    await expect(probe(api, '/healthz')).rejects.toThrow();
  });

  it('ends a WebSocket whose client never answers the close frame, instead of waiting 30 s for it', { timeout: 15_000 }, async () => {
    const api = await startTestServer(target);
    const socket = await openRawWebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    let closing: Promise<void> | undefined;
    try {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { 'x-gw-ims-org-id': 'ORG_SILENT@AdobeOrg' } }));
      expect(JSON.parse((await socket.nextFrame()).payload.toString())).toEqual({ type: 'connection_ack' });
    } finally {
      closing = api.close();
    }
    // The server says goodbye (1001), which this client never answers.
    const goodbye = await socket.nextFrame();
    expect(goodbye.opcode).toBe(0x8);
    expect(goodbye.payload.readUInt16BE(0)).toBe(1001);
    await socket.closed;
    await closing;
  });
});
