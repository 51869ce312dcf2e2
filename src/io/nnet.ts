import { InputError } from '../errors.js';
import { FORMAT_LIMITS } from '../network/format.js';
import { makeNetwork, type DenseLayer, type Network } from '../network/network.js';

/**
 * The NNet text format of the ACAS Xu networks (spec: README of github.com/sisl/NNet, "File format
 * of .nnet"). After header lines starting with `//`, one line each: `numLayers,inputSize,outputSize,
 * maxLayerSize`; the numLayers + 1 layer sizes (input first); a legacy flag (ignored); the input
 * minimums; the input maximums; the means (inputs, then one for all outputs); the ranges (likewise);
 * then, per layer, one line per weight row and one line per bias entry. Values end with a comma.
 *
 * The file's network is y = r_out · N((clip(x, min, max) − μ) / r) + μ_out, with N the ReLU network
 * of its layers. lipcheck reads it as the folded network f of the RAW input, with the clipping kept
 * beside it rather than in it: the normalisation is folded into the first layer, W₀' = W₀·diag(1/r),
 * b₀' = b₀ − W₀·(μ/r), and the output scaling into the last, W_L' = r_out·W_L,
 * b_L' = r_out·b_L + μ_out; the box goes into `meta.inputBox` and `meta.clipsInputs` is true. The
 * file's function is f∘clip: it equals f on the box. Because coordinatewise clipping is 1-Lipschitz
 * in every ℓp norm and is the identity on the box, its global constant equals f's constant on the
 * box, for every p — the CLI measures there (src/cli/clipping.ts) and `eval` clips.
 */

/** What the file said besides the layers, kept in `meta.importedFrom`. */
export interface NnetNormalisation {
  readonly inputMinimums: number[];
  readonly inputMaximums: number[];
  readonly inputMeans: number[];
  readonly inputRanges: number[];
  readonly outputMean: number;
  readonly outputRange: number;
}

class LineError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The non-comment lines of the file, with their 1-based line numbers. */
function dataLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let header = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (header && (t.startsWith('//') || t === '')) return;
    header = false;
    if (t !== '') out.push({ text: t, line: i + 1 });
  });
  return out;
}

/** The comma-separated values of a line (a trailing comma is allowed). */
function values(entry: { text: string; line: number }, what: string): number[] {
  const parts = entry.text.split(',').map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => {
    if (!NUMBER.test(p)) {
      throw new LineError(entry.line, `${what}: entry ${i + 1} (${JSON.stringify(p.length > 20 ? p.slice(0, 20) + '…' : p)}) is not a finite number`);
    }
    const v = Number(p);
    if (!Number.isFinite(v)) throw new LineError(entry.line, `${what}: entry ${i + 1} (${p}) is not a finite number`);
    return v;
  });
}

function expectCount(list: number[], n: number, line: number, what: string): number[] {
  if (list.length !== n) throw new LineError(line, `${what}: expected ${n} values, got ${list.length}`);
  return list;
}

function integers(list: number[], line: number, what: string): number[] {
  list.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1) throw new LineError(line, `${what}: entry ${i + 1} (${v}) is not a positive integer`);
  });
  return list;
}

/**
 * True when the text is NNet: its first line that is neither blank nor a `//` comment holds four
 * comma-separated integers. Guarantees the format is worth parsing, not that it parses.
 */
export function looksLikeNnet(text: string): boolean {
  const first = dataLines(text.slice(0, 64 * 1024))[0];
  return first !== undefined && /^\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,?$/.test(first.text);
}

function parse(text: string): { inputDim: number; layers: DenseLayer[]; norm: NnetNormalisation; comments: string[] } {
  const lines = dataLines(text);
  let next = 0;
  const take = (what: string): { text: string; line: number } => {
    const entry = lines[next++];
    if (!entry) throw new LineError(lines[lines.length - 1]?.line ?? 1, `the file ends early: missing ${what}`);
    return entry;
  };
  const head = take('the header line');
  const [numLayers, inputSize, outputSize] = integers(expectCount(values(head, 'header'), 4, head.line, 'header (numLayers,inputSize,outputSize,maxLayerSize)'), head.line, 'header');
  if (numLayers > FORMAT_LIMITS.maxLayers) throw new LineError(head.line, `${numLayers} layers exceed the limit of ${FORMAT_LIMITS.maxLayers}`);
  if (inputSize > FORMAT_LIMITS.maxInputDim) throw new LineError(head.line, `input size ${inputSize} exceeds the limit of ${FORMAT_LIMITS.maxInputDim}`);
  const sizesLine = take('the layer sizes');
  const sizes = integers(expectCount(values(sizesLine, 'layer sizes'), numLayers + 1, sizesLine.line, 'layer sizes'), sizesLine.line, 'layer sizes');
  if (sizes[0] !== inputSize) throw new LineError(sizesLine.line, `layer sizes: the first size ${sizes[0]} is not the input size ${inputSize}`);
  if (sizes[numLayers] !== outputSize) throw new LineError(sizesLine.line, `layer sizes: the last size ${sizes[numLayers]} is not the output size ${outputSize}`);
  const big = sizes.find((s) => s > FORMAT_LIMITS.maxWidth);
  if (big !== undefined) throw new LineError(sizesLine.line, `layer sizes: ${big} exceeds the limit of ${FORMAT_LIMITS.maxWidth}`);
  let parameters = 0;
  for (let l = 0; l < numLayers; l++) parameters += sizes[l + 1] * (sizes[l] + 1);
  if (parameters > FORMAT_LIMITS.maxParameters) throw new LineError(sizesLine.line, `the network exceeds the limit of ${FORMAT_LIMITS.maxParameters} parameters`);
  take('the flag line');
  const row = (what: string, n: number): number[] => {
    const entry = take(what);
    return expectCount(values(entry, what), n, entry.line, what);
  };
  const mins = row('input minimums', inputSize);
  const maxLine = lines[next]?.line ?? 0;
  const maxs = row('input maximums', inputSize);
  maxs.forEach((m, i) => {
    if (m < mins[i]) throw new LineError(maxLine, `input maximums: entry ${i + 1} (${m}) is below the minimum ${mins[i]}`);
  });
  const means = row('means (inputs, then output)', inputSize + 1);
  const rangeLine = lines[next]?.line ?? 0;
  const ranges = row('ranges (inputs, then output)', inputSize + 1);
  ranges.forEach((r, i) => {
    if (r === 0) throw new LineError(rangeLine, `ranges: entry ${i + 1} is 0 (the normalisation divides by it)`);
  });
  const layers: DenseLayer[] = [];
  for (let l = 0; l < numLayers; l++) {
    const inDim = sizes[l];
    const outDim = sizes[l + 1];
    const weights = new Float64Array(outDim * inDim);
    for (let i = 0; i < outDim; i++) weights.set(row(`layer ${l + 1} weight row ${i + 1}`, inDim), i * inDim);
    const biases = new Float64Array(outDim);
    for (let i = 0; i < outDim; i++) biases[i] = row(`layer ${l + 1} bias ${i + 1}`, 1)[0];
    layers.push({ inDim, outDim, weights, biases });
  }
  if (next < lines.length) throw new LineError(lines[next].line, 'unexpected content after the last layer');
  const comments = text.split(/\r?\n/).filter((l) => l.trim().startsWith('//')).map((l) => l.trim().slice(2).trim());
  const norm: NnetNormalisation = {
    inputMinimums: mins,
    inputMaximums: maxs,
    inputMeans: means.slice(0, inputSize),
    inputRanges: ranges.slice(0, inputSize),
    outputMean: means[inputSize],
    outputRange: ranges[inputSize],
  };
  return { inputDim: inputSize, layers, norm, comments };
}

/**
 * Folds x_norm = (x − μ)/r into the first layer and y = r_out·y_norm + μ_out into the last; the
 * result computes, on every x inside [min, max], exactly what the NNet file computes (up to rounding).
 */
function foldNnetNormalisation(layers: readonly DenseLayer[], norm: NnetNormalisation): DenseLayer[] {
  const out = layers.map((l) => ({ ...l, weights: l.weights.slice(), biases: l.biases.slice() }));
  const first = out[0];
  for (let i = 0; i < first.outDim; i++) {
    let shift = 0;
    for (let j = 0; j < first.inDim; j++) {
      const w = first.weights[i * first.inDim + j];
      shift += (w * norm.inputMeans[j]) / norm.inputRanges[j];
      first.weights[i * first.inDim + j] = w / norm.inputRanges[j];
    }
    first.biases[i] -= shift;
  }
  const last = out[out.length - 1];
  for (let i = 0; i < last.weights.length; i++) last.weights[i] *= norm.outputRange;
  for (let i = 0; i < last.outDim; i++) last.biases[i] = last.biases[i] * norm.outputRange + norm.outputMean;
  return out;
}

/**
 * Reads NNet text into the folded `Network` f of the raw (unnormalised) input, with
 * `meta.inputBox` = [[min₁, max₁], …] and `meta.clipsInputs` = true: the file's function is
 * f(clip(x)), equal to f on the box. Every problem is a one-line `InputError`
 * `<source>: line <n>: <problem>`.
 */
export function parseNnet(text: string, source: string): Network {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    if (err instanceof LineError) throw new InputError(source, `NNet: line ${err.line}: ${err.message}`);
    throw err;
  }
  const { inputDim, layers, norm, comments } = parsed;
  return makeNetwork(inputDim, foldNnetNormalisation(layers, norm), {
    inputBox: norm.inputMinimums.map((lo, i) => [lo, norm.inputMaximums[i]]),
    clipsInputs: true,
    importedFrom: {
      format: 'nnet',
      header: comments.slice(0, 5).join(' | '),
      ...norm,
      folded:
        'input normalisation x_norm = (x − mean)/range folded into layer 0 (W0·diag(1/range), b0 − W0·(mean/range)); ' +
        'output scaling y = range_out·y_norm + mean_out folded into the last layer; the NNet function clips every input to inputBox ' +
        '(clipsInputs), so it is this network of clip(x): equal to it on inputBox, and its global constant is this network\'s constant on inputBox',
    },
  });
}
