/**
 * Hostile graphql-ws traffic on ws://…/graphql with AUTH_MODE=jwt: forged and
 * foreign tokens, broken protocol messages, oversized messages, too many
 * subscriptions and sockets, another tenant's jobs, and documents past the
 * bounds. Each ends with its close code (or its error message, the socket left
 * open), writes nothing, logs nothing as unexpected, and the next normal
 * caller is answered over HTTP and over a socket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { storageTargets } from '../helpers/databases';
import {
  answerOf,
  ORG_A,
  REFUSED_TOKENS,
  SMALL_LIMITS,
  startHostileServer,
  TENANT_A,
  TENANT_B,
  type HostileServer,
} from '../helpers/hostile';
import { createJob } from '../helpers/seedApi';
import { waitUntil } from '../helpers/waitUntil';

const PROTOCOL = 'graphql-transport-ws';
const WATCH_ALL = 'subscription { jobStatusChanged { type status sequence job { id } } }';
const watchJob = (id: string) => `subscription { jobStatusChanged(id: "${id}") { type status sequence job { id } } }`;
const subscribe = (id: string, query: string, variables?: Record<string, unknown>) => ({
  id,
  type: 'subscribe',
  payload: { query, ...(variables ? { variables } : {}) },
});

/** One socket of a test: what the server sent, and how it ended. */
interface Socket {
  /** The HTTP status of the upgrade (101 when the server took the socket). */
  upgradeStatus(): number | null;
  acknowledged(): boolean;
  /** Every message but connection_ack, parsed. */
  messages: any[];
  /** The close code the server sent, or null while open. */
  closedWith(): number | null;
  send(message: unknown): void;
  /** Resolves once `condition` holds of the messages, or the socket closed, or `timeoutMs` passed. */
  settle(condition: (messages: any[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function openSocket(
  url: string,
  options: { protocol?: string | null; init?: unknown; afterAck?: unknown[]; beforeInit?: unknown[] } = {},
): Socket {
  const protocol = options.protocol === undefined ? PROTOCOL : options.protocol;
  const socket = protocol === null ? new WebSocket(url) : new WebSocket(url, protocol);
  const messages: any[] = [];
  let upgradeStatus: number | null = null;
  let acknowledged = false;
  let closedWith: number | null = null;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  const closed = new Promise<void>((resolve) =>
    socket.on('close', (code) => {
      closedWith = code;
      notify();
      resolve();
    }),
  );
  const send = (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  socket.on('error', () => {}); // The close that follows says what happened.
  socket.on('upgrade', (response) => (upgradeStatus = response.statusCode ?? null));
  socket.on('open', () => {
    for (const message of options.beforeInit ?? []) send(message);
    if (options.init !== undefined) send({ type: 'connection_init', payload: options.init });
  });
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'connection_ack') {
      acknowledged = true;
      for (const next of options.afterAck ?? []) send(next);
    } else messages.push(message);
    notify();
  });
  return {
    upgradeStatus: () => upgradeStatus,
    acknowledged: () => acknowledged,
    messages,
    closedWith: () => closedWith,
    send,
    settle: (condition, timeoutMs = 3_000) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (closedWith !== null || condition(messages)) done();
        };
        const timer = setTimeout(() => done(), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
      }),
    async close() {
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close();
      await closed;
    },
  };
}

/** The messages of subscription `id`, and whether it has ended (complete or error). */
const ofSubscription = (messages: any[], id: string) => messages.filter((message) => message.id === id);
const ended = (id: string) => (messages: any[]) =>
  ofSubscription(messages, id).some((message) => message.type === 'complete' || message.type === 'error');
/** The error codes the subscription was answered with, from an error message or a result's errors. */
const codesOf = (messages: any[], id: string): string[] =>
  ofSubscription(messages, id).flatMap((message) =>
    (message.type === 'error' ? message.payload : (message.payload?.errors ?? [])).map((error: any) => error.extensions?.code),
  );

interface Closing {
  sends: string;
  closesWith: number;
  /** Whether the server had acknowledged the connection before it closed it. */
  acknowledged: boolean;
  open(s: HostileServer, url: string): Socket | Promise<Socket>;
  waitMs?: number;
}

const tenantA = (s: HostileServer) => s.as(s.tokens.a);

const closings: Closing[] = [
  { sends: 'a connection_init without a token', closesWith: 4403, acknowledged: false, open: (_s, url) => openSocket(url, { init: TENANT_A }) },
  ...REFUSED_TOKENS.map(
    ({ name, make }): Closing => ({
      sends: `a connection_init with a token ${name}`,
      closesWith: 4403,
      acknowledged: false,
      open: async (s, url) => openSocket(url, { init: s.as(await make(s)) }),
    }),
  ),
  {
    sends: "a connection_init with tenant B's valid token under tenant A's organisation",
    closesWith: 4403,
    acknowledged: false,
    open: (s, url) => openSocket(url, { init: s.as(s.tokens.b, TENANT_A) }),
  },
  {
    sends: 'a connection_init with a valid token and no organisation',
    closesWith: 4403,
    acknowledged: false,
    open: (s, url) => openSocket(url, { init: { authorization: `Bearer ${s.tokens.a}` } }),
  },
  {
    sends: 'a connection_init whose payload is a string',
    closesWith: 4400,
    acknowledged: false,
    open: (s, url) => openSocket(url, { init: `Bearer ${s.tokens.a}` }),
  },
  {
    sends: 'a subscribe before any connection_init',
    closesWith: 4401,
    acknowledged: false,
    open: (s, url) => openSocket(url, { beforeInit: [subscribe('1', watchJob(s.a.jobId))] }),
  },
  {
    sends: 'a message that is not JSON',
    closesWith: 4400,
    acknowledged: true,
    open: (s, url) => openSocket(url, { init: tenantA(s), afterAck: ['{"type": "subscribe", '] }),
  },
  {
    sends: 'a message of an unknown type',
    closesWith: 4400,
    acknowledged: true,
    open: (s, url) => openSocket(url, { init: tenantA(s), afterAck: [{ type: 'drop_tables', id: '1' }] }),
  },
  {
    sends: 'a subscribe without an id',
    closesWith: 4400,
    acknowledged: true,
    open: (s, url) => openSocket(url, { init: tenantA(s), afterAck: [{ type: 'subscribe', payload: { query: WATCH_ALL } }] }),
  },
  {
    sends: 'a second connection_init on an acknowledged socket, as another tenant',
    closesWith: 4429,
    acknowledged: true,
    open: (s, url) => openSocket(url, { init: tenantA(s), afterAck: [{ type: 'connection_init', payload: s.as(s.tokens.b, TENANT_B) }] }),
  },
  {
    sends: 'a subscribe whose id is already subscribed',
    closesWith: 4409,
    acknowledged: true,
    open: (s, url) => openSocket(url, { init: tenantA(s), afterAck: [subscribe('1', WATCH_ALL), subscribe('1', WATCH_ALL)] }),
  },
  {
    sends: 'a socket without the graphql-transport-ws subprotocol',
    closesWith: 4406,
    acknowledged: false,
    open: (s, url) => openSocket(url, { protocol: null, init: tenantA(s) }),
  },
  {
    sends: 'a message over LIMIT_WS_MESSAGE_BYTES',
    closesWith: 1009,
    acknowledged: true,
    open: (s, url) =>
      openSocket(url, { init: tenantA(s), afterAck: [subscribe('1', WATCH_ALL, { padding: 'x'.repeat(SMALL_LIMITS.wsMessageBytes!) })] }),
  },
  {
    sends: 'no connection_init within the 3 s it may take',
    closesWith: 4408,
    acknowledged: false,
    open: (_s, url) => openSocket(url),
    waitMs: 5_000,
  },
];

/** A subscribe answered with an error code while the socket stays open. */
interface Answered {
  sends: string;
  code: string;
  subscribe(s: HostileServer): { init: Record<string, string>; message: unknown };
}

const answered: Answered[] = [
  {
    sends: "a subscription to tenant A's job, as tenant B",
    code: 'NOT_FOUND',
    subscribe: (s) => ({ init: s.as(s.tokens.b, TENANT_B), message: subscribe('1', watchJob(s.a.jobId)) }),
  },
  {
    sends: "a mutation cancelling tenant A's job, as tenant B",
    code: 'NOT_FOUND',
    subscribe: (s) => ({
      init: s.as(s.tokens.b, TENANT_B),
      message: subscribe('1', `mutation { cancelExportJob(id: "${s.a.jobId}") { status } }`),
    }),
  },
  {
    sends: "a mutation creating a job in tenant A's dataset, as tenant B",
    code: 'BAD_USER_INPUT',
    subscribe: (s) => ({
      init: s.as(s.tokens.b, TENANT_B),
      message: subscribe('1', 'mutation($i: CreateExportJobInput!) { createExportJob(input: $i) { id } }', {
        i: { destination: { datasetId: s.a.datasetId }, schema: { name: '_xdm.context.profile' } },
      }),
    }),
  },
];

/**
 * Bounds and client mistakes that HTTP answers with their own code (see
 * http.test.ts): over the socket too, as the subscription's error.
 */
const unbounded: Answered[] = [
  {
    sends: 'a subscription cut off mid-document',
    code: 'GRAPHQL_PARSE_FAILED',
    subscribe: (s) => ({ init: tenantA(s), message: subscribe('1', 'subscription { jobStatusChanged(') }),
  },
  {
    sends: 'a subscription to a field that does not exist',
    code: 'GRAPHQL_VALIDATION_FAILED',
    subscribe: (s) => ({ init: tenantA(s), message: subscribe('1', 'subscription { dropTables }') }),
  },
  {
    sends: 'a subscription inside a cycle of fragments',
    code: 'GRAPHQL_VALIDATION_FAILED',
    subscribe: (s) => ({
      init: tenantA(s),
      message: subscribe('1', 'subscription { ...A } fragment A on Subscription { jobStatusChanged { sequence } ...B } fragment B on Subscription { ...A }'),
    }),
  },
  {
    sends: 'a subscription whose status variable is outside its enum',
    code: 'BAD_USER_INPUT',
    subscribe: (s) => ({
      init: tenantA(s),
      message: subscribe('1', 'subscription($s: [ExportJobStatus!]) { jobStatusChanged(status: $s) { sequence } }', { s: ['DROP'] }),
    }),
  },
  {
    sends: 'a query nested deeper than LIMIT_QUERY_DEPTH',
    code: 'QUERY_TOO_DEEP',
    subscribe: (s) => {
      const levels = SMALL_LIMITS.queryDepth! + 4;
      return { init: tenantA(s), message: subscribe('1', `{ ${'... on Query { '.repeat(levels)}__typename${' }'.repeat(levels)} }`) };
    },
  },
  {
    sends: 'a query of more aliases than LIMIT_QUERY_ALIASES',
    code: 'TOO_MANY_ALIASES',
    subscribe: (s) => ({
      init: tenantA(s),
      message: subscribe('1', `{ ${Array.from({ length: SMALL_LIMITS.queryAliases! * 4 }, (_, i) => `a${i}: exportJobs(first: 1) { totalCount }`).join(' ')} }`),
    }),
  },
  {
    sends: 'a query of more tokens than LIMIT_QUERY_TOKENS',
    code: 'TOO_MANY_TOKENS',
    subscribe: (s) => ({ init: tenantA(s), message: subscribe('1', `{ ${'... { __typename } '.repeat(SMALL_LIMITS.queryTokens! / 4 + 10)}}`) }),
  },
  {
    sends: 'a page of 100 jobs with their datasets, costlier than LIMIT_QUERY_COST',
    code: 'QUERY_TOO_COSTLY',
    subscribe: (s) => ({
      init: tenantA(s),
      message: subscribe('1', '{ exportJobs(first: 100) { edges { node { id status fields requestId creationTime updateTime dataset { id name createdAt } } } } }'),
    }),
  },
];

describe.each(storageTargets)('hostile WebSocket traffic on $name', (target) => {
  let s: HostileServer;
  let url: string;

  beforeAll(async () => {
    s = await startHostileServer(target);
    url = s.api.server.url.replace(/^http/, 'ws');
  });
  afterAll(() => s?.close());
  // Every test closes its sockets; the server must have let go of them before the next.
  afterEach(() => waitUntil(() => s.api.server.subscriptions.clientCount() === 0, 5_000));

  /** A normal caller of tenant A is answered over HTTP, and over a socket of its own. */
  async function expectStillAnswers(): Promise<void> {
    await s.expectStillAnswers();
    const socket = openSocket(url, { init: tenantA(s), afterAck: [subscribe('1', `{ exportJob(id: "${s.a.jobId}") { status } }`)] });
    await socket.settle(ended('1'));
    await socket.close();
    expect(socket.messages).toEqual([
      { id: '1', type: 'next', payload: { data: { exportJob: { status: 'NEW' } } } },
      { id: '1', type: 'complete' },
    ]);
  }

  it.each(closings.map((row) => [`${row.sends} with close code ${row.closesWith}`, row] as const))(
    'ends %s, writes nothing and answers the next caller',
    async (_title, { open, closesWith, acknowledged, waitMs }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const socket = await open(s, url);
      await socket.settle(() => false, waitMs);
      await socket.close();
      expect({ upgradeStatus: socket.upgradeStatus(), acknowledged: socket.acknowledged(), closedWith: socket.closedWith() }).toEqual({
        upgradeStatus: 101,
        acknowledged,
        closedWith: closesWith,
      });
      expect(socket.messages.filter((message) => message.type === 'next')).toEqual([]);
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await expectStillAnswers();
    },
  );

  it.each(answered.map((row) => [`${row.sends} with ${row.code}`, row] as const))(
    'answers %s, keeps the socket open, writes nothing and answers the next caller',
    async (_title, { subscribe: request, code }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const { init, message } = request(s);
      const socket = openSocket(url, { init, afterAck: [message] });
      await socket.settle(ended('1'));
      const open = socket.closedWith() === null;
      await socket.close();
      expect({ open, codes: codesOf(socket.messages, '1') }).toEqual({ open: true, codes: [code] });
      // Nothing of the other tenant comes back: no result holds a value that is not null.
      const values = ofSubscription(socket.messages, '1').flatMap((each) => Object.values(each.payload?.data ?? {}));
      expect(values.filter((value) => value !== null)).toEqual([]);
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await expectStillAnswers();
    },
  );

  // graphql-ws alone parsed and validated with graphql-js: no bounds, a syntax error
  // closed the whole socket with 4500, and validation and variable errors were masked
  // as INTERNAL_SERVER_ERROR. The server parses and validates as Apollo does
  // (src/http/webSocketOperation.ts).
  it.each(unbounded.map((row) => [`${row.sends} with ${row.code}, as over HTTP`, row] as const))(
    'answers %s, keeping the socket open',
    async (_title, { subscribe: request, code }) => {
      const [before, errorsBefore] = [await s.writes(), s.errorLogCount()];
      const { init, message } = request(s);
      const socket = openSocket(url, { init, afterAck: [message] });
      await socket.settle(ended('1'));
      const open = socket.closedWith() === null;
      await socket.close();
      expect({ open, codes: codesOf(socket.messages, '1') }).toEqual({ open: true, codes: [code] });
      expect(await s.writes()).toEqual(before);
      expect(s.errorLogCount()).toBe(errorsBefore);
      await expectStillAnswers();
    },
  );

  it('holds a socket to LIMIT_WS_SUBSCRIPTIONS: one more is refused with TOO_MANY_SUBSCRIPTIONS, the socket stays open', async () => {
    const before = await s.writes();
    const limit = SMALL_LIMITS.wsSubscriptions!;
    const ids = Array.from({ length: limit + 1 }, (_, i) => String(i + 1));
    const socket = openSocket(url, { init: tenantA(s), afterAck: ids.map((id) => subscribe(id, WATCH_ALL)) });
    const last = ids[limit]!;
    await socket.settle(ended(last));
    const open = socket.closedWith() === null;
    await socket.close();
    expect(open).toBe(true);
    expect(ofSubscription(socket.messages, last)).toMatchObject([
      { type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] },
    ]);
    // The ones within the limit were taken: they are still running, with nothing to say.
    for (const id of ids.slice(0, limit)) expect(ofSubscription(socket.messages, id)).toEqual([]);
    expect(await s.writes()).toEqual(before);
    await expectStillAnswers();
  });

  it('holds LIMIT_WS_SUBSCRIPTIONS when the client completes each id and subscribes with it again at once', async () => {
    const limit = SMALL_LIMITS.wsSubscriptions!;
    // One short of the limit, so that each new subscribe below is taken.
    const ids = Array.from({ length: limit - 1 }, (_, i) => String(i + 1));
    const socket = openSocket(url, { init: tenantA(s), afterAck: ids.map((id) => subscribe(id, WATCH_ALL)) });
    try {
      await socket.settle(() => socket.acknowledged());
      await waitUntil(() => s.api.server.hub.watcherCount() === limit - 1, 5_000);
      // complete and subscribe back to back: the old operation's end comes after the new one began.
      for (const id of ids) {
        socket.send({ id, type: 'complete' });
        socket.send(subscribe(id, WATCH_ALL));
      }
      await waitUntil(() => s.api.server.hub.watcherCount() === limit - 1, 5_000);
      // The old operations' ends (onComplete) come a moment after their watchers are gone.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.send(subscribe('the last', WATCH_ALL));
      socket.send(subscribe('one too many', WATCH_ALL));
      await socket.settle(ended('one too many'));
      expect(ofSubscription(socket.messages, 'the last')).toEqual([]);
      expect(ofSubscription(socket.messages, 'one too many')).toMatchObject([
        { type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] },
      ]);
      expect(socket.closedWith()).toBeNull();
    } finally {
      await socket.close();
    }
  });

  it('holds a tenant to LIMIT_WS_CONNECTIONS_PER_TENANT: one socket more is closed with 4430, other tenants are not', async () => {
    const before = await s.writes();
    const limit = SMALL_LIMITS.wsConnectionsPerTenant!;
    const held = Array.from({ length: limit }, () => openSocket(url, { init: tenantA(s) }));
    try {
      await Promise.all(held.map((socket) => socket.settle(() => socket.acknowledged())));
      expect(held.map((socket) => socket.acknowledged())).toEqual(held.map(() => true));
      const extra = openSocket(url, { init: tenantA(s) });
      await extra.settle(() => false);
      expect({ acknowledged: extra.acknowledged(), closedWith: extra.closedWith() }).toEqual({ acknowledged: false, closedWith: 4430 });
      const otherTenant = openSocket(url, { init: s.as(s.tokens.b, TENANT_B) });
      await otherTenant.settle(() => otherTenant.acknowledged());
      await otherTenant.close();
      expect(otherTenant.acknowledged()).toBe(true);
    } finally {
      await Promise.all(held.map((socket) => socket.close()));
    }
    expect(await s.writes()).toEqual(before);
    await waitUntil(() => s.api.server.subscriptions.clientCount() === 0, 5_000);
    await expectStillAnswers();
  });

  it('counts no socket against its tenant that closed while its token was being verified', async () => {
    const limit = SMALL_LIMITS.wsConnectionsPerTenant!;
    // A token of a key the gateway has not fetched yet: verifying it waits for a slow key set.
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the refetch cooldown (auth/keySet.ts)
    const kid = await s.jwks.addKey();
    const unseenKey = await s.jwks.sign({ sub: 'alice', tenants: [ORG_A] }, { kid });
    s.jwks.answerLate(400);
    try {
      const fetchesBefore = s.jwks.fetches();
      const gone = Array.from({ length: limit }, () => openSocket(url, { init: s.as(unseenKey) }));
      // Each client leaves as soon as it has sent connection_init, long before the key set comes.
      await Promise.all(gone.map((socket) => socket.settle(() => false, 50)));
      await Promise.all(gone.map((socket) => socket.close()));
      await waitUntil(() => s.jwks.fetches() > fetchesBefore, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 800)); // the verifications end after the key set came
    } finally {
      s.jwks.answerLate(0);
    }
    const held = Array.from({ length: limit }, () => openSocket(url, { init: tenantA(s) }));
    try {
      await Promise.all(held.map((socket) => socket.settle(() => socket.acknowledged())));
      expect(held.map((socket) => ({ acknowledged: socket.acknowledged(), closedWith: socket.closedWith() }))).toEqual(
        held.map(() => ({ acknowledged: true, closedWith: null })),
      );
    } finally {
      await Promise.all(held.map((socket) => socket.close()));
    }
  });

  it("lets no event of tenant A's job reach tenant B, whether B watches that job (NOT_FOUND) or all of its own", async () => {
    const job = await createJob(s.api, s.a.datasetId, tenantA(s));
    const watcherA = openSocket(url, { init: tenantA(s), afterAck: [subscribe('all', WATCH_ALL)] });
    await watcherA.settle(() => watcherA.acknowledged());
    const before = await s.writes();
    const intruder = openSocket(url, {
      init: s.as(s.tokens.b, TENANT_B),
      afterAck: [subscribe('job', watchJob(String(job.id))), subscribe('all', WATCH_ALL)],
    });
    try {
      await intruder.settle(ended('job'));
      expect(codesOf(intruder.messages, 'job')).toEqual(['NOT_FOUND']);
      expect(await s.writes()).toEqual(before);
      // Tenant A changes its job: A's own watcher hears it, B's two subscriptions must not.
      const cancelled = await answerOf(
        fetch(s.api.server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...tenantA(s) },
          body: JSON.stringify({ query: `mutation { cancelExportJob(id: "${job.id}") { status } }` }),
        }),
      );
      expect(cancelled.body).toEqual({ data: { cancelExportJob: { status: true } } });
      await watcherA.settle((messages) => messages.some((message) => message.payload?.data?.jobStatusChanged?.status === 'CANCELLED'));
      expect(watcherA.messages.map((message) => message.payload?.data?.jobStatusChanged?.job.id)).toContain(String(job.id));
      await new Promise((resolve) => setTimeout(resolve, 200)); // time for a leaked event to arrive
      expect(intruder.messages.filter((message) => message.type === 'next' && message.payload?.data)).toEqual([]);
      expect(JSON.stringify(intruder.messages)).not.toContain(ORG_A);
      expect(intruder.closedWith()).toBeNull();
    } finally {
      await intruder.close();
      await watcherA.close();
    }
    await expectStillAnswers();
  });
});
