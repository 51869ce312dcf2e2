/**
 * lipcheck's library surface: the network model and its formats, exact Lipschitz constants,
 * certified bounds, the theorems' bands, and the conformance checks for your own estimator
 * (`assertConformance`, in the spirit of fast-check's `fc.assert`). Everything exported here is
 * documented where it is defined.
 */
export * from './errors.js';
export * from './random/stream.js';
export * from './random/biasLaws.js';
export * from './network/network.js';
export * from './network/sample.js';
export * from './network/evaluate.js';
export * from './network/format.js';
export * from './network/transform.js';
export * from './linalg/mat.js';
export * from './linalg/norms.js';
export * from './lipschitz/query.js';
export { exactLipschitz, type ExactOutcome, type ExactValue, type TooLarge, type ExactLimits } from './lipschitz/exact/index.js';
export { certifiedBounds, type BoundsResult, type BoundsOptions, type MethodReport } from './lipschitz/bounds.js';
export { lowerBound, type LowerBoundResult, type Witness } from './lipschitz/lower/index.js';
export { verifyClaim, type Claim, type Verdict, type VerifyOptions } from './lipschitz/verify.js';
export { Budget } from './lipschitz/budget.js';
/**
 * Certified upper bounds on Lip₂ from LipSDP's family, proven in floating point (upper/rounding.ts):
 * `lipSdpBound` (LipSDP-Neuron, global or on a box with stable neurons fixed; anytime),
 * `eclipseFastBound` (ECLipsE-Fast's closed form, milliseconds) and `branchedSdpBound` (branch and
 * bound on the input domain with local LipSDP cells, for low-dimensional deep nets) and
 * `patternBranchBound` (branch and bound on activation patterns, the strongest for d ≤ 6).
 */
export {
  lipSdpBound,
  eclipseFastBound,
  branchedSdpBound,
  patternBranchBound,
  type LipSdpOptions,
  type LipSdpResult,
  type BranchedSdpOptions,
  type BranchedSdpResult,
  type PatternBranchOptions,
  type PatternBranchResult,
} from './lipschitz/upper/sdp/index.js';
/** The linear-relaxation Jacobian bound (Fast-Lip/RecurJac style; every norm, best on boxes). */
export { relaxedJacobianBound, type RelaxedJacobianOptions, type RelaxedJacobianBound } from './lipschitz/upper/jacobianRelaxation.js';
/** The many-start ascent on ‖J(x)‖ (O(parameters) per step; witnesses re-checked). */
export { ascentLowerBound, type AscentOptions, type AscentResult } from './lipschitz/lower/ascent.js';
/** Realisable-pattern search for Lip₂ of one-hidden-layer networks (exact witnesses when N ≤ d). */
export { spectralPatternAscent, type SpectralPatternOptions, type SpectralPatternResult } from './lipschitz/lower/spectralPatternAscent.js';
/** A proven upper bound on a matrix's spectral norm (verified Cholesky of t·I − WᵀW). */
export { provenSpectralBound, proveSpectralNormAtMost } from './linalg/verifiedSpectralNorm.js';
/** The quick certified upper bounds and LipSDP as one budgeted call (what verify and the reference use). */
export { tightestUpperBound } from './lipschitz/upperStages.js';
export { queryDomain, type Domain } from './lipschitz/domain.js';
export { bandFor, bandScales, bandFormula, type BandKind } from './theory/bands.js';
export { loadCalibration, type Calibration, type BandConstants } from './theory/calibration.js';
export { assertConformance, checkImplementation, type Answer, type Implementation, type ConformanceOptions } from './harness/library.js';
export type { Request, Claims, Response } from './harness/protocol.js';
export type { ConformanceReport } from './harness/session.js';
export { formatReport } from './harness/reportFormat.js';
export { readNetworkFile, parseNetwork } from './io/readNetwork.js';
