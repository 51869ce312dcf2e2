import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { parseJsonLenient } from '../io/json.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import { parseNorm } from '../lipschitz/query.js';
import type { Norm } from '../linalg/norms.js';
import { WEIGHT_CONVENTIONS, type WeightConvention } from '../network/sample.js';
import { DEFAULT_EFFORT, type BracketEffort } from '../lipschitz/brackets.js';

/**
 * A study configuration: named groups of cells, each group the Cartesian product of input
 * dimensions, hidden-width lists, bias laws, norms and weight conventions, with a number of random
 * networks (draws) per cell. Every network's seed is derived from the study seed, the cell and the
 * draw, so any row can be recomputed on its own.
 */
export interface StudyGroup {
  readonly name: string;
  readonly inputDims: readonly number[];
  /** Hidden-width lists; an entry `"d"` or `"4d"` is that multiple of the cell's input dimension. */
  readonly widths: readonly (readonly Width[])[];
  readonly biases: readonly string[];
  readonly norms: readonly Norm[];
  readonly weights: readonly WeightConvention[];
  readonly draws: number;
  /** Seconds per network for the exact solver and, failing that, the certified bounds. */
  readonly timeLimit: number;
  /**
   * When set, every network gets its bracket from the standard bracket provider with this effort
   * (counts, not time: rows then depend on the seed alone), exact where its region budget allows;
   * `timeLimit` is then unused.
   */
  readonly brackets?: Partial<BracketEffort>;
}

export interface StudyConfig {
  readonly name: string;
  readonly seed: number;
  readonly groups: readonly StudyGroup[];
}

/** One cell: a group's parameters fixed. */
export interface StudyCell {
  readonly id: string;
  readonly group: string;
  readonly inputDim: number;
  readonly widths: readonly number[];
  readonly bias: string;
  readonly norm: Norm;
  readonly weights: WeightConvention;
  readonly draws: number;
  readonly timeLimit: number;
  readonly brackets?: Partial<BracketEffort>;
}

/** A hidden width: a number of neurons, or a multiple of the input dimension (`"d"`, `"2d"`, …). */
export type Width = number | `${number}d` | 'd';

/** The width in neurons for input dimension d. */
export function resolveWidth(w: Width, d: number): number {
  if (typeof w === 'number') return w;
  return (w === 'd' ? 1 : Number(w.slice(0, -1))) * d;
}

class ConfigError extends Error {}

function fail(path: string, problem: string): never {
  throw new ConfigError(`${path}: ${problem}`);
}

function positiveInts(v: unknown, path: string): number[] {
  if (!Array.isArray(v) || v.length === 0) fail(path, 'expected a non-empty array of positive integers');
  return v.map((x, i) => (Number.isInteger(x) && x > 0 && x <= 100_000 ? (x as number) : fail(`${path}[${i}]`, `expected a positive integer, got ${JSON.stringify(x)}`)));
}

function widthList(v: unknown, path: string): Width[] {
  if (!Array.isArray(v) || v.length === 0) fail(path, 'expected a non-empty array of widths (positive integers, or "d", "2d", … for multiples of the input dimension)');
  return v.map((w, i) =>
    typeof w === 'string' && /^([1-9]\d{0,3})?d$/.test(w) ? (w as Width) : Number.isInteger(w) && w > 0 && w <= 100_000 ? (w as number) : fail(`${path}[${i}]`, `expected a positive integer or "d", "2d", …, got ${JSON.stringify(w)}`),
  );
}

function group(v: unknown, path: string): StudyGroup {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected an object');
  const o = v as Record<string, unknown>;
  const name = typeof o.name === 'string' && /^[A-Za-z0-9_.-]+$/.test(o.name) ? o.name : fail(`${path}.name`, 'expected a name of letters, digits, _ . -');
  const inputDims = positiveInts(o.inputDims, `${path}.inputDims`);
  if (!Array.isArray(o.widths) || o.widths.length === 0) fail(`${path}.widths`, 'expected a non-empty array of width lists, e.g. [[16], [32, 32]]');
  const widths = (o.widths as unknown[]).map((w, i) => widthList(w, `${path}.widths[${i}]`));
  const biases = Array.isArray(o.biases) && o.biases.length > 0 ? (o.biases as unknown[]) : fail(`${path}.biases`, 'expected a non-empty array of bias law specs');
  biases.forEach((b, i) => {
    if (typeof b !== 'string') fail(`${path}.biases[${i}]`, 'expected a bias law spec such as "normal:1"');
    try {
      parseBiasLaw(b);
    } catch (err) {
      fail(`${path}.biases[${i}]`, (err as Error).message);
    }
  });
  const norms = (o.norms === undefined ? ['2'] : Array.isArray(o.norms) ? (o.norms as unknown[]) : fail(`${path}.norms`, 'expected an array such as ["2", "inf"]')).map((n, i) => {
    try {
      return parseNorm(String(n));
    } catch (err) {
      return fail(`${path}.norms[${i}]`, (err as Error).message);
    }
  });
  const weights = (o.weights === undefined ? ['he-fanout'] : Array.isArray(o.weights) ? (o.weights as unknown[]) : fail(`${path}.weights`, 'expected an array of conventions')).map((w, i) =>
    WEIGHT_CONVENTIONS.includes(w as WeightConvention) ? (w as WeightConvention) : fail(`${path}.weights[${i}]`, `expected one of ${WEIGHT_CONVENTIONS.join(', ')}`),
  );
  const draws = Number.isInteger(o.draws) && (o.draws as number) > 0 ? (o.draws as number) : fail(`${path}.draws`, 'expected a positive integer');
  const timeLimit = o.timeLimit === undefined ? 10 : typeof o.timeLimit === 'number' && o.timeLimit > 0 ? o.timeLimit : fail(`${path}.timeLimit`, 'expected a positive number of seconds');
  const brackets = o.brackets === undefined ? undefined : effort(o.brackets, `${path}.brackets`);
  return { name, inputDims, widths, biases: biases as string[], norms, weights, draws, timeLimit, ...(brackets ? { brackets } : {}) };
}

/** A bracket effort: an object whose fields are non-negative integers named like DEFAULT_EFFORT's. */
function effort(v: unknown, path: string): Partial<BracketEffort> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected an object such as {"zonotopeIterations": 8}');
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (!(key in DEFAULT_EFFORT)) fail(`${path}.${key}`, `unknown field; expected one of ${Object.keys(DEFAULT_EFFORT).join(', ')}`);
    if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`${path}.${key}`, `expected a non-negative integer, got ${JSON.stringify(value)}`);
    out[key] = value as number;
  }
  return out as Partial<BracketEffort>;
}

/** Parses and validates a study configuration; every problem is one line naming the file and JSON path. */
export function parseStudyConfig(text: string, source: string): StudyConfig {
  try {
    let doc: unknown;
    try {
      doc = parseJsonLenient(text);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('$', 'expected a study configuration object');
    const o = doc as Record<string, unknown>;
    const name = typeof o.name === 'string' && o.name !== '' ? o.name : fail('name', 'expected a non-empty string');
    const seed = Number.isSafeInteger(o.seed) && (o.seed as number) >= 0 ? (o.seed as number) : fail('seed', 'expected a non-negative integer');
    if (!Array.isArray(o.groups) || o.groups.length === 0) fail('groups', 'expected a non-empty array of groups');
    const groups = (o.groups as unknown[]).map((g, i) => group(g, `groups[${i}]`));
    const names = new Set<string>();
    groups.forEach((g, i) => {
      if (names.has(g.name)) fail(`groups[${i}].name`, `"${g.name}" is used twice`);
      names.add(g.name);
    });
    return { name, seed, groups };
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(source, err.message);
    throw err;
  }
}

/** Every cell of a configuration, in a fixed order. */
export function expandCells(config: StudyConfig): StudyCell[] {
  const cells: StudyCell[] = [];
  for (const g of config.groups) {
    for (const inputDim of g.inputDims) {
      for (const spec of g.widths) {
        const widths = spec.map((w) => resolveWidth(w, inputDim));
        for (const bias of g.biases) {
          for (const norm of g.norms) {
            for (const weights of g.weights) {
              const id = `${g.name}/d${inputDim}/w${widths.join('x')}/${parseBiasLaw(bias).spec}/p${norm}/${weights}`;
              cells.push({ id, group: g.name, inputDim, widths, bias: parseBiasLaw(bias).spec, norm, weights, draws: g.draws, timeLimit: g.timeLimit, ...(g.brackets ? { brackets: g.brackets } : {}) });
            }
          }
        }
      }
    }
  }
  return cells;
}

/** A short fingerprint of what a cell computes (so a resumed run never mixes in stale results). */
export function cellFingerprint(config: StudyConfig, cell: StudyCell): string {
  return createHash('sha256').update(JSON.stringify({ seed: config.seed, cell, version: 1 })).digest('hex').slice(0, 16);
}
