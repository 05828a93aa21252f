// The GraphiQL playground: queries and mutations over HTTP POST, subscriptions
// over graphql-ws, both with the headers typed in GraphiQL's headers editor.
/* global React, ReactDOM, GraphiQL, graphqlWs -- loaded by the page's script tags before this one */
(function () {
  'use strict';

  const httpUrl = new URL('/graphql', window.location.href).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');

  const DEFAULT_HEADERS = JSON.stringify(
    { 'x-gw-ims-org-id': '1BD6382559DF0C130A49422D@AdobeOrg', 'x-sandbox-name': 'prod' },
    null,
    2,
  );

  const DEFAULT_QUERY = `# Export jobs gateway. The tenant headers are in the Headers tab below.
# Run the query, then try the subscription: it streams over graphql-ws.

query RecentJobs {
  exportJobs(first: 10) {
    totalCount
    edges {
      node { id status progress { percent processedProfiles totalProfiles } creationTime }
    }
  }
}

subscription WatchJobs {
  jobStatusChanged {
    type
    status
    progress { percent }
    job { id }
  }
}
`;

  // What GraphiQL keeps in localStorage, minus every header: they carry bearer tokens.
  // shouldPersistHeaders: false keeps them out of GraphiQL's tabs, but GraphiQL 4.1's history
  // saves each run's headers as they are. Nulled rather than dropped: GraphiQL discards a
  // stored tab that lacks the key. A history entry read back gets the starting headers, or
  // choosing it would empty the headers editor.
  const PREFIX = 'graphiql:';
  const HISTORY = [`${PREFIX}queries`, `${PREFIX}favorites`];
  const WITH_HEADERS = [`${PREFIX}tabState`, ...HISTORY];
  const ownKeys = () => Object.keys(localStorage).filter((key) => key.startsWith(PREFIX));
  // Null for what is not JSON: read as nothing stored, and never written.
  function replaceHeaders(json, headers) {
    try {
      return JSON.stringify(JSON.parse(json), (name, value) => (name === 'headers' ? headers : value));
    } catch {
      return null;
    }
  }
  const storage = {
    getItem(key) {
      const value = localStorage.getItem(key);
      return value !== null && HISTORY.includes(key) ? replaceHeaders(value, DEFAULT_HEADERS) : value;
    },
    setItem(key, value) {
      const stored = key === `${PREFIX}headers` ? null : WITH_HEADERS.includes(key) ? replaceHeaders(value, null) : value;
      if (stored === null) localStorage.removeItem(key);
      else localStorage.setItem(key, stored);
    },
    removeItem: (key) => localStorage.removeItem(key),
    clear: () => ownKeys().forEach((key) => localStorage.removeItem(key)),
    get length() {
      return ownKeys().length;
    },
  };
  // Headers stored before (by an older playground, or by the history) go now, not at the next write.
  for (const key of [`${PREFIX}headers`, ...WITH_HEADERS]) {
    const value = localStorage.getItem(key);
    if (value !== null) storage.setItem(key, value);
  }

  // One graphql-ws client per distinct set of headers: they travel in connection_init.
  const wsClients = new Map();
  function wsClientFor(headers) {
    const key = JSON.stringify(headers);
    let client = wsClients.get(key);
    if (!client) {
      client = graphqlWs.createClient({ url: wsUrl, connectionParams: headers, lazy: true, retryAttempts: 0 });
      wsClients.set(key, client);
    }
    return client;
  }

  // GraphiQL hands the fetcher the parsed document: the chosen operation says which transport.
  function isSubscription(params, documentAST) {
    const operations = ((documentAST && documentAST.definitions) || []).filter(
      (definition) => definition.kind === 'OperationDefinition',
    );
    const chosen = params.operationName
      ? operations.find((operation) => operation.name && operation.name.value === params.operationName)
      : operations[0];
    return Boolean(chosen && chosen.operation === 'subscription');
  }

  function fetcher(params, options) {
    const headers = (options && options.headers) || {};
    if (isSubscription(params, options && options.documentAST)) return wsClientFor(headers).iterate(params);
    return fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(params),
    }).then((response) => response.json());
  }

  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: DEFAULT_QUERY,
      headers: DEFAULT_HEADERS,
      defaultEditorToolsVisibility: 'headers',
      // Headers carry bearer tokens: they live in the tab, never in localStorage.
      shouldPersistHeaders: false,
      storage,
    }),
  );
})();
