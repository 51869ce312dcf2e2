import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringifyReluMlp } from '../../src/network/format.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { jacobian } from '../../src/network/evaluate.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { cli } from '../support/cli.js';

// --time-limit as a contract (issue 14): a command returns within max(1.25·S, S + 2 s) with the best
// certified result so far and says it stopped on time. These run in-process, where the limit counts
// from the call; the margins are generous (a loaded 2-core machine), the work they cut was not: before,
// `bounds --norm 1 --time-limit 2` on this 64→128→128→1 net ran 39 s (64 MIPs whose root LPs ignore
// HiGHS's time limit, and an LP per MIP pattern), and the same net's `exact --time-limit 2` 17 s in
// its first region. Speed itself is measured by bench/timeLimits.ts, not here.

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const net = sampleNetwork({ inputDim: 64, widths: [128, 128], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1 });
const file = join(dir, 'mid.json');
writeFileSync(file, stringifyReluMlp(net));
/** Generous: the contract for S ≤ 8 is S + 2 s. */
const MARGIN = 6;

async function timedCli(...argv: string[]) {
  const started = performance.now();
  const r = await cli(...argv);
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

describe('--time-limit keeps its word on a mid-size net', () => {
  it('bounds: a sound bracket, on time, saying so (--json field) and what it left out', async () => {
    const S = 1;
    const r = await timedCli('bounds', file, '--norm', '1', '--time-limit', String(S), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.seconds).toBeLessThan(S + MARGIN);
    const out = JSON.parse(r.stdout);
    expect(out.stoppedOnTime).toBe(true);
    expect(out.skipped.join('; ')).toMatch(/MIP/);
    expect(out.lower).toBeLessThanOrEqual(out.upper);
    expect(operatorNorm(jacobian(net, Float64Array.from(out.witness)), '1')).toBe(out.lower);
  });
  it('bounds, for people: one line says it stopped on time and what it left out', async () => {
    const r = await timedCli('bounds', file, '--time-limit', '0.2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[\d.e+-]+ ≤ Lip_2 \(global\) ≤ [\d.e+-]+ {3}\(gap/m);
    expect(r.stdout.match(/^stopped on time: the --time-limit of 0.2 s ran out, so this is the best certified result so far; left out or cut short: .+$/gm)?.length).toBe(1);
  });
  it('verify: an upper claim it can neither refute nor prove ends on time with one line saying so', async () => {
    const S = 1;
    // 20 lies between the best witnesses (about 11–12) and LipSDP's 27.5 (which proves 80 at once).
    const r = await timedCli('verify', file, '--upper', '20', '--time-limit', String(S));
    expect(r.code, r.stderr).toBe(0);
    expect(r.seconds).toBeLessThan(S + MARGIN);
    expect(r.stdout).toMatch(/^not refuted: .*\(a search, not a proof\)$/m);
    expect(r.stdout.match(/^stopped on time: the --time-limit of 1 s ran out/gm)?.length).toBe(1);
  });
  it('exact: stops at the limit with exit 2 naming it, and the --json field', async () => {
    const r = await timedCli('exact', file, '--time-limit', '1', '--json');
    expect(r.code).toBe(2);
    expect(r.seconds).toBeLessThan(1 + MARGIN);
    expect(r.stderr).toMatch(/too large for exact within --time-limit 1 s/);
    expect(JSON.parse(r.stdout)).toMatchObject({ lipschitz: null, stoppedOnTime: true });
  });
  it('conformance: stops at the limit while the implementation is still working, with a partial report, not a fault', async () => {
    // slow-once answers case 0, then sleeps 60 s on case 1: the run must end at its limit, not at
    // --timeout (30 s, a fault). Case 0 is normally answered and checked (exit 0); on a machine so
    // loaded that Python has not answered it in time, the run still stops on time with 0 cases.
    const S = 4;
    const adapter = `python3 ${resolve('fixtures/adapters/faulty.py')} slow-once`;
    const r = await timedCli('conformance', '--cmd', adapter, '--cases', 'fixtures/analytic/abs.json', '--timeout', '30', '--time-limit', String(S));
    expect(r.seconds).toBeLessThan(S + MARGIN);
    const run = Number(/stopped on time: (\d+) of \d+ cases run before --time-limit ran out/.exec(r.stdout)?.[1]);
    expect(run, r.stdout).toBeLessThanOrEqual(1); // case 1 never came back
    expect(r.stdout).not.toMatch(/fault/);
    expect(r.code, r.stdout + r.stderr).toBe(run === 1 ? 0 : r.code); // 0 when case 0 passed its checks
    expect([2, 3]).not.toContain(r.code);
  });
});
