import type { Norm } from '../linalg/norms.js';

/**
 * The theorems' bands (BRIEF §3): with high probability over a He-random network,
 * c·lowerScale ≤ Lip ≤ C·upperScale, with absolute constants c, C that the papers leave implicit.
 * lipcheck calibrates c and C from its own measurements (config/calibration.json, written by
 * `lipcheck study --calibrate`), so every band here is a named, documented parameter.
 *
 * - shallow: L = 1, p = 2 — c·√d ≤ Lip₂ ≤ C·√d, for every width and symmetric bias law (paper A).
 * - deep:    L ≥ 2, p = 2 — c·√d ≤ Lip₂ ≤ C·√d·L·√(log N), N the largest hidden width. Paper B
 *            shows the gap between the bounds is at most logarithmic in the width and linear in the
 *            depth; L·√(log N) is the simplest upper scale of that form, and the calibration shows
 *            whether the data support it (Lip₂/√d stays far below it, flat in N).
 * - linf:    L = 1, p = ∞ — Lip_∞ ≍ ‖g‖₁ ≈ √(2/π)·d for a standard Gaussian g ∈ ℝᵈ (paper B).
 * - l1:      L = 1, p = 1 — Lip₁ ≍ ‖g‖₂ ≈ √d (paper B; not √(2 log d)).
 */
export type BandKind = 'shallow' | 'deep' | 'linf' | 'l1';

export const BAND_KINDS: readonly BandKind[] = ['shallow', 'deep', 'linf', 'l1'];

export interface BandScales {
  readonly lower: number;
  readonly upper: number;
}

/** The scales the constants multiply, for input dimension d, L hidden layers, largest width N. */
export function bandScales(kind: BandKind, d: number, L: number, N: number): BandScales {
  switch (kind) {
    case 'shallow':
    case 'l1':
      return { lower: Math.sqrt(d), upper: Math.sqrt(d) };
    case 'linf':
      return { lower: Math.sqrt(2 / Math.PI) * d, upper: Math.sqrt(2 / Math.PI) * d };
    case 'deep':
      return { lower: Math.sqrt(d), upper: Math.sqrt(d) * L * Math.sqrt(Math.log(Math.max(N, 2))) };
  }
}

/** Which band speaks about a network of L hidden layers and k outputs in norm p (null: none). */
export function bandFor(norm: Norm, L: number, outputs: number): BandKind | null {
  if (outputs !== 1 || L < 1) return null;
  if (norm === '2') return L === 1 ? 'shallow' : 'deep';
  if (L !== 1) return null;
  return norm === 'inf' ? 'linf' : 'l1';
}

/** Human formula of a band. */
export function bandFormula(kind: BandKind): string {
  switch (kind) {
    case 'shallow':
      return 'c·√d ≤ Lip₂ ≤ C·√d';
    case 'deep':
      return 'c·√d ≤ Lip₂ ≤ C·√d·L·√(log N)';
    case 'linf':
      return 'c·√(2/π)·d ≤ Lip_∞ ≤ C·√(2/π)·d';
    case 'l1':
      return 'c·√d ≤ Lip₁ ≤ C·√d';
  }
}
