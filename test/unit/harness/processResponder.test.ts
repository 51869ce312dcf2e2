import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processResponder } from '../../../src/harness/processResponder.js';
import type { Request } from '../../../src/harness/protocol.js';
import { ImplementationFault, type FaultKind, type Responder } from '../../../src/harness/session.js';

// The child-process responder against small POSIX sh adapters (a sh start is a few ms; node's is
// 50–100 ms). Each adapter answers by the number of the request it reads, so every fault kind
// (protocol, crash, early exit, hang, a kill by signal) comes from a scripted child.
const request = (id: number): Request => ({ id, network: { format: 'relu-mlp', version: 1, inputDim: 1, layers: [] } as unknown as Request['network'], norm: '2', box: null });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let dir: string;
const opened: Responder[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lipcheck-responder-'));
});
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close(0);
  rmSync(dir, { recursive: true, force: true });
});
/** A responder running the sh script `body` (saved in the test's temp folder). */
function adapter(body: string, timeout = 5): Responder {
  const path = join(dir, `adapter-${opened.length}.sh`);
  writeFileSync(path, body);
  const r = processResponder(`sh ${path}`, timeout);
  opened.push(r);
  return r;
}
/** The fault `respond` rejects with. */
async function faultOf(r: Responder, id: number): Promise<{ kind: FaultKind; message: string }> {
  const err = await r.respond(request(id)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImplementationFault);
  const f = err as ImplementationFault;
  return { kind: f.kind, message: f.message };
}

describe('processResponder', () => {
  it('passes answers through, keeps lines that come early, and turns a bad line into a protocol fault', async () => {
    const r = adapter(`i=0
while IFS= read -r line; do
  case $i in
    0) echo '{"id":0,"upper":2.5,"lower":1}';;
    1) echo '{"id":1,"unsupported":true}'; echo '{"id":2,"error":"no solver"}';;
    3) echo 'not json';;
    4) echo '{"id":99,"upper":1}';;
    5) printf '%s\\n' "$line" | grep -q '"id":5' && echo '{"id":5,"estimate":3}';;
  esac
  i=$((i+1))
done
`);
    expect(await r.respond(request(0))).toEqual({ id: 0, kind: 'claims', upper: 2.5, lower: 1 });
    expect(await r.respond(request(1))).toEqual({ id: 1, kind: 'unsupported' });
    expect(await r.respond(request(2))).toEqual({ id: 2, kind: 'error', message: 'no solver' }); // sent before it was asked
    expect(await faultOf(r, 3)).toEqual({ kind: 'protocol', message: 'case 3: not JSON: "not json"' });
    expect(await faultOf(r, 4)).toEqual({ kind: 'protocol', message: 'case 4: wrong id: expected 4, got 99' });
    // The request went to the child's stdin as one JSON line.
    expect(await r.respond(request(5))).toEqual({ id: 5, kind: 'claims', estimate: 3 });
    const started = performance.now();
    await r.close();
    expect(performance.now() - started).toBeLessThan(2000); // stdin closed: the loop ends, no kill needed
  });
  it('reports a crash with the exit code and the last lines of stderr, then refuses further cases', async () => {
    const r = adapter(`read -r line
printf 'x%.0s' $(seq 1 2500) >&2
printf '\\none\\ntwo\\nthree\\nfour\\n' >&2
exit 2
`);
    const first = await faultOf(r, 0);
    expect(first.kind).toBe('crash');
    expect(first.message).toMatch(/^the implementation exited with code 2(; stderr: .*)? without answering case 0$/);
    await sleep(50); // stderr arrives after the exit event at worst a tick later
    expect(await faultOf(r, 1)).toEqual({ kind: 'crash', message: 'the implementation exited with code 2; stderr: two | three | four before case 1' });
  });
  it('keeps only the last 2,000 characters of stderr', async () => {
    const r = adapter(`read -r line
printf 'y%.0s' $(seq 1 2500) >&2
exit 1
`);
    await faultOf(r, 0);
    await sleep(50);
    const { message } = await faultOf(r, 1);
    expect(message).toBe(`the implementation exited with code 1; stderr: ${'y'.repeat(2000)} before case 1`);
  });
  it('an exit with code 0 before answering is an early exit; a kill by signal is a crash', async () => {
    const early = adapter('read -r line\nexit 0\n');
    expect(await faultOf(early, 0)).toEqual({ kind: 'early-exit', message: 'the implementation exited with code 0 without answering case 0' });
    expect(await faultOf(early, 1)).toEqual({ kind: 'early-exit', message: 'the implementation exited with code 0 before case 1' });
    const killed = adapter('read -r line\nkill -TERM $PPID\nsleep 1\n'); // $PPID: the \`sh -c\` the responder started
    expect(await faultOf(killed, 0)).toEqual({ kind: 'crash', message: 'the implementation was killed by SIGTERM without answering case 0' });
  });
  it('kills a child that does not answer within the timeout, and one that outlives its grace', async () => {
    const hang = adapter('read -r line\nsleep 30\n', 0.1);
    const started = performance.now();
    expect(await faultOf(hang, 0)).toEqual({ kind: 'hang', message: 'no answer to case 0 within 0.1 s (--timeout); the implementation was killed' });
    expect(performance.now() - started).toBeLessThan(1500);
    const after = await faultOf(hang, 1); // the kill's exit event may come before or after this request
    expect(after.kind).toBe('crash');
    expect(after.message).toMatch(/^the implementation was killed by SIGKILL (before|without answering) case 1$/);
    const stubborn = adapter("trap '' TERM\nwhile :; do sleep 0.02; done\n");
    const closing = performance.now();
    await stubborn.close(0.05);
    expect(performance.now() - closing).toBeLessThan(1500);
  });
  it('a timeout longer than any timer still waits for the answer', async () => {
    const slow = adapter('read -r line\nsleep 0.05\necho \'{"id":0,"upper":1}\'\n', 1e7);
    expect(await slow.respond(request(0))).toEqual({ id: 0, kind: 'claims', upper: 1 });
  });
});
