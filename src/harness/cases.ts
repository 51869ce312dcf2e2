import type { Norm } from '../linalg/norms.js';
import { networkFromJson, toReluMlp } from '../network/format.js';
import { hiddenLayerCount, outputDim, type Network } from '../network/network.js';
import { sampleNetwork } from '../network/sample.js';
import { outputTransformations, standardTransformations } from '../network/transform.js';
import { biasLawNames, makeBiasLaw, parseBiasLaw } from '../random/biasLaws.js';
import { createStream, type RandomStream } from '../random/stream.js';
import { bandFor, type BandKind } from '../theory/bands.js';
import { boxFromPairs, boxToPairs, type Box } from '../lipschitz/query.js';
import type { Request } from './protocol.js';
import { shapeCases } from './shapeCheck.js';

/** One conformance case: a request plus what lipcheck knows about how it was made. */
export interface ConformanceCase {
  readonly id: number;
  readonly network: Network;
  readonly norm: Norm;
  readonly box: Box | null;
  /** 'tiny' cases get lipcheck's exact value; 'large' ones its certified bracket. */
  readonly size: 'tiny' | 'large';
  /** A metamorphic copy: Lip(this) = factor · Lip(case `base`). */
  readonly family: { readonly base: number; readonly transformation: string; readonly factor: number } | null;
  /** The theorem band that speaks about this He-random network, if any. */
  readonly band: BandKind | null;
  /** One of the shape check's He-random networks over a range of d (harness/shapeCheck.ts). */
  readonly shape?: boolean;
  readonly description: string;
}

export interface CaseOptions {
  readonly seed: number;
  /** Base networks (each may bring transformed copies). Default 24. */
  readonly runs?: number;
  /** Norms to draw from (default all three). */
  readonly norms?: readonly Norm[];
  /** Which domains: global constants, local (box) constants, or both (default). */
  readonly domains?: 'both' | 'global' | 'local';
  /** Only every n-th base network, offset i − 1 (families stay together). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Add the shape check's networks (default true; they need p = 2, global, and go to shard 1). */
  readonly shape?: boolean;
}

const SYMMETRIC = biasLawNames({ symmetricOnly: true });

function pick<T>(s: RandomStream, xs: readonly T[]): T {
  return xs[Math.floor(s.uniform() * xs.length)];
}

function int(s: RandomStream, lo: number, hi: number): number {
  return lo + Math.floor(s.uniform() * (hi - lo + 1));
}

/** A box around a random point, of random width (some small enough to hold a single region). */
function randomBox(s: RandomStream, d: number): Box {
  const width = pick(s, [0.05, 0.3, 1, 3]);
  return boxFromPairs(Array.from({ length: d }, () => {
    const c = s.gaussian();
    return [c - width / 2, c + width / 2] as [number, number];
  }), d);
}

/**
 * The case mix, deterministic from the seed: tiny networks where lipcheck is exact (d = 1–3,
 * depth 1–3, every symmetric bias law, zero biases included, one or two outputs), larger ones where
 * it brackets, He-random networks of the theorems' model (band cases), local and global domains;
 * every third base network brings two transformed copies with known factors.
 */
export function generateCases(options: CaseOptions): ConformanceCase[] {
  const runs = options.runs ?? 24;
  const norms = options.norms ?? ['2', '1', 'inf'];
  const domains = options.domains ?? 'both';
  const out: ConformanceCase[] = [];
  for (let i = 0; i < runs; i++) {
    if (options.shard && i % options.shard.count !== options.shard.index - 1) continue;
    const s = createStream(options.seed, `conformance/case/${i}`);
    const kind = ['tiny', 'tiny', 'band', 'large'][i % 4] as 'tiny' | 'band' | 'large';
    const norm = norms[Math.floor(s.uniform() * norms.length)];
    let local = domains === 'local' ? true : domains === 'global' ? false : s.uniform() < 0.35;
    let net: Network;
    let bias: string;
    if (kind === 'tiny') {
      bias = SYMMETRIC[i % SYMMETRIC.length];
      const d = int(s, 1, 3);
      const widths = Array.from({ length: int(s, 1, 3) }, () => int(s, 2, 7));
      net = sampleNetwork({ inputDim: d, widths, bias: makeBiasLaw(bias), weights: 'he-fanout', seed: `${options.seed}:${i}`, outputs: s.uniform() < 0.3 ? 2 : 1 });
    } else if (kind === 'band') {
      bias = pick(s, SYMMETRIC.filter((b) => b !== 'zero'));
      // Widths over a wide range, so an upper bound's growth with N (√N when pattern-agnostic) shows.
      const d = int(s, 2, 3);
      net = sampleNetwork({ inputDim: d, widths: [[8, 16, 32, 64, 128][Math.floor(i / 4) % 5]], bias: makeBiasLaw(bias), weights: 'he-fanout', seed: `${options.seed}:${i}` });
      local = domains === 'local';
    } else {
      bias = pick(s, ['normal:1', 'uniform:1', 'laplace:1']);
      const d = int(s, 4, 8);
      const widths = s.uniform() < 0.5 ? [pick(s, [32, 64])] : [24, 24];
      net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights: 'he-fanout', seed: `${options.seed}:${i}`, outputs: s.uniform() < 0.2 ? 3 : 1 });
    }
    const box = local ? randomBox(s, net.inputDim) : null;
    const band = kind === 'band' && box === null ? bandFor(norm, hiddenLayerCount(net), outputDim(net)) : null;
    const size = kind === 'large' ? 'large' : 'tiny';
    const base: ConformanceCase = {
      id: out.length,
      network: net,
      norm,
      box,
      size,
      family: null,
      band,
      description: `${size === 'tiny' ? 'tiny' : 'large'} ${kind === 'band' ? 'He-random ' : ''}net d=${net.inputDim} ${net.layers.map((l) => l.outDim).join('→')} bias ${bias}, p=${norm}, ${box ? 'box' : 'global'}`,
    };
    out.push(base);
    if (i % 3 === 0) {
      const transforms = standardTransformations(net, createStream(options.seed, `conformance/transform/${i}`)).filter(
        (t) => t.norms.includes(norm) && (box === null || t.mapBox !== null),
      );
      for (let j = 0; j < 2 && transforms.length > 0; j++) {
        const t = transforms.splice(Math.floor(s.uniform() * transforms.length), 1)[0];
        out.push({
          id: out.length,
          network: t.net,
          norm,
          box: box && t.mapBox ? t.mapBox(box) : null,
          size,
          family: { base: base.id, transformation: t.name, factor: t.factor },
          band: null,
          description: `${t.name} of case ${base.id}`,
        });
      }
    }
  }
  const shape = (options.shape ?? true) && norms.includes('2') && domains !== 'local' && (options.shard?.index ?? 1) === 1;
  if (shape) out.push(...shapeCases(options.seed, out.length));
  return out;
}

/** The protocol request of a case. */
export function requestOf(c: ConformanceCase): Request {
  return { id: c.id, network: toReluMlp(c.network), norm: c.norm, box: boxToPairs(c.box) };
}

/** One line of a saved-cases file: the request plus the case's metadata, replayable with --cases. */
export function caseToLine(c: ConformanceCase): string {
  return JSON.stringify({ ...requestOf(c), meta: { size: c.size, family: c.family, band: c.band, description: c.description, ...(c.shape ? { shape: true } : {}) } });
}

/** Reads a saved-cases file (JSON Lines from caseToLine, or bare requests); `source` names it in errors. */
export function casesFromLines(text: string, source: string): ConformanceCase[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, n) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      throw new Error(`${source}: line ${n + 1}: not JSON`);
    }
    const network = networkFromJson(o.network, `${source}: line ${n + 1}: network`);
    const norm = String(o.norm ?? '2');
    if (!['1', '2', 'inf'].includes(norm)) throw new Error(`${source}: line ${n + 1}: norm must be "2", "1" or "inf"`);
    const box = Array.isArray(o.box) ? boxFromPairs(o.box as [number, number][], network.inputDim, `${source}: line ${n + 1}: box`) : null;
    const meta = (o.meta ?? {}) as Partial<ConformanceCase>;
    return {
      id: Number.isInteger(o.id) ? (o.id as number) : n,
      network,
      norm: norm as Norm,
      box,
      size: meta.size === 'large' ? 'large' : 'tiny',
      family: meta.family ?? null,
      band: meta.band ?? null,
      description: meta.description ?? `case ${n + 1} of ${source}`,
      ...(meta.shape === true ? { shape: true } : {}),
    };
  });
}

/**
 * Cases built from one user network (`--cases model.onnx`): the global constant and a local one in
 * every requested norm, each with two transformed copies (the output scaled, the output bias
 * shifted: cheap at any size). The local box is the network's input box
 * when it carries one (NNet imports), else [−1, 1]ᵈ. Sizes follow what lipcheck can do exactly.
 */
export function casesFromNetwork(net: Network, options: { seed: number; norms?: readonly Norm[]; domains?: 'both' | 'global' | 'local'; exactFeasible: (net: Network, norm: Norm, box: Box | null) => boolean }): ConformanceCase[] {
  const norms = options.norms ?? ['2', '1', 'inf'];
  const domains = options.domains ?? 'both';
  const metaBox = net.meta?.inputBox;
  const box = Array.isArray(metaBox) && metaBox.length === net.inputDim ? boxFromPairs(metaBox as [number, number][], net.inputDim) : boxFromPairs(Array.from({ length: net.inputDim }, () => [-1, 1] as [number, number]), net.inputDim);
  const out: ConformanceCase[] = [];
  for (const norm of norms) {
    for (const b of domains === 'global' ? [null] : domains === 'local' ? [box] : [null, box]) {
      const size = options.exactFeasible(net, norm, b) ? 'tiny' : 'large';
      const base: ConformanceCase = { id: out.length, network: net, norm, box: b, size, family: null, band: null, description: `the given network, p=${norm}, ${b ? 'box' : 'global'}` };
      out.push(base);
      // The two output transformations only (the first two standard ones, the same draws): cheap at any size.
      for (const t of outputTransformations(net, createStream(options.seed, `conformance/given/${out.length}`))) {
        out.push({ id: out.length, network: t.net, norm, box: b && t.mapBox ? t.mapBox(b) : null, size, family: { base: base.id, transformation: t.name, factor: t.factor }, band: null, description: `${t.name} of case ${base.id}` });
      }
    }
  }
  return out;
}
