/**
 * The browser files of the playground and the `/jobs` page, served from
 * `/assets/{name}`. Vendor files come from their npm packages, so nothing is
 * fetched from a CDN and both pages work offline. Only the names listed here
 * are served; each file is read and gzipped once, on first request.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { projectPath } from '../projectPath';
import { setSecurityHeaders } from './securityHeaders';

const require = createRequire(import.meta.url);
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
const ownFile = (file: string) => projectPath(`src/web/public/${file}`);

const ASSETS: Record<string, string> = {
  'react.production.min.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': packageFile('graphiql', 'graphiql.min.css'),
  'graphql-ws.min.js': packageFile('graphql-ws', 'umd/graphql-ws.min.js'),
  'playground.js': ownFile('playground.js'),
  'playground.css': ownFile('playground.css'),
  'jobs.js': ownFile('jobs.js'),
  'jobs.css': ownFile('jobs.css'),
};

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export const ASSETS_PREFIX = '/assets/';

interface LoadedAsset {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
}

/** Serves `/assets/{name}` for the listed names (GET and HEAD), 404 for anything else. */
export function staticAssetsHandler(): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const loaded = new Map<string, Promise<LoadedAsset>>();
  const load = (name: string, file: string) => {
    let asset = loaded.get(name);
    if (!asset) {
      asset = readFile(file).then((body) => ({
        body,
        gzipped: gzipSync(body),
        contentType: CONTENT_TYPES[name.split('.').pop()!] ?? 'application/octet-stream',
      }));
      loaded.set(name, asset);
    }
    return asset;
  };

  return async (req, res, path) => {
    setSecurityHeaders(res, 'asset', req.headers);
    const name = path.slice(ASSETS_PREFIX.length);
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    const asset = await load(name, file);
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzipped : asset.body;
    res.setHeader('content-type', asset.contentType);
    // Our own files change with the server; vendor files only with package.json. An hour suits both.
    res.setHeader('cache-control', 'public, max-age=3600');
    res.setHeader('vary', 'accept-encoding');
    if (gzip) res.setHeader('content-encoding', 'gzip');
    res.setHeader('content-length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
