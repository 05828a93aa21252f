/**
 * `GET /graphql` from a browser: a GraphiQL IDE served entirely by us (see
 * `staticAssets`), with the tenant headers in its headers editor and
 * subscriptions over graphql-ws. Plugged in as Apollo's landing page, so Apollo
 * keeps deciding when a GET is a browser's (Accept: text/html) and when an API call.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ASSETS_PREFIX } from './staticAssets';

// Its Content-Security-Policy and other headers are set where the response is written
// (graphqlHttpHandler.ts): Apollo gives a landing page no headers of its own.
const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Export jobs · GraphiQL</title>
    <link rel="stylesheet" href="${ASSETS_PREFIX}graphiql.min.css" />
    <link rel="stylesheet" href="${ASSETS_PREFIX}playground.css" />
  </head>
  <body>
    <div id="graphiql">Loading the playground…</div>
    <script src="${ASSETS_PREFIX}react.production.min.js"></script>
    <script src="${ASSETS_PREFIX}react-dom.production.min.js"></script>
    <script src="${ASSETS_PREFIX}graphiql.min.js"></script>
    <script src="${ASSETS_PREFIX}graphql-ws.min.js"></script>
    <script src="${ASSETS_PREFIX}playground.js"></script>
  </body>
</html>
`;

/** The Apollo plugin that serves the playground as the landing page of `/graphql`. */
export function playgroundLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PLAYGROUND_HTML };
        },
      };
    },
  };
}
