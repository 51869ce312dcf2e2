/**
 * Lower bounds at scale (issue 15, item 5): on d = 784 networks, for p = 2, ∞, 1, globally and on an
 * ℓ∞ box of radius 0.1 around a random point, the many-start ascent (src/lipschitz/lower/ascent.ts)
 * within 30 s against
 *   - the reference: the best of 2·10⁵ random points (Gaussian at lipcheck's spread radii; uniform in
 *     the box), then an ascent without time limit from each of the 32 best of them — computed slowly;
 *   - today's `lowerBound` given the same 30 s (its steps do not check the clock: its real time is shown).
 * Never asserted in tests. Run: npm run bench:lower [-- --skip-today] [-- --skip-reference] [-- --net FILE.json] [-- --norms 2,inf] [-- --domains global,box] [-- --reference-cache FILE] [-- --without-papers-model]
 * (about an hour on two cores, most of it the reference and today's method).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { operatorNorm, type Norm } from '../src/linalg/norms.js';
import { Budget } from '../src/lipschitz/budget.js';
import { ascentLowerBound, climbNorm } from '../src/lipschitz/lower/ascent.js';
import { interiorMargin, randomPoints } from '../src/lipschitz/lower/candidates.js';
import { lowerBound } from '../src/lipschitz/lower/index.js';
import { witnessAt } from '../src/lipschitz/lower/witness.js';
import { boxFromPairs, type Box, type LipschitzQuery } from '../src/lipschitz/query.js';
import { readNetworkFile } from '../src/io/readNetwork.js';
import { describeArchitecture, type Network } from '../src/network/network.js';
import { gradientEngine } from '../src/network/parallelGradients.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';
import { createStream } from '../src/random/stream.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = Number(option('--seconds') ?? 30);
const REFERENCE_SAMPLES = Number(option('--samples') ?? 200_000);
const REFERENCE_CLIMBS = 32;
const norms = (option('--norms') ?? '2,inf,1').split(',') as Norm[];
const skipToday = args.includes('--skip-today');
const skipReference = args.includes('--skip-reference');
const domains = (option('--domains') ?? 'global,box').split(',');

const nets: { name: string; net: Network }[] = args.includes('--without-papers-model')
  ? []
  : [{ name: 'papers’ model 784→256→256→10', net: sampleNetwork({ inputDim: 784, widths: [256, 256], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1, outputs: 10 }) }];
for (const file of [option('--net'), 'fixtures/peers/lipsdp-mnist.json'].filter((f, i, all) => all.indexOf(f) === i).filter((f): f is string => f !== undefined && existsSync(f))) {
  const net = readNetworkFile(file);
  nets.push({ name: `${file} ${describeArchitecture(net)}`, net });
}

/** An ℓ∞ box of radius 0.1 around a point uniform in [0, 1]ᵈ (an image-like input). */
function boxAround(net: Network): Box {
  const s = createStream(7, 'bench/box-centre');
  return boxFromPairs(Array.from({ length: net.inputDim }, () => {
    const c = s.uniform();
    return [c - 0.1, c + 0.1] as [number, number];
  }), net.inputDim);
}

type Reference = Map<Norm, { samples: number; ascent: number; seconds: number }>;

/**
 * The reference, read from the cache file `--reference-cache FILE` when it holds this case (the
 * slow part: rerunning the benchmark after a change to the ascent need not recompute it), else
 * computed and added to it.
 */
function cachedReference(name: string, net: Network, box: Box | null): Reference {
  const file = option('--reference-cache');
  const key = `${name} | ${box ? 'box' : 'global'} | ${REFERENCE_SAMPLES} | ${norms.join(',')}`;
  const cache: Record<string, [Norm, { samples: number; ascent: number; seconds: number }][]> = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (cache[key]) return new Map(cache[key]);
  const ref = reference(net, box);
  if (file) writeFileSync(file, JSON.stringify({ ...cache, [key]: [...ref] }));
  return ref;
}

/** The reference of every norm at once: best of the samples, then ascents from the 32 best of each norm. */
function reference(net: Network, box: Box | null): Reference {
  const t0 = performance.now();
  const d = net.inputDim;
  const engine = gradientEngine(net, REFERENCE_SAMPLES);
  const top = new Map<Norm, { value: number; x: Float64Array }[]>(norms.map((p) => [p, []]));
  const chunk = 4096;
  for (let done = 0; done < REFERENCE_SAMPLES; done += chunk) {
    const count = Math.min(chunk, REFERENCE_SAMPLES - done);
    const X = randomPoints(net, box, count, `reference:${done}`);
    const { jacobians, outputs } = engine.jacobians(X, count);
    for (let r = 0; r < count; r++) {
      const J = { rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) };
      for (const p of norms) {
        const list = top.get(p)!;
        const value = operatorNorm(J, p);
        if (list.length < REFERENCE_CLIMBS * 2 || value > list[list.length - 1].value) {
          list.push({ value, x: X.slice(r * d, (r + 1) * d) });
          list.sort((a, b) => b.value - a.value);
          if (list.length > REFERENCE_CLIMBS * 2) list.pop();
        }
      }
    }
  }
  const sampleSeconds = (performance.now() - t0) / 1000;
  const out = new Map<Norm, { samples: number; ascent: number; seconds: number }>();
  for (const p of norms) {
    const t1 = performance.now();
    const starts = top.get(p)!.filter((w) => interiorMargin(net, w.x) > 1e-10).slice(0, REFERENCE_CLIMBS);
    let best = starts[0];
    for (const start of starts) {
      const end = climbNorm(net, { norm: p, box }, start, { exact: engine, rank: engine }, new Budget(Infinity)).witness;
      if (end.value > best.value) best = end;
    }
    const checked = witnessAt(net, best.x, p).value;
    out.set(p, { samples: starts[0].value, ascent: checked, seconds: sampleSeconds + (performance.now() - t1) / 1000 });
  }
  return out;
}

const f = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
console.log(`lower bounds at d = 784: the ascent in ${SECONDS} s against the reference (best of ${REFERENCE_SAMPLES} random points + ascent from the best ${REFERENCE_CLIMBS}) and today's lowerBound; machine load inflates every time`);
console.log(['net', 'domain', 'p', 'ascent (s, climbs)', 'reference: samples → +ascent (s)', 'ascent/ref', `lowerBound --time-limit ${SECONDS} (real s)`].join(' | '));
for (const { name, net } of nets) {
  for (const box of [...(domains.includes('global') ? [null] : []), ...(domains.includes('box') ? [boxAround(net)] : [])]) {
    const domain = box ? 'ℓ∞ box r = 0.1' : 'global';
    const refs: Reference = skipReference ? new Map(norms.map((p) => [p, { samples: NaN, ascent: NaN, seconds: NaN }])) : cachedReference(name, net, box);
    for (const p of norms) {
      const query: LipschitzQuery = { norm: p, box };
      const ours = ascentLowerBound(net, query, { budget: new Budget(SECONDS), seed: 1 });
      const ref = refs.get(p)!;
      const best = Math.max(ref.samples, ref.ascent);
      let today = '(skipped)';
      if (!skipToday) {
        const t = performance.now();
        const r = lowerBound(net, query, { timeLimit: SECONDS, seed: 1 });
        today = `${f(r.witness.value)} (${((performance.now() - t) / 1000).toFixed(0)} s)`;
      }
      console.log([name, domain, p, `${f(ours.witness.value)} (${ours.seconds.toFixed(1)} s, ${ours.climbs})`, `${f(ref.samples)} → ${f(ref.ascent)} (${ref.seconds.toFixed(0)} s)`, (ours.witness.value / best).toFixed(4), today].join(' | '));
    }
  }
}
process.exit(0); // the gradient pool's workers never keep the process alive, but be explicit
