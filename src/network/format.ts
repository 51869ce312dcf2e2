import { NonFiniteToken, parseJsonLenient } from '../io/json.js';
import { InputError } from '../errors.js';
import { makeNetwork, type DenseLayer, type Network, type NetworkMeta } from './network.js';

/**
 * The interchange format relu-mlp v1 (JSON):
 * `{"format": "relu-mlp", "version": 1, "inputDim": d, "layers": [{"weights": [[…]…], "biases": […]}, …], "meta"?: {…}}`.
 * `weights` is outputs × inputs (PyTorch's `nn.Linear.weight`); hidden layers are followed by ReLU,
 * the last layer is affine with k ≥ 1 outputs.
 */
export interface ReluMlpDocument {
  format: 'relu-mlp';
  version: 1;
  inputDim: number;
  layers: { weights: number[][]; biases: number[] }[];
  meta?: Record<string, unknown>;
}

/** Size limits that reading enforces; anything larger is refused as absurd rather than run out of memory. */
export const FORMAT_LIMITS = {
  maxInputDim: 100_000,
  maxWidth: 100_000,
  maxLayers: 1_000,
  maxParameters: 50_000_000,
} as const;

class PathError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}

function describe(value: unknown): string {
  if (value instanceof NonFiniteToken) return value.text;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function finiteNumber(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof NonFiniteToken) throw new PathError(path, `${value.text} is not a finite number`);
  if (typeof value === 'string' && /^\s*[+-]?(nan|inf|infinity)\s*$/i.test(value)) {
    throw new PathError(path, `${JSON.stringify(value)} is not a finite number`);
  }
  throw new PathError(path, `expected a finite number, got ${describe(value)}`);
}

function positiveInteger(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new PathError(path, `expected an integer, got ${describe(value)}`);
  if (value < 1) throw new PathError(path, `must be at least 1, got ${value}`);
  if (value > max) throw new PathError(path, `${value} exceeds the limit of ${max}`);
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new PathError(path, `expected an array, got ${describe(value)}`);
  return value;
}

function readLayer(value: unknown, path: string, inDim: number, budget: { left: number }): DenseLayer {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PathError(path, `expected an object with "weights" and "biases", got ${describe(value)}`);
  }
  const obj = value as Record<string, unknown>;
  if (!('weights' in obj)) throw new PathError(`${path}.weights`, 'missing');
  if (!('biases' in obj)) throw new PathError(`${path}.biases`, 'missing');
  const rows = array(obj.weights, `${path}.weights`);
  if (rows.length === 0) throw new PathError(`${path}.weights`, 'has no rows (a layer needs at least one output)');
  if (rows.length > FORMAT_LIMITS.maxWidth) throw new PathError(`${path}.weights`, `${rows.length} rows exceed the limit of ${FORMAT_LIMITS.maxWidth}`);
  budget.left -= rows.length * (inDim + 1);
  if (budget.left < 0) throw new PathError(`${path}.weights`, `the network exceeds the limit of ${FORMAT_LIMITS.maxParameters} parameters`);
  const weights = new Float64Array(rows.length * inDim);
  rows.forEach((r, i) => {
    const rowPath = `${path}.weights[${i}]`;
    const entries = array(r, rowPath);
    if (entries.length !== inDim) {
      throw new PathError(
        rowPath,
        i === 0
          ? `has ${entries.length} entries but the layer's input has ${inDim} (the shapes do not chain)`
          : `has ${entries.length} entries, row 0 has ${inDim} (ragged rows)`,
      );
    }
    const o = i * inDim;
    for (let j = 0; j < inDim; j++) {
      const v = entries[j];
      // The path is built only for a bad entry: a template string per weight dominated reading.
      weights[o + j] = typeof v === 'number' && Number.isFinite(v) ? v : finiteNumber(v, `${rowPath}[${j}]`);
    }
  });
  const biasList = array(obj.biases, `${path}.biases`);
  if (biasList.length !== rows.length) {
    throw new PathError(`${path}.biases`, `has ${biasList.length} entries for ${rows.length} weight rows`);
  }
  const biases = Float64Array.from(biasList, (v, i) => finiteNumber(v, `${path}.biases[${i}]`));
  return { outDim: rows.length, inDim, weights, biases };
}

/** Validates a parsed relu-mlp document; throws a PathError naming the JSON path of the first problem. */
function fromDocument(doc: unknown): Network {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PathError('$', `expected a relu-mlp object, got ${describe(doc)}`);
  }
  const obj = doc as Record<string, unknown>;
  if (obj.format !== 'relu-mlp') throw new PathError('format', `expected "relu-mlp", got ${describe(obj.format)}`);
  if (obj.version !== 1) throw new PathError('version', `expected 1, got ${describe(obj.version)}`);
  const inputDim = positiveInteger(obj.inputDim, 'inputDim', FORMAT_LIMITS.maxInputDim);
  const layerList = array(obj.layers, 'layers');
  if (layerList.length === 0) throw new PathError('layers', 'is empty (a network needs at least its output layer)');
  if (layerList.length > FORMAT_LIMITS.maxLayers) throw new PathError('layers', `${layerList.length} layers exceed the limit of ${FORMAT_LIMITS.maxLayers}`);
  const budget = { left: FORMAT_LIMITS.maxParameters };
  const layers: DenseLayer[] = [];
  let width = inputDim;
  layerList.forEach((l, i) => {
    const layer = readLayer(l, `layers[${i}]`, width, budget);
    layers.push(layer);
    width = layer.outDim;
  });
  let meta: NetworkMeta | undefined;
  if ('meta' in obj && obj.meta !== undefined && obj.meta !== null) {
    if (typeof obj.meta !== 'object' || Array.isArray(obj.meta)) throw new PathError('meta', `expected an object, got ${describe(obj.meta)}`);
    meta = obj.meta as NetworkMeta;
  }
  return makeNetwork(inputDim, layers, meta);
}

/**
 * Reads a relu-mlp v1 network from an already parsed value. `source` names the file in errors:
 * every problem becomes one `InputError` line `<source>: <json path>: <problem>`.
 */
export function networkFromJson(value: unknown, source: string): Network {
  try {
    return fromDocument(value);
  } catch (err) {
    if (err instanceof PathError) throw new InputError(source, err.message);
    throw err;
  }
}

/** Parses relu-mlp v1 text (see `networkFromJson`). */
export function parseReluMlp(text: string, source: string): Network {
  let value: unknown;
  try {
    value = parseJsonLenient(text);
  } catch (err) {
    throw new InputError(source, (err as Error).message);
  }
  return networkFromJson(value, source);
}

/** The relu-mlp v1 document of a network (numbers round-trip exactly through JSON). */
export function toReluMlp(net: Network): ReluMlpDocument {
  const doc: ReluMlpDocument = {
    format: 'relu-mlp',
    version: 1,
    inputDim: net.inputDim,
    layers: net.layers.map((l) => {
      const weights: number[][] = [];
      for (let i = 0; i < l.outDim; i++) weights.push(Array.from(l.weights.subarray(i * l.inDim, (i + 1) * l.inDim)));
      return { weights, biases: Array.from(l.biases) };
    }),
  };
  if (net.meta !== undefined) doc.meta = { ...net.meta };
  return doc;
}

/** relu-mlp v1 text, one line. */
export function stringifyReluMlp(net: Network): string {
  return JSON.stringify(toReluMlp(net));
}
