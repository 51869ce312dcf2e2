/**
 * Issue 15, items 1–3: certified LipSDP-Neuron bounds against the SDP's optimum, and branch and
 * bound on ECLipsE's deep narrow net. Measured, never asserted in tests.
 *
 * Run: npm run bench:sdp   [-- --quick]   (about half an hour in full; --quick skips the slow optimum
 * solves of the two large nets and the cvxopt cross-check)
 *
 * For each network: ECLipsE-Fast (certified), LipSDP-Neuron under the target's time limit
 * (certified), and "the optimum": a slow, accurate solve of our own (its certified value, with the
 * solver's dual lower bound beside it, so the optimum is bracketed), cross-checked with cvxopt's
 * SDP solver (/usr/bin/python3, development machines only) where the LMI is small enough.
 * Timings are wall-clock on whatever else the machine is doing: report them with the load.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Budget } from '../src/lipschitz/budget.js';
import { lowerBound } from '../src/lipschitz/lower/index.js';
import { operatorNormProduct } from '../src/lipschitz/upper/operatorNorms.js';
import { inputFactor } from '../src/lipschitz/upper/sdp/barrier.js';
import { branchedSdpBound } from '../src/lipschitz/upper/sdp/branch.js';
import { patternBranchBound } from '../src/lipschitz/upper/sdp/patternBranch.js';
import { eclipseFastBound, lipSdpBound } from '../src/lipschitz/upper/sdp/lipSdp.js';
import { sdpProblem } from '../src/lipschitz/upper/sdp/problem.js';
import { networkFromJson } from '../src/network/format.js';
import { neuronCount, type Network } from '../src/network/network.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';

const quick = process.argv.includes('--quick');
const fromFile = (file: string): Network => {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  return networkFromJson(raw.network ?? raw, file);
};
const eclipse = (layers: number, width: number): Network | null => {
  try {
    const json = execFileSync('python3', ['fixtures/peers/eclipse_random_weights.py', String(layers), String(width)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return networkFromJson(JSON.parse(json), `lyr${layers}n${width}`);
  } catch {
    return null; // no numpy here
  }
};
const papers = (d: number, widths: number[], outputs = 1) => sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1, outputs });

/** LipSDP-Neuron's optimum by cvxopt (global problem, input reduced to r = min(d, N₁)), or null. */
function cvxoptOptimum(net: Network): number | null {
  const setup = sdpProblem(net, null);
  if (setup.kind !== 'problem') return null;
  const { first, r } = inputFactor(setup.problem);
  const N1 = net.layers[0].outDim;
  if (r + neuronCount(net) > 200) return null; // cvxopt on a dense 384×384 LMI runs for half an hour
  const rows = (w: Float64Array, out: number, inn: number) => Array.from({ length: out }, (_, i) => Array.from(w.subarray(i * inn, (i + 1) * inn)));
  // The problem's first factor is for the rescaled W₀; undo that exact power of two.
  const scale = 2 ** -setup.problem.layerExponents[0];
  const spec = {
    first: rows(first.map((v) => v * scale), N1, r),
    layers: net.layers.slice(1).map((l) => rows(l.weights, l.outDim, l.inDim)),
  };
  try {
    const out = execFileSync('/usr/bin/python3', ['bench/sdp_cvxopt.py'], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 1 << 26, timeout: 1_800_000 });
    const { rho, status } = JSON.parse(out);
    // 'unknown' means cvxopt stopped short of its (tight) tolerances; its value is still reported.
    return status === 'optimal' || status === 'unknown' ? Math.sqrt(rho) : null;
  } catch {
    return null;
  }
}

const rows: string[][] = [];
const fmt = (x: number | null | undefined, digits = 5) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toPrecision(digits));
const print = (cells: string[]) => {
  rows.push(cells);
  console.log(cells.join(' | '));
};
console.log(`# bench/sdp.ts — ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')} at the start`);
print(['network', 'hidden', 'method', 'certified bound', 'time (s)', 'optimum [dual, certified]', 'cvxopt', 'gap to optimum']);

const targets: { name: string; net: Network | null; limit: number }[] = [
  { name: 'LipSDP MNIST 784→50→10', net: fromFile('fixtures/peers/lipsdp-mnist.json'), limit: 10 },
  { name: 'ECLipsE lyr5n20 (4→20⁴→1)', net: fromFile('fixtures/peers/eclipse-lyr5n20.json'), limit: 10 },
  { name: 'ECLipsE lyr10n20 (4→20⁹→1)', net: eclipse(10, 20), limit: 10 },
  { name: 'ECLipsE lyr20n20 (4→20¹⁹→1)', net: eclipse(20, 20), limit: 60 },
  { name: 'papers 64→256→1', net: papers(64, [256]), limit: 60 },
  { name: 'papers 784→256→256→10', net: papers(784, [256, 256], 10), limit: 60 },
];

for (const { name, net, limit } of targets) {
  if (!net) {
    print([name, '—', 'skipped (python3 with numpy needed to regenerate it)', '', '', '', '', '']);
    continue;
  }
  const hidden = String(neuronCount(net));
  const t0 = performance.now();
  const closed = eclipseFastBound(net, null);
  const closedSeconds = (performance.now() - t0) / 1000;
  const target = lipSdpBound(net, null, { timeLimit: limit })!;
  const large = neuronCount(net) > 200;
  const optimum = quick && large ? null : lipSdpBound(net, null, { timeLimit: 900, relativeGap: 1e-7, warmStart: target.multipliers ?? undefined });
  const best = optimum ? Math.min(optimum.upper, target.upper) : target.upper;
  const bracket = optimum ? `[${fmt(optimum.sdpLower, 7)}, ${fmt(best, 7)}]` : '—';
  const cvx = quick ? null : cvxoptOptimum(net);
  const gap = (v: number) => (optimum ? `${(100 * (v / best - 1)).toPrecision(2)} %` : '—');
  print([name, hidden, '∏‖W‖₂', fmt(operatorNormProduct(net, '2')), '0', bracket, fmt(cvx, 7), gap(operatorNormProduct(net, '2'))]);
  print([name, hidden, 'ECLipsE-Fast (certified)', fmt(closed), closedSeconds.toFixed(2), bracket, fmt(cvx, 7), closed === null ? '—' : gap(closed)]);
  print([name, hidden, `LipSDP-Neuron, ${limit} s limit (${target.iterations} its, ${target.stoppedBy})`, fmt(target.upper, 7), target.seconds.toFixed(2), bracket, fmt(cvx, 7), gap(target.upper)]);
  if (optimum) print([name, hidden, `optimum run (${optimum.iterations} its, ${optimum.stoppedBy})`, fmt(optimum.upper, 7), optimum.seconds.toFixed(1), bracket, fmt(cvx, 7), gap(optimum.upper)]);
}

// Item 3: branch and bound on ECLipsE's lyr5n20 within 120 s, the lower end from lipcheck's witnesses.
{
  const net = fromFile('fixtures/peers/eclipse-lyr5n20.json');
  const budget = new Budget(120);
  const lower = lowerBound(net, { norm: '2', box: null }, { timeLimit: 10, seed: 1 });
  const bb = branchedSdpBound(net, null, { budget, lower: () => lower.witness.value, targetGap: 1.5 })!;
  const low = Math.max(lower.witness.value, bb.witness.value);
  print(['ECLipsE lyr5n20', '80', `branch and bound, 120 s (${bb.cells} cells, ${bb.leaves} open, ${bb.stoppedBy})`, fmt(bb.upper), budget.elapsed().toFixed(1), `lower ${fmt(low)}`, '', `bracket gap ${(bb.upper / low).toFixed(3)} (root LipSDP: ${(bb.rootUpper / low).toFixed(3)})`]);
  // Pattern branch and bound (neuron cuts on the facets; its own lower search): the target.
  const pb = patternBranchBound(net, null, { timeLimit: 120, targetGap: 1.5 })!;
  print(['ECLipsE lyr5n20', '80', `pattern branch and bound, 120 s (${pb.nodes} nodes, ${pb.open} open, ${pb.stoppedBy})`, fmt(pb.upper), pb.seconds.toFixed(1), `lower ${fmt(pb.lower)}`, '', `bracket gap ${(pb.upper / pb.lower).toFixed(3)} (bench/patternBranch.ts traces it)`]);
}
console.log(`# load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
