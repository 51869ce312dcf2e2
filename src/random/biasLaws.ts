import { UserError } from '../errors.js';
import type { RandomStream } from './stream.js';

/**
 * A law for the biases of a random network. A law knows its name and parameters and round-trips
 * through its spec string: `parseBiasLaw(law.spec).spec === law.spec`.
 */
export interface BiasLaw {
  /** Registry name, e.g. `normal`. */
  readonly name: string;
  /** Parameters in the order of the spec string. */
  readonly params: readonly number[];
  /** Canonical spec string, e.g. `normal:1`, `student-t:3`, `zero`. */
  readonly spec: string;
  /** True for laws symmetric about 0 (the papers' model); false only for the deliberate violations. */
  readonly symmetric: boolean;
  /** One sentence for `--help` and reports. */
  readonly description: string;
  /** Draws one bias. */
  sample(stream: RandomStream): number;
}

interface LawDefinition {
  readonly paramNames: readonly string[];
  /** Defaults, used when the spec omits trailing parameters. */
  readonly defaults: readonly number[];
  readonly symmetric: boolean;
  readonly description: string;
  /** Returns an error message for invalid parameters, or null. */
  validate(params: readonly number[]): string | null;
  sampler(params: readonly number[]): (stream: RandomStream) => number;
}

const positive = (label: string) => (p: readonly number[]) =>
  p.every((v) => v > 0) ? null : `${label} must be > 0`;

/** Student-t by Bailey's polar method (no gamma variates needed, any ν > 0). */
function studentT(stream: RandomStream, nu: number): number {
  for (;;) {
    const u = 2 * stream.uniform() - 1;
    const v = 2 * stream.uniform() - 1;
    const w = u * u + v * v;
    if (w > 0 && w < 1) return u * Math.sqrt((nu * (Math.pow(w, -2 / nu) - 1)) / w);
  }
}

function laplace(stream: RandomStream, b: number): number {
  const u = stream.uniform() - 0.5;
  return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

const LAWS: Record<string, LawDefinition> = {
  zero: {
    paramNames: [],
    defaults: [],
    symmetric: true,
    description: 'all biases 0 (the arrangement is central: regions are cones)',
    validate: () => null,
    sampler: () => () => 0,
  },
  normal: {
    paramNames: ['sigma'],
    defaults: [1],
    symmetric: true,
    description: 'normal N(0, sigma^2)',
    validate: positive('sigma'),
    sampler: ([sigma]) => (s) => sigma * s.gaussian(),
  },
  uniform: {
    paramNames: ['a'],
    defaults: [1],
    symmetric: true,
    description: 'uniform on [-a, a]',
    validate: positive('a'),
    sampler: ([a]) => (s) => a * (2 * s.uniform() - 1),
  },
  rademacher: {
    paramNames: ['a'],
    defaults: [1],
    symmetric: true,
    description: 'symmetric two-point law: +a or -a with probability 1/2 each',
    validate: positive('a'),
    sampler: ([a]) => (s) => (s.uniform() < 0.5 ? -a : a),
  },
  laplace: {
    paramNames: ['b'],
    defaults: [1],
    symmetric: true,
    description: 'Laplace with scale b (density exp(-|x|/b)/(2b))',
    validate: positive('b'),
    sampler: ([b]) => (s) => laplace(s, b),
  },
  'student-t': {
    paramNames: ['nu', 'scale'],
    defaults: [3, 1],
    symmetric: true,
    description: 'scale times a Student-t with nu degrees of freedom (heavy-tailed; nu = 1 is Cauchy)',
    validate: positive('nu and scale'),
    sampler: ([nu, scale]) => (s) => scale * studentT(s, nu),
  },
  mixture: {
    paramNames: ['sigma1', 'sigma2', 'w'],
    defaults: [0.1, 3, 0.5],
    symmetric: true,
    description: 'symmetric normal scale mixture: N(0, sigma1^2) with probability w, else N(0, sigma2^2)',
    validate: ([s1, s2, w]) =>
      s1 > 0 && s2 > 0 && w >= 0 && w <= 1 ? null : 'sigma1, sigma2 must be > 0 and w in [0, 1]',
    sampler: ([s1, s2, w]) => (s) => (s.uniform() < w ? s1 : s2) * s.gaussian(),
  },
  'shifted-normal': {
    paramNames: ['mu', 'sigma'],
    defaults: [1, 1],
    symmetric: false,
    description:
      'DELIBERATE MODEL VIOLATION: normal N(mu, sigma^2), not symmetric for mu != 0; exists only so the suite can show it notices',
    validate: ([, sigma]) => (sigma > 0 ? null : 'sigma must be > 0'),
    sampler: ([mu, sigma]) => (s) => mu + sigma * s.gaussian(),
  },
  'skewed-mixture': {
    paramNames: ['s'],
    defaults: [1],
    symmetric: false,
    description:
      'DELIBERATE MODEL VIOLATION: mean 0 and median 0 but not symmetric: -s*U(0.9, 1.1) with probability 1/2, else s*U(0.1, 0.3) or s*U(1.7, 1.9) with probability 1/4 each (the sign and signed-rank tests cannot see it; the symmetry test can)',
    validate: positive('s'),
    sampler: ([scale]) => (s) => {
      const u = s.uniform();
      const v = 0.2 * s.uniform() - 0.1;
      return scale * (u < 0.5 ? -(1 + v) : u < 0.75 ? 0.2 + v : 1.8 + v);
    },
  },
  exponential: {
    paramNames: ['scale'],
    defaults: [1],
    symmetric: false,
    description:
      'DELIBERATE MODEL VIOLATION: one-sided exponential with the given mean; exists only so the suite can show it notices',
    validate: positive('scale'),
    sampler: ([scale]) => (s) => -scale * Math.log(1 - s.uniform()),
  },
};

/** Aliases accepted on input; the canonical spec uses the registry name. */
const ALIASES: Record<string, (params: number[]) => [string, number[]]> = {
  cauchy: (p) => ['student-t', [1, p[0] ?? 1]],
  gaussian: (p) => ['normal', p],
  'two-point': (p) => ['rademacher', p],
};

/** Names of every registered law, symmetric ones first. */
export function biasLawNames(options: { symmetricOnly?: boolean } = {}): string[] {
  const names = Object.keys(LAWS).filter((n) => !options.symmetricOnly || LAWS[n].symmetric);
  return names.sort((a, b) => Number(LAWS[b].symmetric) - Number(LAWS[a].symmetric));
}

/** Parameter names and defaults of a registered law (for generators and help texts). */
export function biasLawSignature(name: string): { paramNames: readonly string[]; defaults: readonly number[] } {
  const def = LAWS[name];
  if (!def) throw new UserError(`unknown bias law "${name}" (known: ${biasLawNames().join(', ')})`);
  return { paramNames: def.paramNames, defaults: def.defaults };
}

function formatNumber(v: number): string {
  return String(v);
}

/** Builds a law from its name and parameters; trailing parameters fall back to defaults. */
export function makeBiasLaw(name: string, params: readonly number[] = []): BiasLaw {
  const def = LAWS[name];
  if (!def) throw new UserError(`unknown bias law "${name}" (known: ${biasLawNames().join(', ')})`);
  if (params.length > def.paramNames.length) {
    throw new UserError(
      `bias law "${name}" takes ${def.paramNames.length} parameter(s) (${def.paramNames.join(', ') || 'none'}), got ${params.length}`,
    );
  }
  const full = def.defaults.map((d, i) => (i < params.length ? params[i] : d));
  if (full.some((v) => !Number.isFinite(v))) throw new UserError(`bias law "${name}": parameters must be finite numbers`);
  const problem = def.validate(full);
  if (problem) throw new UserError(`bias law "${name}": ${problem}`);
  const spec = full.length === 0 ? name : `${name}:${full.map(formatNumber).join(',')}`;
  const draw = def.sampler(full);
  return {
    name,
    params: Object.freeze(full.slice()),
    spec,
    symmetric: def.symmetric || (name === 'shifted-normal' && full[0] === 0),
    description: def.description,
    sample: draw,
  };
}

/**
 * Parses a spec string `name[:p1,p2,...]` (e.g. `normal:1`, `student-t:3`, `zero`, `cauchy`).
 * Throws a `UserError` naming the problem for unknown names or bad parameters.
 */
export function parseBiasLaw(spec: string): BiasLaw {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(':');
  const rawName = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const rawParams = colon < 0 ? [] : trimmed.slice(colon + 1).split(',');
  const params = rawParams.map((text) => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new UserError(`bias law "${spec}": parameter "${text}" is not a finite number`);
    }
    return value;
  });
  const alias = ALIASES[rawName];
  const [name, resolved] = alias ? alias(params) : [rawName, params];
  return makeBiasLaw(name, resolved);
}
