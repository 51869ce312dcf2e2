import { Command } from 'commander';
import { readNetworkFile } from '../../io/readNetwork.js';
import { ALPHA, networkInfo, type NetworkInfo } from '../../network/info.js';
import type { Network } from '../../network/network.js';
import { fmt, fmtVector, printJson, type CliIo } from '../io.js';
import { NORMS, type Norm } from '../../linalg/norms.js';
import { Budget } from '../../lipschitz/budget.js';
import { sdpSetupFlops, secondsFor } from '../../lipschitz/costs.js';
import { boundedNormProduct } from '../../lipschitz/upper/operatorNorms.js';
import { eclipseFastBound, lipSdpBound } from '../../lipschitz/upper/sdp/index.js';
import { positiveNumber } from '../options.js';
import { boxArgument, clippingBox, describeBox, inputBoxOf } from '../clipping.js';


function pValue(p: number | null): string {
  return p === null ? 'n/a' : p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : fmt(p, 2);
}

/** A list of numbers from the meta, for people (see fmtVector). */
function list(value: unknown): string {
  return fmtVector(Array.isArray(value) ? (value as number[]) : []);
}

function sourceLines(net: Network): string[] {
  const from = net.meta?.importedFrom as Record<string, unknown> | undefined;
  const lines: string[] = [];
  if (from?.format === 'onnx') {
    lines.push(
      `ONNX from ${from.producer} (opset ${from.opset ?? '?'}): input '${from.input}' ${from.inputShape} → output '${from.output}' ${from.outputShape}; ` +
        (from.weightType === 'float64' ? 'float64 weights, read as they are' : `${from.weightType} weights, widened exactly to float64 (lipcheck computes in float64)`),
    );
  } else if (from?.format === 'nnet') {
    lines.push(
      `NNet${from.header ? ` ("${from.header}")` : ''}; normalisation folded in: layer 0 became W0·diag(1/range) and b0 − W0·(mean/range) ` +
        `with mean = ${list(from.inputMeans)}, range = ${list(from.inputRanges)}; the last layer ×${fmt(Number(from.outputRange))} then +${fmt(Number(from.outputMean))} (the output range and mean)`,
    );
  } else if (net.meta !== undefined) {
    const text = JSON.stringify(net.meta);
    lines.push(`relu-mlp; meta ${text.length > 160 ? text.slice(0, 157) + '...' : text}`);
  } else {
    lines.push('relu-mlp');
  }
  const box = inputBoxOf(net);
  if (box && clippingBox(net)) {
    lines.push(
      `the network clips every input to its input box ${describeBox(box)} (meta.clipsInputs): lipcheck keeps the ` +
        `network of the raw input, equal to it on the box; eval clips, and exact, bounds and verify measure on the box (its global constant, ` +
        `since clipping is 1-Lipschitz in every p), or on --box ∩ the box`,
    );
  } else if (box) {
    lines.push(`meta.inputBox names an input box (the network does not clip, no meta.clipsInputs): add ${boxArgument(box)} to measure there`);
  }
  return lines;
}

/** Certified global bounds on Lip₂ from LipSDP's family (null: not computed — no hidden layer, or no time). */
interface SdpInfo {
  readonly eclipseFast: number | null;
  readonly lipSdp: number | null;
  readonly seconds: number;
  /** Steps left out to keep --time-limit. */
  readonly skipped: readonly string[];
}

/**
 * The norm products with each proven spectral norm that would not fit replaced by a cheaper sound bound, then
 * ECLipsE-Fast (milliseconds) and LipSDP-Neuron in most of what remains, each skipped when its
 * set-up would not fit (see budget.ts).
 */
function boundsWithin(net: Network, budget: Budget): { normProducts: Record<Norm, number>; sdp: SdpInfo } {
  // p = 1 and ∞ are single passes; p = 2 proves each layer's spectral norm, in most of the time if need be.
  const normProducts = Object.fromEntries(NORMS.map((p) => [p, boundedNormProduct(net, p, budget.share(p === '2' ? 0.7 : 0)).value])) as Record<Norm, number>;
  const t0 = performance.now();
  let eclipseFast: number | null = null;
  let lipSdp: number | null = null;
  if (net.layers.length > 1) {
    if (budget.fits(secondsFor(sdpSetupFlops(net)))) eclipseFast = eclipseFastBound(net, null);
    else budget.skip('ECLipsE-Fast (its set-up would not fit)');
    if (budget.fits(2 * secondsFor(sdpSetupFlops(net)))) {
      const r = lipSdpBound(net, null, { budget: budget.share(0.9) });
      lipSdp = r?.upper ?? null;
      if (r?.stoppedBy === 'time') budget.skip('LipSDP (cut short: the bound is the best proven so far)');
    } else budget.skip('LipSDP (its set-up would not fit)');
  }
  return { normProducts, sdp: { eclipseFast, lipSdp, seconds: (performance.now() - t0) / 1000, skipped: budget.skipped } };
}

function printHuman(io: CliIo, file: string, net: Network, info: NetworkInfo, sdp: SdpInfo): void {
  const out = (label: string, text: string) => io.out(`${label.padEnd(13)}${text}\n`);
  out('file', file);
  sourceLines(net).forEach((l, i) => out(i === 0 ? 'source' : '', l));
  const N = info.widths.length ? `, widths ${info.widths.join(',')}` : '';
  out('architecture', `${info.architecture}: d = ${info.inputDim}, L = ${info.hiddenLayers} hidden layer(s)${N}, k = ${info.outputs} output(s)`);
  out('parameters', `${info.parameters} (${info.neurons} hidden neurons)`);
  out('weights', 'layer  shape       mean         E w²         vs law: ratio (chi-square p)');
  for (const l of info.layers) {
    const laws = l.laws.map((c) => `${c.law === 'standard' ? 'N(0,1)' : c.law === 'he-fanout' ? '2/N_out' : '2/N_in'} ${fmt(c.ratio, 3)} (${pValue(c.chiSquareP)})`).join(', ');
    out('', `${String(l.index).padEnd(6)} ${`${l.outDim}×${l.inDim}`.padEnd(11)} ${fmt(l.weightMean, 4).padEnd(12)} ${fmt(l.weightVariance, 4).padEnd(12)} ${laws}${l.role === 'output' ? '  (output)' : ''}`);
  }
  const b = info.biases;
  if (b.n === 0) out('biases', 'no hidden layer, so no hidden biases');
  else {
    out('biases', `hidden layers pooled, n = ${b.n}: mean ${fmt(b.mean, 4)}, sd ${fmt(b.sd, 4)}, skewness ${b.skewness === null ? 'n/a' : fmt(b.skewness, 3)}; ${b.positive} positive, ${b.negative} negative, ${b.zeros} zero`);
    out('', `exact sign test (H0: median 0) p = ${pValue(b.signTestP)}; Wilcoxon signed-rank test (H0: symmetric about 0) p = ${pValue(b.signedRankP)}; KS-type symmetry test (H0: symmetric about 0) p = ${pValue(b.symmetryP)}`);
    out('', b.symmetric ? `consistent with a law symmetric about 0 (no test rejects at ${ALPHA})` : `not symmetric about 0 (a test rejects at ${ALPHA})`);
  }
  const prod = info.operatorNormProduct;
  out('norm product', `∏‖W_ℓ‖_p→p, a certified upper bound on Lip_p (rounded up)${info.hiddenLayers === 0 ? ' (exact here)' : ''}: p=2 ${fmt(prod['2'])}, p=1 ${fmt(prod['1'])}, p=inf ${fmt(prod['inf'])}`);
  if (info.hiddenLayers > 0) {
    const value = (v: number | null) => (v === null ? 'not computed' : fmt(v));
    out('SDP bound', `certified upper bounds on Lip_2 (global, proven in floating point): ECLipsE-Fast ${value(sdp.eclipseFast)}, LipSDP-Neuron ${value(sdp.lipSdp)} (${fmt(sdp.seconds, 2)} s)`);
    if (sdp.skipped.length > 0) out('', `left out or cut short to keep --time-limit: ${sdp.skipped.join('; ')}`);
  }
  const t = info.theorem;
  if (t.kind === 'none') {
    out('theorem', 'none of the random-network theorems applies:');
    for (const r of t.reasons) out('', `- ${r}`);
  } else {
    out('theorem', `${t.kind} (L = ${info.hiddenLayers}${t.kind === 'deep' ? `, N = ${Math.max(...info.widths)} the largest width` : ''}): ${t.band}`);
    if (t.calibrated) {
      out('', `here ${fmt(t.calibrated.lower, 4)} ≤ Lip_2 ≤ ${fmt(t.calibrated.upper, 4)} with high probability for a random draw (c = ${fmt(t.calibrated.c, 3)}, C = ${fmt(t.calibrated.C, 3)}, calibrated on ${t.calibrated.draws} networks)`);
    } else {
      out('', `here c·${fmt(t.lowerScale!, 4)} ≤ Lip_2 ≤ C·${fmt(t.upperScale!, 4)} with absolute constants c, C (no calibration file), with high probability for a random draw`);
    }
  }
}

/** `lipcheck info FILE [--json]`: architecture, weight and bias statistics, norm product, theorem band. */
export function infoCommand(io: CliIo): Command {
  return new Command('info')
    .description('describe a network: architecture, weights against the He laws, bias symmetry, norm product and SDP bounds, applicable theorem')
    .argument('<file>', 'network file (relu-mlp JSON, ONNX or NNet); - reads stdin')
    .option('--time-limit <s>', 'seconds for the norm products and the SDP bounds', positiveNumber('--time-limit'), 5)
    .option('--json', 'print one JSON object')
    .action((file: string, opts: { json?: boolean; timeLimit: number }) => {
      const net = readNetworkFile(file);
      const { normProducts, sdp } = boundsWithin(net, new Budget(opts.timeLimit, Infinity, { origin: io.startedAt }));
      const info = networkInfo(net, normProducts);
      if (opts.json) {
        const box = inputBoxOf(net);
        printJson(io, { file, ...info, sdpBound: sdp, source: net.meta?.importedFrom ?? null, inputBox: box, clipsInputs: clippingBox(net) !== null, suggestedBox: box ? boxArgument(box) : null });
        return;
      }
      printHuman(io, file, net, info, sdp);
    });
}
