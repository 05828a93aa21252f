/**
 * Composition root: database → Apollo Server → HTTP. Transports are wired here
 * and nowhere else; the domain modules know nothing of HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Config } from './config';
import { createContext, REQUEST_ID_HEADER, requestIdOf, type Context } from './context';
import { createDb, type Database } from './db/createDb';
import { createFormatError } from './formatError';
import { createLogger, type Logger } from './logger';
import { resolvers } from './schema/resolvers';
import { typeDefs } from './schema/typeDefs';

export interface RunningServer {
  /** `http://host:port/graphql` */
  url: string;
  port: number;
  database: Database;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: Logger;
  /** An already open database; by default one is opened from `config`. */
  database?: Database;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const database =
    options.database ??
    (await createDb({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize }));
  const app = express();
  const httpServer = createServer(app);

  const apollo = new ApolloServer<Context>({
    typeDefs,
    resolvers,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Compact JSON: Apollo pretty-prints by default, which costs CPU and bytes on every page.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // We send no cache hints; the plugin would wrap every field resolver for nothing.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(
    '/graphql',
    (req, res, next) => {
      res.locals.requestId = requestIdOf(req.headers);
      res.setHeader(REQUEST_ID_HEADER, res.locals.requestId as string);
      next();
    },
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => createContext(database.db, req.headers, res.locals.requestId as string),
    }),
  );

  await listen(httpServer, config.port, config.host);
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host ?? 'localhost'}:${port}/graphql`;
  logger.info('Export jobs gateway ready', { url, database: database.description });

  return {
    url,
    port,
    database,
    close: async () => {
      await apollo.stop();
      if (!options.database) await database.close();
    },
  };
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
