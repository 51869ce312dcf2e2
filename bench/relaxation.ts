/**
 * ℓ∞, ℓ1 (and ℓ2) upper bounds at d = 784 (issue 15, item 4): the product of operator norms, the
 * interval Jacobian bound on interval pre-activation bounds (today's `interval-jacobian`), and the
 * relaxed (gated-chain) Jacobian bound on CROWN pre-activation bounds — value and time of each, on
 * 784→256→256→10 and 784→1024→1024→10 nets of the papers' model (He fan-out weights, normal(0, 1)
 * biases), on ℓ∞ balls of radius 0.01, 0.05, 0.1, 0.3 around a random point x₀ ~ N(0, I) (a
 * robustness query) and globally. The lower column is the best of 256 sampled Jacobian norms in the
 * domain (a certified lower bound, for scale). Measured, never asserted.
 * Run: npm run bench:relax   (several minutes on two cores, most of it the SVDs of ∏‖W‖₂ at width
 * 1024; LIPCHECK_BENCH_NORMS=inf,1 and LIPCHECK_BENCH_WIDTHS=256 narrow the run)
 */
import { timed } from '../src/lipschitz/budget.js';
import { queryDomain } from '../src/lipschitz/domain.js';
import { bestOfSamples } from '../src/lipschitz/lower/sampling.js';
import type { Box } from '../src/lipschitz/query.js';
import { intervalJacobianBound, neuronStates, preActivationBounds, type PreActivationBounds } from '../src/lipschitz/upper/intervals.js';
import { relaxedJacobianBound } from '../src/lipschitz/upper/jacobianRelaxation.js';
import { linearPreActivationBounds } from '../src/lipschitz/upper/linearBounds.js';
import { operatorNormProduct } from '../src/lipschitz/upper/operatorNorms.js';
import type { Norm } from '../src/linalg/norms.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';
import { createStream } from '../src/random/stream.js';

const d = 784;
const norms: Norm[] = (process.env.LIPCHECK_BENCH_NORMS ?? 'inf,1,2').split(',') as Norm[];
const widthList = (process.env.LIPCHECK_BENCH_WIDTHS ?? '256,1024').split(',').map(Number);
const radii: (number | null)[] = [0.01, 0.05, 0.1, 0.3, null];

const fmt = (v: number) => (v >= 1e5 ? v.toExponential(3) : v.toPrecision(4));
const unstable = (b: PreActivationBounds) => neuronStates(b).map((s) => `${Math.round((100 * s.filter((v) => v === -1).length) / s.length)}%`).join('/');

console.log('net            domain   norm  lower     product (s)        interval-jacobian (s)  relaxed (pre s + jac s)         unstable ibp → crown   relaxed/interval');
for (const N of widthList) {
  const net = sampleNetwork({ inputDim: d, widths: [N, N], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1, outputs: 10 });
  const s = createStream(1, 'bench-relaxation');
  const x0 = Float64Array.from({ length: d }, () => s.gaussian());
  for (const radius of radii) {
    const box: Box | null = radius === null ? null : { lo: x0.map((v) => v - radius), hi: x0.map((v) => v + radius) };
    const domain = queryDomain(net, box);
    const [ibp, tIbp] = timed(() => preActivationBounds(net, domain));
    const [crown, tCrown] = timed(() => linearPreActivationBounds(net, domain, { intervals: ibp }));
    for (const p of norms) {
      const [product, tProduct] = timed(() => operatorNormProduct(net, p));
      const [interval, tInterval] = timed(() => intervalJacobianBound(net, domain, p, ibp));
      const [relaxed, tRelaxed] = timed(() => relaxedJacobianBound(net, domain, p, { preBounds: crown }));
      const lower = bestOfSamples(net, { norm: p, box }, 256, 1);
      console.log(
        [
          `784→${N}→${N}→10`.padEnd(15),
          (radius === null ? 'global' : `r=${radius}`).padEnd(8),
          p.padEnd(5),
          fmt(lower).padEnd(9),
          `${fmt(product)} (${tProduct.toFixed(3)})`.padEnd(18),
          `${fmt(interval.value)} (${(tIbp + tInterval).toFixed(2)})`.padEnd(22),
          `${fmt(relaxed.value)} (${tCrown.toFixed(2)} + ${tRelaxed.toFixed(2)})`.padEnd(31),
          `${unstable(ibp)} → ${unstable(crown)}`.padEnd(22),
          (relaxed.value / interval.value).toFixed(3),
        ].join(' '),
      );
    }
  }
}
