/**
 * Run around every test file (vitest's `setupFiles`): after the file's own
 * afterAll hooks, nothing it opened may be left open — no database, test
 * server or service process of the helpers (`helpers/leftovers.ts`), and no
 * listening socket more than when it started (a JWKS, S3 or webhook server of
 * its own). The file then fails, naming what it left; what the helpers opened
 * is closed first, so that the next file starts clean.
 *
 * It runs after the file's own hooks because hooks run as a stack
 * (`sequence.hooks: 'stack'`, set in vitest.config.ts): registered first, it
 * ends last. Not after a function returned by `beforeAll`, nor a file-scoped
 * `test.extend` fixture's teardown, which vitest runs later still: a file
 * that closes things that way is not for this guard.
 */
import { afterAll, beforeAll } from 'vitest';
import { closeLeftovers } from './helpers/leftovers';

const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
let listeningBefore = 0;

beforeAll(() => {
  listeningBefore = listening();
});

// Registered before the file's own hooks, so it runs after them.
afterAll(async () => {
  const left = await closeLeftovers();
  // A server's close resolves once its socket is closed; give one that was just closed a moment.
  for (let wait = 0; wait < 20 && listening() > listeningBefore; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
  const servers = listening() - listeningBefore;
  if (servers > 0) left.push(`${servers} listening server(s) of its own`);
  if (left.length > 0) throw new Error(`The file left open: ${left.join('; ')} (what the helpers opened is closed now)`);
});
