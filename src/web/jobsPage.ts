/**
 * `GET /jobs`: a live status page for one tenant's export jobs. Plain HTML, a
 * little CSS and one script (`public/jobs.js`) on graphql-ws's browser build;
 * everything it does goes through the public GraphQL API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setSecurityHeaders } from './securityHeaders';
import { ASSETS_PREFIX } from './staticAssets';

const JOBS_PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Export jobs</title>
    <link rel="stylesheet" href="${ASSETS_PREFIX}jobs.css" />
  </head>
  <body>
    <header>
      <h1>Export jobs</h1>
      <!-- Without the script (not yet run, or blocked) the form is a GET of /jobs: the token
           has no name, so it is never sent, and never lands in a URL or a history. -->
      <form id="tenant">
        <label>Organisation <input name="org" required size="36" /></label>
        <label>Sandbox <input name="sandbox" size="10" placeholder="prod" /></label>
        <label>Bearer token <input id="token" type="password" autocomplete="off" size="16" placeholder="if the server asks" /></label>
        <button type="submit">Switch</button>
      </form>
      <span id="connection" data-state="connecting" title="Live updates">connecting…</span>
    </header>
    <main>
      <section aria-labelledby="create-heading">
        <h2 id="create-heading">New export job</h2>
        <form id="create-job">
          <label>Dataset <select name="datasetId"></select></label>
          <label>or a new dataset named <input name="newDataset" placeholder="Profile export" /></label>
          <label>Segment id <input name="segmentId" placeholder="all profiles" /></label>
          <label>Namespace <input name="segmentNs" value="ups" size="6" /></label>
          <label>Fields <input name="fields" value="identities.id,personalEmail.address" size="34" /></label>
          <button type="submit">Create export job</button>
        </form>
        <p id="message" role="status"></p>
      </section>
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs <small>(newest first, live)</small></h2>
        <table id="jobs">
          <thead>
            <tr><th>Id</th><th>Status</th><th>Progress</th><th>Profiles</th><th>Dataset</th><th>Created</th><th>Files</th><th></th></tr>
          </thead>
          <tbody></tbody>
        </table>
        <p id="empty">No export jobs yet.</p>
      </section>
    </main>
    <footer><a href="/graphql">GraphQL playground</a></footer>
    <script src="${ASSETS_PREFIX}graphql-ws.min.js"></script>
    <script src="${ASSETS_PREFIX}jobs.js"></script>
  </body>
</html>
`;

/** Answers a request for `/jobs` with the page and its security headers. */
export function sendJobsPage(req: IncomingMessage, res: ServerResponse): void {
  setSecurityHeaders(res, 'jobsPage', req.headers);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(JOBS_PAGE_HTML);
}
