/**
 * The project's commands as users start them (`npm start`: `node dist/main.mjs …`,
 * built once for the run by `test/globalSetup.ts`), each in its own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackOpen } from './leftovers';
import { testFilesDir } from './testFiles';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it logged so far. */
  output(): string;
  /** The GraphQL URL a server logged (empty for a worker). */
  url: string;
}

/** Spawns `dist/main.mjs <command>` from `cwd` with only the configuration in `env` (DATABASE_URL, DATA_DIR and WORKERS are not inherited). */
export function spawnCommand(command: string, env: Record<string, string>, cwd = PROJECT, processGroup = false, viaNpm = false): ChildProcess {
  // WORKERS, SERVER_PROCESSES's old name, too: a developer's own would meet a test's SERVER_PROCESSES.
  const { DATABASE_URL: _ignored, DATA_DIR: _alsoIgnored, WORKERS: _oldName, ...inherited } = process.env;
  // As a user runs it (`npm start`, `npm run worker`), without the build before it (tests build dist/ once).
  const [executable, args] = viaNpm
    ? ['npm', ['run', '--ignore-scripts', '--silent', command === 'serve' ? 'start' : command]]
    : [process.execPath, [join(PROJECT, 'dist/main.mjs'), command]];
  return spawn(executable, args, {
    cwd,
    // No drain on shutdown unless a test asks: tests stop many servers that no load balancer watches.
    // Result files in the tests' own directory, not the checkout's `.data`.
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DRAIN_MS: '0', FILES_DIR: testFilesDir(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // A group of its own (with its cluster workers), for a signal to all of them as a terminal's Ctrl-C sends it.
    detached: processGroup,
  });
}

/**
 * The longest a start may take before it fails with what the process logged: shorter than
 * the tests' own timeouts (90 s for those that start processes), which would say nothing.
 */
const START_LIMIT_MS = 75_000;

/**
 * Starts `command` and waits until `ready` has been logged `times` times (one per worker
 * process). Fails, with the process's log, if it exits first, if one of its cluster workers
 * dies during the start (the primary then waits without it), or after START_LIMIT_MS.
 */
export async function startService(
  command: 'serve' | 'worker',
  env: Record<string, string>,
  options: { times?: number; cwd?: string; processGroup?: boolean; viaNpm?: boolean } = {},
): Promise<ServiceProcess> {
  const child = spawnCommand(command, env, options.cwd, options.processGroup, options.viaNpm);
  const ready = command === 'serve' ? 'gateway ready' : 'Export runner started';
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.split(ready).length > (options.times ?? 1)) resolve();
        else if (output.includes('"Worker died"')) reject(new Error(`A worker of ${command} died while starting: ${output}`));
      });
      child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${output}`)));
      timer = setTimeout(() => reject(new Error(`${command} was not ready after ${START_LIMIT_MS} ms: ${output}`)), START_LIMIT_MS);
    });
  } catch (error: unknown) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const url = /"url":"(http:[^"]+)"/.exec(output)?.[1] ?? '';
  const service = { child, url, output: () => output };
  const closed = trackOpen(`a '${command}' process`, () => stopService(service, 'SIGKILL'));
  child.once('exit', closed);
  return service;
}

/** Sends `signal` and resolves with the exit code (null when killed by the signal). */
export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  const exited = once(service.child, 'exit');
  service.child.kill(signal);
  const [code] = await exited;
  return code as number | null;
}

/** What a command that ran to its end printed, and its exit code. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `executable args` from the project's root to its end, with `env` over ours and no
 * DATABASE_URL or DATA_DIR of ours: only `env` says which database it uses.
 */
export async function runToEnd(executable: string, args: string[], env: Record<string, string>): Promise<CommandResult> {
  const child = spawn(executable, args, {
    cwd: PROJECT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
