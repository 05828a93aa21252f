// The live status page: lists a tenant's export jobs, keeps them current from
// the jobStatusChanged subscription (resumed after the latest event it received
// when its connection comes back), creates and cancels jobs. Plain browser
// JavaScript on graphql-ws's browser build (the global `graphqlWs`).
/* global graphqlWs -- loaded by the page's script tag before this one */
(function () {
  'use strict';

  const DEFAULT_ORG = '1BD6382559DF0C130A49422D@AdobeOrg';
  const ACTIVE = new Set(['NEW', 'PROCESSING']);
  const MAX_JOBS = 50;
  const httpUrl = new URL('/graphql', window.location.href).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');

  const JOB_FIELDS = `
    fragment JobRow on ExportJob {
      id status creationTime updateTime
      progress { percent processedProfiles totalProfiles }
      dataset { id name }
      destination { batchId batches { batchId } }
    }`;
  // A finished job's files, asked for once it has SUCCEEDED (links are signed for an hour).
  const FILES = `query BatchFiles($id: ID!) {
      batch(id: $id) { files { id name records bytes downloadUrl } }
    }`;
  /** The batches a job's files are read from, at most this many (a page, not a download manager). */
  const MAX_BATCHES_LISTED = 10;
  const LOAD = `query JobsPage {
      exportJobs(first: ${MAX_JOBS}) { edges { node { ...JobRow } } }
      datasets(first: 100) { edges { node { id name } } }
    } ${JOB_FIELDS}`;
  // `after`: the id of the latest event received, to have the server replay what came since.
  const WATCH = `subscription WatchJobs($after: String) {
      jobStatusChanged(after: $after) { id sequence job { ...JobRow } }
    } ${JOB_FIELDS}`;
  const CREATE_DATASET = `mutation CreateDataset($input: CreateDatasetInput!) {
      createDataset(input: $input) { id name }
    }`;
  const CREATE_JOB = `mutation CreateJob($input: CreateExportJobInput!) {
      createExportJob(input: $input) { ...JobRow }
    } ${JOB_FIELDS}`;
  const CANCEL_JOB = `mutation CancelJob($id: ID!) {
      cancelExportJob(id: $id) { status message job { ...JobRow } }
    } ${JOB_FIELDS}`;

  const $ = (selector) => document.querySelector(selector);
  const tenantForm = $('#tenant');
  const createForm = $('#create-job');
  const tbody = $('#jobs tbody');

  /** Jobs by id, with the last event sequence applied to each (events can outrun the first load). */
  const jobs = new Map();
  let tenant = readTenant();
  let wsClient = null;
  let stopWatching = () => {};
  let stopFollowing = () => {};
  /**
   * Where the page is in the tenant's event stream: the `id` of the latest event it
   * received (the highest; null before the first). A reconnect subscribes after it,
   * and the server replays what was missed instead of the page reloading the list.
   */
  let lastEventId = null;
  /** Whether the list was loaded for this tenant: only then do events alone keep it current. */
  let listed = false;
  /**
   * The files of each SUCCEEDED job once read (`{ readAt, files }`, a promise so that
   * renders share one read), for FILES_FRESH_MS: their download links expire (an hour
   * by default), and a page stays open for longer. A failed read is not kept.
   */
  const filesOfJob = new Map();
  const FILES_FRESH_MS = 5 * 60 * 1000;
  /** Which tenant's start the page is at: an answer for an earlier one is dropped. */
  let generation = 0;

  function readTenant() {
    const params = new URLSearchParams(window.location.search);
    // A credential has no place in a URL (an older page sent the form's token as one).
    if (params.has('token')) {
      const url = new URL(window.location.href);
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url);
    }
    return {
      org: params.get('org') || localStorage.getItem('jobs.org') || DEFAULT_ORG,
      sandbox: params.get('sandbox') || localStorage.getItem('jobs.sandbox') || 'prod',
    };
  }

  function headers() {
    // The bearer token lives in this tab only (sessionStorage): it is a credential.
    const token = sessionStorage.getItem('jobs.token');
    return {
      'x-gw-ims-org-id': tenant.org,
      'x-sandbox-name': tenant.sandbox,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }

  /** The server verifies callers (AUTH_MODE=jwt) and this tab has no token it accepts: ask for one. */
  function askForToken(reason) {
    say(`${reason} Paste a bearer token for this tenant above.`, 'error');
    tenantForm.elements.token.focus();
  }

  async function graphql(query, variables) {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length) {
      const [error] = body.errors;
      const code = error.extensions && error.extensions.code;
      if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') askForToken(`${error.message}.`);
      throw new Error(`${error.extensions && error.extensions.code ? error.extensions.code + ': ' : ''}${error.message}`);
    }
    return body.data;
  }

  function say(text, kind) {
    const message = $('#message');
    message.textContent = text;
    message.dataset.kind = kind || 'info';
  }

  /**
   * Whether event `id` comes after event `than` in the tenant's log. Resuming after
   * the highest id received loses nothing (a tenant's ids commit in order) and, should
   * events ever arrive out of order, asks for nothing again. An id is the server's
   * cursor, base64url of `v1:event:<tenant tag>:<n>` (src/pagination/cursor.ts), which
   * this page, served by that server, may read; one it cannot read counts as later.
   */
  function isLaterEvent(id, than) {
    if (than === null) return true;
    const position = eventPosition(id);
    const known = eventPosition(than);
    return Number.isNaN(position) || Number.isNaN(known) || position > known;
  }

  /** The number inside an event id (its place in the tenant's log), or NaN. */
  function eventPosition(id) {
    let text;
    try {
      text = atob(id.replace(/-/g, '+').replace(/_/g, '/'));
    } catch {
      return NaN;
    }
    const match = /^v1:event:[^:]*:(\d{1,15})$/.exec(text);
    return match ? Number(match[1]) : NaN;
  }

  // --- Rendering -------------------------------------------------------------

  /**
   * Applies a job from an event (with its sequence), a load or a mutation's answer
   * (without one), unless the page already shows a newer state of it: every change
   * of a job moves its updateTime, and events of one instant are told apart by sequence.
   */
  function applyJob(job, sequence) {
    const known = jobs.get(job.id);
    if (known) {
      const time = Date.parse(job.updateTime);
      const knownTime = Date.parse(known.updateTime);
      const newer = time !== knownTime ? time > knownTime : sequence !== undefined && sequence > known.sequence;
      if (!newer) return false;
    }
    jobs.set(job.id, { ...job, sequence: sequence !== undefined ? sequence : known ? known.sequence : -1 });
    return true;
  }

  function upsertJob(job, sequence) {
    if (applyJob(job, sequence)) render();
  }

  function render() {
    const ordered = [...jobs.values()].sort((a, b) => Number(b.id) - Number(a.id));
    // A page left open keeps receiving new jobs: it keeps the newest, as the first load did.
    for (const job of ordered.splice(MAX_JOBS)) jobs.delete(job.id);
    const rows = ordered.map((job) => rowOf(job));
    tbody.replaceChildren(...rows);
    $('#empty').hidden = ordered.length > 0;
  }

  function rowOf(job) {
    const row = document.createElement('tr');
    row.dataset.jobId = job.id;
    row.dataset.status = job.status;
    const percent = Math.round(job.progress.percent);

    const cells = [
      job.id,
      badge(job.status),
      bar(job.status, percent),
      `${job.progress.processedProfiles.toLocaleString()} / ${
        job.progress.totalProfiles === null ? '…' : job.progress.totalProfiles.toLocaleString()
      }`,
      job.dataset ? job.dataset.name : '—',
      new Date(job.creationTime).toLocaleString(),
      filesCell(job),
      cancelButton(job),
    ];
    for (const content of cells) {
      const cell = document.createElement('td');
      if (content instanceof Node) cell.append(content);
      else cell.textContent = content;
      row.append(cell);
    }
    return row;
  }

  function badge(status) {
    const span = document.createElement('span');
    span.className = 'status';
    span.dataset.status = status;
    span.textContent = status;
    return span;
  }

  function bar(status, percent) {
    const outer = document.createElement('div');
    outer.className = 'bar';
    outer.dataset.status = status;
    outer.setAttribute('role', 'progressbar');
    outer.setAttribute('aria-valuemin', '0');
    outer.setAttribute('aria-valuemax', '100');
    outer.setAttribute('aria-valuenow', String(percent));
    const fill = document.createElement('div');
    fill.className = 'fill';
    fill.style.width = `${percent}%`;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = `${percent} %`;
    outer.append(fill, label);
    return outer;
  }

  /** Download links of a SUCCEEDED job's files; filled in when they arrive. */
  function filesCell(job) {
    const list = document.createElement('span');
    list.className = 'files';
    if (job.status !== 'SUCCEEDED') return list;
    filesOf(job).then(
      (files) => {
        if (files.length === 0) list.textContent = 'no records';
        for (const file of files) {
          const link = document.createElement('a');
          link.href = file.downloadUrl;
          link.download = file.name;
          link.textContent = file.name;
          link.title = `${file.records.toLocaleString()} records, ${file.bytes.toLocaleString()} bytes`;
          list.append(link, ' ');
        }
      },
      () => (list.textContent = 'files unavailable'),
    );
    return list;
  }

  function filesOf(job) {
    const cached = filesOfJob.get(job.id);
    if (cached && Date.now() - cached.readAt < FILES_FRESH_MS) return cached.files;
    const files = readFiles(job);
    filesOfJob.set(job.id, { readAt: Date.now(), files });
    files.catch(() => {
      if (filesOfJob.get(job.id)?.files === files) filesOfJob.delete(job.id);
    });
    return files;
  }

  async function readFiles(job) {
    const destination = job.destination || {};
    const batchIds = destination.batches ? destination.batches.map((batch) => batch.batchId) : [destination.batchId];
    const files = [];
    for (const id of batchIds.filter(Boolean).slice(0, MAX_BATCHES_LISTED)) {
      const data = await graphql(FILES, { id });
      if (data.batch) files.push(...data.batch.files);
    }
    return files;
  }

  function cancelButton(job) {
    const button = document.createElement('button');
    button.className = 'cancel';
    button.type = 'button';
    button.textContent = 'Cancel';
    button.disabled = !ACTIVE.has(job.status);
    button.addEventListener('click', () => cancel(job.id, button));
    return button;
  }

  function renderDatasets(datasets) {
    const select = createForm.elements.datasetId;
    select.replaceChildren(
      ...datasets.map((dataset) => new Option(`${dataset.name} (${dataset.id.slice(0, 8)}…)`, dataset.id)),
    );
  }

  // --- Actions ---------------------------------------------------------------

  async function load() {
    const asked = generation;
    const data = await graphql(LOAD);
    // Another tenant was chosen meanwhile: this list is not its.
    if (asked !== generation) return;
    for (const { node } of data.exportJobs.edges) applyJob(node);
    listed = true;
    render();
    renderDatasets(data.datasets.edges.map((edge) => edge.node));
  }

  async function create(event) {
    event.preventDefault();
    const form = createForm.elements;
    const button = createForm.querySelector('button');
    button.disabled = true;
    try {
      let datasetId = form.datasetId.value;
      if (form.newDataset.value.trim()) {
        const schemaRef = {
          id: 'https://ns.adobe.com/xdm/context/profile__union',
          contentType: 'application/vnd.adobe.xed+json;version=1',
        };
        const { createDataset } = await graphql(CREATE_DATASET, { input: { name: form.newDataset.value.trim(), schemaRef } });
        datasetId = createDataset.id;
        form.newDataset.value = '';
        await load();
        form.datasetId.value = datasetId;
      }
      if (!datasetId) throw new Error('Choose a dataset, or name a new one');
      const segmentId = form.segmentId.value.trim();
      const input = {
        fields: form.fields.value.trim() || null,
        destination: { datasetId },
        schema: { name: '_xdm.context.profile' },
        ...(segmentId ? { filter: { segments: [{ segmentId, segmentNs: form.segmentNs.value.trim() || 'ups' }] } } : {}),
      };
      const { createExportJob } = await graphql(CREATE_JOB, { input });
      upsertJob(createExportJob);
      say(`Created export job ${createExportJob.id}.`);
    } catch (error) {
      say(error.message, 'error');
    } finally {
      button.disabled = false;
    }
  }

  async function cancel(id, button) {
    button.disabled = true;
    try {
      const { cancelExportJob } = await graphql(CANCEL_JOB, { id });
      if (cancelExportJob.job) upsertJob(cancelExportJob.job);
      say(cancelExportJob.message);
    } catch (error) {
      say(error.message, 'error');
      button.disabled = false;
    }
  }

  // --- Live updates ----------------------------------------------------------

  function setConnection(state, text) {
    const indicator = $('#connection');
    indicator.dataset.state = state;
    indicator.textContent = text;
  }

  function watch() {
    stopWatching();
    // Not lazy: the client holds a connection (and reopens it) with or without a
    // subscription, because the page subscribes anew on every connection. graphql-ws
    // would re-send a subscription's first payload; a resume needs the `after` of now.
    const client = graphqlWs.createClient({
      url: wsUrl,
      connectionParams: headers(),
      lazy: false,
      retryAttempts: Infinity,
      // 4403: no tenant, or no token the server accepts for it; retrying will not help.
      shouldRetry: (event) => !(event && event.code === 4403),
      // The client gave up (a close code it never retries): `closed` has run already.
      onNonLazyError: (error) => {
        if (client !== wsClient || (error && error.code === 4403)) return; // 4403: said by `closed`
        setConnection('offline', 'disconnected');
      },
      on: {
        connected: () => {
          if (client !== wsClient) return; // replaced while it connected
          setConnection('live', 'live');
          follow(client);
        },
        closed: (event) => {
          if (client !== wsClient) return;
          // The subscription ends with its socket; the next connection subscribes after lastEventId.
          stopFollowing();
          if (event && event.code === 4403) {
            setConnection('offline', 'refused');
            askForToken('Live updates were refused.');
            return;
          }
          setConnection('offline', 'reconnecting…');
        },
      },
    });
    wsClient = client;
    stopWatching = () => {
      stopFollowing();
      // A client still connecting rejects dispose() when that attempt fails: nothing is left to close then.
      client.dispose().catch(() => {});
    };
  }

  /**
   * Subscribes to the tenant's events on this connection. With the list loaded and an
   * event received, it resumes after that event: the server replays exactly what this
   * page missed. Otherwise (first connection, nothing received yet, a refused resume)
   * it subscribes from now and loads the list.
   */
  function follow(client) {
    const after = listed ? lastEventId : null;
    let ended = false;
    const fail = (errors) => {
      if (ended) return; // its socket closed (said by `closed`)
      ended = true;
      const [error] = errors;
      const extensions = (error && error.extensions) || {};
      if (extensions.code === 'SERVICE_UNAVAILABLE') {
        // The server lost its database, or live events, for a moment: follow again a moment
        // later, after the last event received, and the server replays what came meanwhile.
        setConnection('connecting', 'resuming…');
        const retry = setTimeout(() => {
          setConnection('live', 'live');
          follow(client);
        }, 1000 * (extensions.retryAfter || 1));
        stopFollowing = () => clearTimeout(retry);
        return;
      }
      if (after !== null) {
        // The resume was refused (a cursor the server no longer takes, events it no
        // longer keeps): what was missed is unknown, so start over from a fresh list.
        listed = false;
        lastEventId = null;
        follow(client);
        return;
      }
      setConnection('offline', 'stopped');
      say(`Live updates stopped: ${(error && (error.message || error.reason)) || 'no reason given'}.`, 'error');
    };
    const unsubscribe = client.subscribe(
      { query: WATCH, variables: { after } },
      {
        next: ({ data, errors }) => {
          // No data: the server refused the subscription (a result with errors, then complete).
          if (!data) return fail(errors || []);
          if (errors) say(errors[0].message, 'error');
          const event = data.jobStatusChanged;
          if (event.id !== null && isLaterEvent(event.id, lastEventId)) lastEventId = event.id;
          upsertJob(event.job, event.sequence);
        },
        // A stream that broke off, an operation the server's hooks refused, or a client that gave up.
        error: (error) => fail(Array.isArray(error) ? error : [error]),
        complete: () => {},
      },
    );
    stopFollowing = () => {
      ended = true;
      unsubscribe();
    };
    if (after === null) load().catch((error) => say(error.message, 'error'));
  }

  function start() {
    generation += 1;
    tenantForm.elements.org.value = tenant.org;
    tenantForm.elements.sandbox.value = tenant.sandbox;
    jobs.clear();
    filesOfJob.clear();
    lastEventId = null;
    listed = false;
    render();
    setConnection('connecting', 'connecting…');
    watch();
  }

  tenantForm.addEventListener('submit', (event) => {
    event.preventDefault();
    tenant = {
      org: tenantForm.elements.org.value.trim() || DEFAULT_ORG,
      sandbox: tenantForm.elements.sandbox.value.trim() || 'prod',
    };
    const token = tenantForm.elements.token.value.trim().replace(/^Bearer\s+/i, '');
    if (token) sessionStorage.setItem('jobs.token', token);
    else sessionStorage.removeItem('jobs.token');
    localStorage.setItem('jobs.org', tenant.org);
    localStorage.setItem('jobs.sandbox', tenant.sandbox);
    const url = new URL(window.location.href);
    url.searchParams.set('org', tenant.org);
    url.searchParams.set('sandbox', tenant.sandbox);
    window.history.replaceState(null, '', url);
    start();
  });
  createForm.addEventListener('submit', create);

  start();
})();
