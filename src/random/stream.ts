import seedrandom from 'seedrandom';

/**
 * A seeded source of random numbers. Streams are keyed by a seed and a label, so that independent
 * parts of a sample (each layer's weights, each layer's biases) never share or shift each other's
 * numbers: adding a layer leaves the earlier layers bit-identical.
 */
export interface RandomStream {
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1) (Marsaglia's polar method). */
  gaussian(): number;
}

/** Seeds are non-negative safe integers or non-empty strings. */
export type Seed = number | string;

/**
 * Returns the stream for `(seed, label)`. The generator is seedrandom's ARC4 on the key
 * `lipcheck/v1/<seed>/<label>`; it uses only integer arithmetic, and the normal variates use only
 * `Math.sqrt` (correctly rounded) and `Math.log` (V8's fdlibm port), so the same key gives the same
 * bits on every run and machine running Node.
 */
export function createStream(seed: Seed, label: string): RandomStream {
  const prng = seedrandom(`lipcheck/v1/${String(seed)}/${label}`);
  let spare: number | null = null;
  return {
    uniform: () => prng.double(),
    gaussian(): number {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      for (;;) {
        const u = 2 * prng.double() - 1;
        const v = 2 * prng.double() - 1;
        const s = u * u + v * v;
        if (s > 0 && s < 1) {
          const factor = Math.sqrt((-2 * Math.log(s)) / s);
          spare = v * factor;
          return u * factor;
        }
      }
    },
  };
}

/** Derives a child seed (a string) for the i-th item of a family, e.g. the i-th network of a cell. */
export function childSeed(seed: Seed, family: string, index: number): string {
  return `${String(seed)}:${family}:${index}`;
}
