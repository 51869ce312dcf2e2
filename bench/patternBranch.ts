/**
 * Issue 15's target "4-input nets with 4 hidden layers of 20: bracket gap ≤ 1.5 within 120 s":
 * pattern branch and bound (src/lipschitz/upper/sdp/patternBranch.ts) on ECLipsE's lyr5n20, global
 * ℓ2, with the gap upper/lower traced against wall-clock time. Measured, never asserted in tests.
 *
 * Run: npm run bench:patterns   [-- --time 120] [-- --gap 1.5] [-- --compare]
 * (--compare also runs the domain branch and bound of branch.ts for the same time; --gap 1.0001
 * runs on past the target to see where the bracket goes.) Timings are wall-clock on whatever else
 * the machine is doing: the load average and the process's CPU seconds are printed beside them.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Budget } from '../src/lipschitz/budget.js';
import { branchedSdpBound } from '../src/lipschitz/upper/sdp/branch.js';
import { patternBranchBound } from '../src/lipschitz/upper/sdp/patternBranch.js';
import { networkFromJson } from '../src/network/format.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('--time', 120);
const targetGap = arg('--gap', 1.5);
const raw = JSON.parse(readFileSync('fixtures/peers/eclipse-lyr5n20.json', 'utf8'));
const net = networkFromJson(raw.network ?? raw, 'lyr5n20');
const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

console.log(`# bench/patternBranch.ts — ECLipsE lyr5n20 (4→20⁴→1), global ℓ2; ${cpus().length} cores, load average ${load()} at the start`);
console.log('wall (s) | cpu (s) | upper | lower | gap | nodes');
const budget = new Budget(seconds);
const cpu0 = cpu();
let next = 0;
const r = patternBranchBound(net, null, {
  budget,
  targetGap,
  onProgress: (upper, lower, nodes) => {
    if (budget.elapsed() < next) return;
    next = 10 * (Math.floor(budget.elapsed() / 10) + 1);
    console.log(`${budget.elapsed().toFixed(1)} | ${(cpu() - cpu0).toFixed(1)} | ${upper.toFixed(5)} | ${lower.toFixed(5)} | ${(upper / lower).toFixed(3)} | ${nodes}`);
  },
})!;
console.log(`${r.seconds.toFixed(1)} | ${(cpu() - cpu0).toFixed(1)} | ${r.upper.toFixed(5)} | ${r.lower.toFixed(5)} | ${(r.upper / r.lower).toFixed(3)} | ${r.nodes}  (stopped by ${r.stoppedBy}; root LipSDP ${r.rootUpper.toFixed(5)}, gap ${(r.rootUpper / r.lower).toFixed(3)}; ${r.open} leaves open)`);

if (process.argv.includes('--compare')) {
  const b = new Budget(seconds);
  const c0 = cpu();
  const d = branchedSdpBound(net, null, { budget: b, lower: () => r.lower, targetGap })!;
  console.log(`domain branch and bound (branch.ts, facet roots): upper ${d.upper.toFixed(5)}, gap ${(d.upper / r.lower).toFixed(3)}, ${d.cells} cells, ${d.seconds.toFixed(1)} s wall, ${(cpu() - c0).toFixed(1)} s cpu (${d.stoppedBy})`);
}
console.log(`# load average at the end ${load()}`);
