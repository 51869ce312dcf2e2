import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseResponse, ProtocolFault, type Request, type Response } from './protocol.js';
import { ImplementationFault, MAX_TIMER_MS, type Responder } from './session.js';

/**
 * An implementation run as a child process (`sh -c <cmd>`, in its own process group so that
 * killing it ends its children too). Each request gets `timeout` seconds for its one-line answer;
 * a crash, a hang, an early exit or a malformed line becomes an ImplementationFault. `close`
 * closes stdin, waits up to 3 s (or the grace given) for a clean exit, then kills the group: the
 * harness never hangs and never leaves the child behind.
 */
export function processResponder(cmd: string, timeout: number): Responder {
  const child: ChildProcess = spawn(cmd, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let stderrTail = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderrTail = (stderrTail + b.toString('utf8')).slice(-2000);
  });
  child.stdin!.on('error', () => {}); // writes to a dead child are reported through its exit
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(line);
    } else lines.push(line);
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(null);
    }
  });
  const spawnError = new Promise<never>((_, reject) => child.on('error', (err) => reject(new ImplementationFault(`could not start: ${err.message}`, 'crash'))));
  spawnError.catch(() => {});

  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const nextLine = (): Promise<string | null> => {
    if (lines.length > 0) return Promise.resolve(lines.shift()!);
    if (exited) return Promise.resolve(null);
    return new Promise((resolve) => (waiting = resolve));
  };
  const describeExit = () => {
    const e = exited!;
    const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
    return `${how}${tail ? `; stderr: ${tail}` : ''}`;
  };

  return {
    async respond(request: Request): Promise<Response> {
      if (exited) throw new ImplementationFault(`the implementation ${describeExit()} before case ${request.id}`, (exited as { code: number | null }).code === 0 ? 'early-exit' : 'crash');
      child.stdin!.write(JSON.stringify(request) + '\n');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.min(timeout * 1000, MAX_TIMER_MS))));
      const line = await Promise.race([nextLine(), timedOut, spawnError]);
      clearTimeout(timer);
      if (line === 'timeout') {
        kill();
        throw new ImplementationFault(`no answer to case ${request.id} within ${timeout} s (--timeout); the implementation was killed`, 'hang');
      }
      if (line === null) {
        const early = exited !== null && (exited as { code: number | null }).code === 0;
        throw new ImplementationFault(`the implementation ${describeExit()} without answering case ${request.id}`, early ? 'early-exit' : 'crash');
      }
      try {
        return parseResponse(line, request.id);
      } catch (err) {
        if (err instanceof ProtocolFault) throw new ImplementationFault(`case ${request.id}: ${err.message}`, 'protocol');
        throw err;
      }
    },
    async close(graceSeconds = 3): Promise<void> {
      if (!exited) {
        child.stdin!.end();
        const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const timer = setTimeout(kill, graceSeconds * 1000);
        await done;
        clearTimeout(timer);
      }
      // The shell may be gone while something it started lives on in its process group.
      kill();
      child.stdout!.destroy();
      child.stderr!.destroy();
    },
  };
}
