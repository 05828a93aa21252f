/** The server as `npm start` runs it (same node flags), as a child process of a benchmark. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

/** Starts `src/main.ts serve` with `env` on top of ours; resolves once every worker is ready. */
export async function startServerProcess(env: Record<string, string>, workers = 1): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts', 'serve'], {
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
