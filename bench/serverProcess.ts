/** The server as `npm start` runs it, and runners as `npm run worker` does (same node flags), as child processes of a benchmark. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The node arguments of an npm script that runs `exec node …` or `node …` (`start`, `worker`). */
export function scriptArgs(script: 'start' | 'worker'): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const match = /^(?:exec )?node (.*)$/.exec(scripts[script] ?? '');
  if (!match) throw new Error(`npm run ${script} is not "node …": ${scripts[script]}`);
  return match[1]!.split(/\s+/);
}

/**
 * `npm start` without npm: builds `dist/` (its prestart) and answers the node
 * arguments of its start script, so that a benchmark's server runs as a
 * user's does and the RSS measured is the server's, not npm's.
 */
export function npmStartArgs(): string[] {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  return [...profilerArgs(), ...scriptArgs('start')];
}

/** With BENCH_CPU_PROF=DIR the server writes a CPU profile into DIR when it exits (Node refuses the flag in NODE_OPTIONS). */
function profilerArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Starts the server as `npm start` does, with `env` on top of ours; resolves once every worker is ready. */
export function startServerProcess(env: Record<string, string>, serverProcesses = 1): Promise<ChildProcess> {
  // WORKERS, its old name, emptied: one of ours would disagree with it.
  const processes = { SERVER_PROCESSES: String(serverProcesses), WORKERS: '' };
  return startNodeProcess('server', npmStartArgs(), { ...processes, ...env }, (log) => log.split('gateway ready').length > serverProcesses);
}

/**
 * Starts a runner as `npm run worker` does, on the `dist/` a server's start built, with
 * `env` on top of ours; resolves once its runner started.
 */
export function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  return startNodeProcess('worker', scriptArgs('worker'), env, (log) => log.includes('Export runner started'));
}

async function startNodeProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: (log: string) => boolean,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    // No drain delay on stop: no load balancer watches a benchmark's server.
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', SHUTDOWN_DRAIN_MS: '0', ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (process.env.BENCH_SERVER_LOG) process.stderr.write(chunk);
      if (ready(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${log}`)));
  });
  return child;
}

export async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** The process's high-water mark of resident memory (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}
