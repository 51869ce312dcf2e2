/**
 * The speed and accuracy targets of issues 3, 4 and 9, measured (never asserted in tests).
 * Run: npm run bench   (about three minutes; prints a table of target against measurement)
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { timed } from '../src/lipschitz/budget.js';
import { certifiedBounds } from '../src/lipschitz/bounds.js';
import { bestOfSamples } from '../src/lipschitz/lower/sampling.js';
import { verifyClaim } from '../src/lipschitz/verify.js';
import { readNetworkFile } from '../src/io/readNetwork.js';
import { networkFromJson, toReluMlp } from '../src/network/format.js';
import { boxFromPairs, boxToPairs } from '../src/lipschitz/query.js';
import { jacobian } from '../src/network/evaluate.js';
import { operatorNorm, NORMS, type Norm } from '../src/linalg/norms.js';
import type { Network } from '../src/network/network.js';

const normal = parseBiasLaw('normal:1');
const he = (d: number, widths: number[], seed: number) => sampleNetwork({ inputDim: d, widths, bias: normal, weights: 'he-fanout', seed });
const rows: string[][] = [];
const row = (issue: string, target: string, measured: string) => {
  rows.push([issue, target, measured]);
  console.log(`${issue.padEnd(6)} ${target.padEnd(62)} ${measured}`);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// Issue 3: exact solver.
for (const [d, widths, target] of [[2, [128], 1], [3, [48], 3], [2, [16, 16, 16], 3], [1, [256, 256, 256], 1]] as [number, number[], number][]) {
  const runs = [1, 2, 3].map((seed) => timed(() => exactLipschitz(he(d, widths, seed), { norm: '2', box: null }, { timeLimit: 120 })));
  const times = runs.map(([, t]) => t);
  const first = runs[0][0];
  const regions = first.kind === 'exact' ? first.regions : NaN;
  row('#3', `exact d=${d} widths ${widths.join(',')} under ${target} s`, `median ${median(times).toFixed(2)} s over 3 nets (${regions} regions for seed 1)`);
}
{
  // Agreement with the independent Python implementation.
  const cases = Array.from({ length: 20 }, (_, i) => ({ net: he(1 + (i % 3), i % 2 ? [6, 5] : [9], 100 + i), norm: NORMS[i % 3] as Norm }));
  const ref = JSON.parse(execFileSync('python3', ['fixtures/crosscheck/exact_lipschitz.py'], { input: JSON.stringify(cases.map((c) => ({ network: toReluMlp(c.net), norm: c.norm, box: null }))), encoding: 'utf8' }));
  let worst = 0;
  cases.forEach((c, i) => {
    const r = exactLipschitz(c.net, { norm: c.norm, box: null });
    if (r.kind === 'exact') worst = Math.max(worst, Math.abs(r.lipschitz - ref[i].lipschitz) / ref[i].lipschitz);
  });
  row('#3', 'agreement with an independent method to 1e-9 relative', `max relative difference ${worst.toExponential(1)} over 20 nets`);
}

// Issue 4: certified bounds.
for (const [d, N] of [[2, 32], [3, 64], [4, 64]]) {
  const gaps: number[] = [];
  const times: number[] = [];
  for (const seed of [1, 2, 3]) {
    const r = await certifiedBounds(he(d, [N], seed), { norm: '2', box: null }, { timeLimit: 5, targetGap: 1.01 });
    gaps.push(r.gap);
    times.push(r.seconds);
  }
  row('#4', `shallow d=${d} N=${N}: gap ≤ 1.01 within 5 s`, `gaps ${gaps.map((g) => g.toFixed(4)).join(', ')}; ${Math.max(...times).toFixed(1)} s at most`);
}
for (const targetGap of [1.5, 1.0001]) {
  // At the target the search stops as soon as the bracket is within it; at 1.0001 it uses the whole minute.
  const runs = [];
  for (const seed of [1, 2, 3]) runs.push(await certifiedBounds(he(8, [64], seed), { norm: '2', box: null }, { timeLimit: 60, targetGap }));
  row(
    '#4',
    `shallow d=8 N=64: gap ≤ 1.5 within 60 s${targetGap === 1.5 ? '' : ' (run to the limit)'}`,
    runs.map((r, i) => `seed ${i + 1}: gap ${r.gap.toFixed(3)} in ${r.seconds.toFixed(2)} s`).join('; '),
  );
}
{
  const net = he(16, [256, 256, 256], 1);
  const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 10 });
  const random = bestOfSamples(net, { norm: '2', box: null }, 100_000, 'bench');
  row('#4', 'd=16 widths 256^3: bracket within 10 s, lower ≥ best of 1e5 random points', `[${r.lower.toFixed(3)}, ${r.upper.toFixed(3)}] gap ${r.gap.toFixed(2)} in ${r.seconds.toFixed(1)} s; best of 1e5 random ${random.toFixed(3)}`);
}

// Issue 9: local constants of a trained net, the LipSDP example, a wrong local bound.
{
  const net = readNetworkFile('fixtures/trained/classifier-10d.json');
  const points = (net.meta as { benchmarkPoints: number[][] }).benchmarkPoints;
  let worst = 0;
  let regions = 0;
  for (const x of points) {
    const box = boxFromPairs(x.map((v) => [v - 0.05, v + 0.05] as [number, number]), 10);
    for (const p of NORMS) {
      const [r, t] = timed(() => exactLipschitz(net, { norm: p, box }));
      worst = Math.max(worst, t);
      if (r.kind === 'exact') regions = Math.max(regions, r.regions);
    }
  }
  row('#9', 'exact local constants, trained 10→34→33→33→3, boxes 0.1 wide, all norms, < 5 s', `${worst.toFixed(3)} s at most over 5 boxes × 3 norms (≤ ${regions} regions)`);
}
{
  const peer = JSON.parse(readFileSync('fixtures/peers/lipsdp-random-weights.json', 'utf8'));
  const net = networkFromJson(peer.network, 'lipsdp');
  const [r, t] = timed(() => exactLipschitz(net, { norm: '2', box: null }));
  const value = r.kind === 'exact' ? r.lipschitz : NaN;
  row('#9', 'global k = 2 LipSDP example, exact, under 10 s', `${t.toFixed(3)} s, Lip₂ = ${value} (published ${peer.lipschitz['2']})`);
}
{
  const peer = JSON.parse(readFileSync('fixtures/peers/lipbab-iris.json', 'utf8'));
  const net: Network = networkFromJson(peer.network, 'iris');
  const box = boxFromPairs(peer.box, 4);
  const small = operatorNorm(jacobian(net, [0.5, 0.5, 0.5, 0.5]), '2');
  const v = await verifyClaim(net, { norm: '2', box }, { kind: 'upper', value: small }, { timeLimit: 10 });
  row('#9', 'a tiny ball\'s constant claimed for the box is refuted by verify', `${v.status}: claim ${small.toFixed(4)}, witness ${v.witness?.value.toFixed(4)} (box ${JSON.stringify(boxToPairs(box))})`);
}
