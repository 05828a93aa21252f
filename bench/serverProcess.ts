/** The server as `npm start` runs it (same node flags), as a child process of a benchmark. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm start` without npm: builds `dist/` (its prestart) and answers the node
 * arguments of its start script, so that a benchmark's server runs as a
 * user's does and the RSS measured is the server's, not npm's.
 */
export function npmStartArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const match = /^node (.*)$/.exec(scripts.start);
  if (!match) throw new Error(`npm start is not "node …": ${scripts.start}`);
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  return match[1]!.split(/\s+/);
}

/** Starts the server as `npm start` does, with `env` on top of ours; resolves once every worker is ready. */
export async function startServerProcess(env: Record<string, string>, workers = 1): Promise<ChildProcess> {
  const child = spawn(process.execPath, npmStartArgs(), {
    // No drain delay on stop: no load balancer watches a benchmark's server.
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', WORKERS: String(workers), SHUTDOWN_DRAIN_MS: '0', ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (process.env.BENCH_SERVER_LOG) process.stderr.write(chunk);
      if (log.split('gateway ready').length > workers) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
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
