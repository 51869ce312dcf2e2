/**
 * Tiny networks with hand-known Lipschitz constants, and the small tools the unit tests of
 * src/lipschitz/lower share (test/unit/lipschitz/lower/). Each fixture's constants are derived by
 * hand in its comment: they are the independent values the lower bounds are checked against.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { jacobian } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';

/** f(x) = Σ_j v_j ρ(W_j·x + b_j) + c: a scalar network with one hidden layer. */
export function shallowNet(W: number[][], b: number[], v: number[], c = 0): Network {
  return makeNetwork(W[0].length, [denseLayer(W, b), denseLayer([v], [c])]);
}

/**
 * One neuron, f(x) = 2ρ(3x₁ − 4x₂ + 1): Lip_p = |a|·‖w‖_{p′}, attained wherever 3x₁ − 4x₂ + 1 > 0:
 * p = 2: 2·5 = 10; p = 1 (dual ∞): 2·4 = 8; p = ∞ (dual 1): 2·7 = 14. Kink scale |b|/‖w‖₂ = 0.2.
 */
export const ONE_NEURON = shallowNet([[3, -4]], [1], [2]);
export const ONE_NEURON_LIP: Record<Norm, number> = { '2': 10, '1': 8, inf: 14 };

/**
 * Two neurons on the axes, f(x) = 2ρ(x₁) − 3ρ(x₂): gradients (0,0), (2,0), (0,−3), (2,−3) in the four
 * quadrants; the largest is (2,−3) where both are active (x₁, x₂ > 0): Lip₂ = √13, Lip₁ (dual ∞) = 3,
 * Lip_∞ (dual 1) = 5. On the box [−1, −0.5] × [−1, 1] (x₁ < 0: neuron 1 off) only (0,0) and (0,−3)
 * meet it: Lip = 3 for every p.
 */
export const TWO_AXES = shallowNet(
  [
    [1, 0],
    [0, 1],
  ],
  [0, 0],
  [2, -3],
);
export const TWO_AXES_LIP: Record<Norm, number> = { '2': Math.sqrt(13), '1': 3, inf: 5 };
export const LEFT_BOX: Box = boxFromPairs(
  [
    [-1, -0.5],
    [-1, 1],
  ],
  2,
);

/**
 * Two outputs: h = (ρ(x₁), ρ(x₂)), f = M h with M = [[1, 2], [3, 4]]. The largest Jacobian is M itself
 * (x₁, x₂ > 0; the others zero a column of it): ‖M‖_{2→2} = √(15 + √221) (eigenvalues of MᵀM =
 * [[10, 14], [14, 20]] are 15 ± √221), ‖M‖_{∞→∞} = max row sum 7, ‖M‖_{1→1} = max column sum 6.
 */
export const TWO_OUTPUTS = makeNetwork(2, [
  denseLayer(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 0],
  ),
  denseLayer(
    [
      [1, 2],
      [3, 4],
    ],
    [0, 0],
  ),
]);
export const TWO_OUTPUTS_LIP: Record<Norm, number> = { '2': Math.sqrt(15 + Math.sqrt(221)), '1': 6, inf: 7 };

/**
 * Two hidden layers, f(x) = ρ(ρ(x₁) + ρ(x₂) − 1): the gradient is (1,1) where x₁, x₂ > 0 and x₁ + x₂ > 1,
 * (1,0) or (0,1) where one alone is positive and above 1, 0 elsewhere. Lip₂ = √2, Lip₁ = 1, Lip_∞ = 2.
 */
export const DEEP_SUM = makeNetwork(2, [
  denseLayer(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 0],
  ),
  denseLayer([[1, 1]], [-1]),
  denseLayer([[1]], [0]),
]);
export const DEEP_SUM_LIP: Record<Norm, number> = { '2': Math.SQRT2, '1': 1, inf: 2 };

/** ‖J_f(x)‖_{p→p} by the network's own Jacobian (the value a witness claims). */
export const normAt = (net: Network, x: ArrayLike<number>, p: Norm): number => operatorNorm(jacobian(net, x), p);

/** Whether x lies in the closed box. */
export const inBox = (x: ArrayLike<number>, box: Box): boolean => Array.from(x).every((v, j) => v >= box.lo[j] && v <= box.hi[j]);

/** Radii buckets of the samplers on ℝᵈ: r·scale·[0.75, 1.25] for r in 0.25 … 64 (disjoint); −1 outside all. */
export function radiusBucket(x: ArrayLike<number>, scale: number): number {
  const radius = Math.hypot(...Array.from(x)) / scale;
  return [0.25, 0.5, 1, 2, 4, 8, 16, 64].findIndex((r) => radius >= 0.75 * r && radius <= 1.25 * r);
}

/**
 * Installs a controlled clock for the file's tests: performance.now() moves only by `advance`, so a
 * Budget runs out exactly when a test says and never because the machine is slow.
 */
export function useControlledClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
export const advance = (seconds: number): void => {
  vi.advanceTimersByTime(seconds * 1000);
};

/** A budget already spent (on the controlled clock: advances it past a zero limit). */
export function spentBudget(): Budget {
  const b = new Budget(0);
  advance(0.001);
  return b;
}

/**
 * A budget whose `exceeded()` answers from a script, one answer per call (the last repeated): it
 * stops a loop at exactly the check a test wants, whatever the machine's speed.
 */
export function scriptedBudget(answers: readonly ('time' | null)[]): Budget & { calls: number } {
  const b = new Budget(Infinity) as Budget & { calls: number };
  b.calls = 0;
  b.exceeded = () => answers[Math.min(b.calls++, answers.length - 1)];
  return b;
}

/** A seeded He-initialised network with normal(0, 1) biases (the papers' model), for cross-checks. */
export const randomNet = (d: number, widths: number[], outputs: number, seed: number): Network =>
  sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed, outputs });

/** The fixtures with their constants per norm (LEFT_BOX: 3 for every p), for tests that run each. */
export const HAND_CASES: readonly (readonly [string, Network, Box | null, Record<Norm, number>])[] = [
  ['one neuron', ONE_NEURON, null, ONE_NEURON_LIP],
  ['two axes', TWO_AXES, null, TWO_AXES_LIP],
  ['two axes in a box', TWO_AXES, LEFT_BOX, { '2': 3, '1': 3, inf: 3 }],
  ['two outputs', TWO_OUTPUTS, null, TWO_OUTPUTS_LIP],
  ['two hidden layers', DEEP_SUM, null, DEEP_SUM_LIP],
];
