import type { TopLevelSpec } from 'vega-lite';
import type { StudyRow } from './compute.js';
import type { Calibration } from '../theory/calibration.js';
import { bandFor, type BandKind } from '../theory/bands.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import type { Norm } from '../linalg/norms.js';
import { linearFit, meanAndVariance, quantile, studentTQuantile } from '../theory/stats.js';

/*
 * The study plots and the statistics behind them. Every figure is a Vega-Lite spec compiled and
 * rendered to SVG in process (renderer 'none': no canvas, no fonts, no network). The selections
 * follow the theorem bands (theory/bands.ts): only He fan-out networks (the papers' convention) are
 * compared with the theorems.
 */

// ---------------------------------------------------------------------------------------------
// Selections and estimates

/** The band a row speaks to, exact or not (null: fan-in weights, or no band for its depth/norm). */
export function rowKind(r: StudyRow): BandKind | null {
  if (!inPapersModel(r)) return null;
  return bandFor(r.norm as Norm, r.L, 1);
}

/** Whether a bias law spec names a symmetric law (false for an unknown spec). */
function isSymmetricLaw(spec: string): boolean {
  try {
    return parseBiasLaw(spec).symmetric;
  } catch {
    return false;
  }
}

/** Whether E‖∇f(x₀)‖₂² = d applies (BRIEF §4): He fan-out weights and a symmetric bias law. */
export function inPapersModel(r: StudyRow): boolean {
  return r.weights === 'he-fanout' && isSymmetricLaw(r.bias);
}

export interface Estimate {
  readonly value: number;
  /** False when the value is the midpoint of a certified bracket. */
  readonly exact: boolean;
}

/**
 * A row's value of Lip: the exact constant, else the midpoint of its certified bracket (flagged).
 * Null when that value is not a finite positive number (such rows are left out of every plot).
 */
export function rowEstimate(r: StudyRow): Estimate | null {
  const exact = r.lipschitz !== null;
  const value = exact ? (r.lipschitz as number) : (r.lower + r.upper) / 2;
  return Number.isFinite(value) && value > 0 ? { value, exact } : null;
}

/** The scale a row's Lip is divided by in the tables: √d for p = 2 and p = 1, √(2/π)·d for p = ∞. */
export function rowScale(r: StudyRow): { value: number; label: string } {
  return r.norm === 'inf' ? { value: Math.sqrt(2 / Math.PI) * r.d, label: '√(2/π)·d' } : { value: Math.sqrt(r.d), label: '√d' };
}

/** Rows of one band together with their estimates (rows without an estimate dropped). */
export function bandRows(rows: readonly StudyRow[], kind: BandKind): { row: StudyRow; est: Estimate }[] {
  const out: { row: StudyRow; est: Estimate }[] = [];
  for (const row of rows) {
    const est = rowKind(row) === kind ? rowEstimate(row) : null;
    if (est) out.push({ row, est });
  }
  return out;
}

export interface SlopeFit {
  readonly slope: number;
  readonly intercept: number;
  /** The 95% confidence interval of the slope (Student t). */
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

/** Least squares of y on x with a 95% slope interval; null unless ≥ 3 points and ≥ 2 distinct x. */
function slopeFit(x: readonly number[], y: readonly number[]): SlopeFit | null {
  if (x.length < 3 || new Set(x).size < 2) return null;
  const fit = linearFit(x, y);
  const [low, high] = fit.slopeInterval(0.95);
  return { slope: fit.slope, intercept: fit.intercept, low, high, n: x.length };
}

/** Shallow rows: the fit of log Lip₂ on log d (the theory predicts slope ½). */
export function dimensionSlope(rows: readonly StudyRow[]): SlopeFit | null {
  const pts = bandRows(rows, 'shallow');
  return slopeFit(
    pts.map((p) => Math.log(p.row.d)),
    pts.map((p) => Math.log(p.est.value)),
  );
}

/** Mean with a two-sided 95% Student-t interval (NaN bounds for fewer than two values). */
export function meanInterval(xs: readonly number[]): { mean: number; low: number; high: number; n: number } {
  const { mean, variance } = meanAndVariance(xs);
  if (xs.length < 2) return { mean, low: NaN, high: NaN, n: xs.length };
  const half = studentTQuantile(0.975, xs.length - 1) * Math.sqrt(variance / xs.length);
  return { mean, low: mean - half, high: mean + half, n: xs.length };
}

/** Groups items by a key, keeping the order of first appearance. */
export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

/** A deterministic number in [0, 1) from a string (FNV-1a), so that the jitter is reproducible. */
function unitHash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

/** A log₂ x or y scale fitted to the values, with ticks at exactly the values that occur. */
function logAxis(values: readonly number[]): { scale: Spec; axis: Spec } {
  const v = [...new Set(values)].sort((a, b) => a - b);
  return { scale: { type: 'log', base: 2, domain: [v[0] / 1.25, v[v.length - 1] * 1.25], nice: false }, axis: { values: v, format: '~g' } };
}

/** Light multiplicative jitter (±6%) for a log axis. */
function jitterLog(x: number, seed: string): number {
  return x * Math.exp(0.12 * (unitHash(seed) - 0.5));
}

const KIND_LABEL = { exact: 'exact Lip', midpoint: 'bracket midpoint (not exact)' } as const;
const kindOf = (e: Estimate): string => (e.exact ? KIND_LABEL.exact : KIND_LABEL.midpoint);
const SHAPE = { field: 'kind', type: 'nominal', title: 'value', scale: { domain: [KIND_LABEL.exact, KIND_LABEL.midpoint], range: ['circle', 'triangle-up'] } };

/** A layer of vertical bars from each bracketed point's lower end `lo` to its upper end `hi`. */
function bracketBars(values: readonly Record<string, unknown>[], x: Spec, color: Spec): Spec {
  return { data: { values }, mark: { type: 'rule', opacity: 0.45, strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } };
}

// ---------------------------------------------------------------------------------------------
// The plots

/** A Vega-Lite spec under construction (checked by the compiler at render time). */
type Spec = Record<string, unknown>;

export interface PlotResult {
  /** File name, e.g. `shallow-width.svg`. */
  readonly file: string;
  readonly title: string;
  /** What the plot shows and how to read it. */
  readonly caption: string;
  /** The spec, or null with the reason when the rows lack the data the plot needs. */
  readonly spec: Spec | null;
  readonly skipped: string | null;
}

const WIDTH = 380;
const HEIGHT = 260;

function skip(file: string, title: string, reason: string): PlotResult {
  return { file, title, caption: '', spec: null, skipped: reason };
}

function quantileSummary(values: number[]): { median: number; q10: number; q90: number } {
  return { median: quantile(values, 0.5), q10: quantile(values, 0.1), q90: quantile(values, 0.9) };
}

function shallowWidth(rows: readonly StudyRow[]): PlotResult {
  const file = 'shallow-width.svg';
  const title = 'Shallow networks: Lip₂/√d against the width N';
  const pts = bandRows(rows, 'shallow');
  if (pts.length === 0) return skip(file, title, 'no shallow rows (L = 1, p = 2, he-fanout weights)');
  const points = pts.map(({ row, est }) => ({ N: jitterLog(row.N, row.seed), d: row.d, ratio: est.value / Math.sqrt(row.d), lo: row.lower / Math.sqrt(row.d), hi: row.upper / Math.sqrt(row.d), kind: kindOf(est) }));
  const bands = [...groupBy(pts, (p) => `${p.row.d}/${p.row.N}`).values()].map((g) => ({
    d: g[0].row.d,
    N: g[0].row.N,
    ...quantileSummary(g.map((p) => p.est.value / Math.sqrt(p.row.d))),
  }));
  bands.sort((a, b) => a.d - b.d || a.N - b.N);
  const x = { field: 'N', type: 'quantitative', ...logAxis(pts.map((p) => p.row.N)), title: 'hidden width N (log₂ scale)' };
  const color = { field: 'd', type: 'ordinal', title: 'input dimension d', scale: { scheme: 'tableau10' } };
  const midpoints = pts.filter((p) => !p.est.exact).length;
  const spec: Spec = {
    title: { text: title, subtitle: 'median line and 10–90% quantile band per d; flat in N if Lip₂ ≍ √d (paper A)' },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: bands }, mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'q10', type: 'quantitative', title: 'Lip₂ / √d' }, y2: { field: 'q90' }, color } },
      { data: { values: bands }, mark: { type: 'line' }, encoding: { x, y: { field: 'median', type: 'quantitative' }, color } },
      { data: { values: bands }, mark: { type: 'tick', orient: 'horizontal', thickness: 2, size: 16 }, encoding: { x, y: { field: 'median', type: 'quantitative' }, color } },
      bracketBars(points.filter((p) => p.kind === KIND_LABEL.midpoint), x, color),
      { data: { values: points }, mark: { type: 'point', filled: true, opacity: 0.6, size: 28 }, encoding: { x, y: { field: 'ratio', type: 'quantitative' }, color, shape: SHAPE } },
    ],
  };
  const caption =
    `Lip₂/√d of ${pts.length} shallow networks (He fan-out weights), by width N (log scale, points jittered by ±6% in N) and input dimension d (colour). ` +
    `Lines and ticks: median per (d, N); shaded: 10–90% quantile band. Circles are exact constants, triangles the midpoint of a certified bracket, drawn as a bar from its lower to its upper end` +
    (midpoints > 0 ? ` (${midpoints} such rows).` : ' (none here).');
  return { file, title, caption, spec, skipped: null };
}

function shallowDimension(rows: readonly StudyRow[]): PlotResult {
  const file = 'shallow-dimension.svg';
  const title = 'Shallow networks: Lip₂ against d (log–log)';
  const pts = bandRows(rows, 'shallow');
  const fit = dimensionSlope(rows);
  if (!fit) return skip(file, title, 'needs at least 3 shallow rows (L = 1, p = 2, he-fanout) with at least two input dimensions d');
  const ds = pts.map((p) => p.row.d);
  const dMin = Math.min(...ds);
  const dMax = Math.max(...ds);
  const meanLogD = ds.reduce((a, d) => a + Math.log(d), 0) / ds.length;
  const meanLogY = pts.reduce((a, p) => a + Math.log(p.est.value), 0) / pts.length;
  const lines = [dMin, dMax].flatMap((d) => [
    { d, y: Math.exp(fit.intercept + fit.slope * Math.log(d)), series: 'least-squares fit' },
    { d, y: Math.exp(meanLogY + 0.5 * (Math.log(d) - meanLogD)), series: 'slope ½ (theory), through the data mean' },
  ]);
  const points = pts.map(({ row, est }) => ({ d: jitterLog(row.d, row.seed), lip: est.value, lo: row.lower, hi: row.upper, kind: kindOf(est) }));
  const x = { field: 'd', type: 'quantitative', ...logAxis(ds), title: 'input dimension d (log₂ scale)' };
  const half = (fit.high - fit.low) / 2;
  const spec: Spec = {
    title: { text: `Lip₂ against d: slope ${fit.slope.toFixed(3)} ± ${half.toFixed(3)} (95% CI)`, subtitle: 'least-squares fit of log Lip₂ on log d; paper A predicts slope ½' },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      bracketBars(points.filter((p) => p.kind === KIND_LABEL.midpoint), x, { value: '#4c78a8' }),
      { data: { values: points }, mark: { type: 'point', filled: true, opacity: 0.55, size: 28, color: '#4c78a8' }, encoding: { x, y: { field: 'lip', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'Lip₂ (log₂ scale)' }, shape: SHAPE } },
      { data: { values: lines }, mark: { type: 'line', color: '#333333' }, encoding: { x, y: { field: 'y', type: 'quantitative' }, strokeDash: { field: 'series', type: 'nominal', title: 'line', scale: { domain: [...new Set(lines.map((l) => l.series))] } }, detail: { field: 'series' } } },
    ],
  };
  const caption =
    `Lip₂ of ${pts.length} shallow networks against d on log–log axes (points jittered by ±6% in d), all widths together. ` +
    `Solid: the least-squares fit of log Lip₂ on log d through exact values and bracket midpoints, slope ${fit.slope.toFixed(3)} (95% CI ${fit.low.toFixed(3)} to ${fit.high.toFixed(3)}); dashed: slope ½ through the data mean. Triangles are bracket midpoints, with a bar over the whole bracket; the section "Slopes with intervals from the bracket ends" gives the interval that uses both ends of every bracket.`;
  return { file, title, caption, spec, skipped: null };
}

function deep(rows: readonly StudyRow[], calibration: Calibration | null): PlotResult {
  const file = 'deep.svg';
  const title = 'Deep networks: Lip₂/√d against depth L and width N';
  const pts = bandRows(rows, 'deep');
  if (pts.length === 0) return skip(file, title, 'no deep rows (L ≥ 2, p = 2, he-fanout weights)');
  const band = calibration?.bands.deep ?? null;
  const points = pts.map(({ row, est }) => ({
    L: row.L + 0.3 * (unitHash(row.seed) - 0.5),
    N: jitterLog(row.N, row.seed),
    Nw: row.N,
    Lh: row.L,
    ratio: est.value / Math.sqrt(row.d),
    kind: kindOf(est),
  }));
  const byL = [...groupBy(pts, (p) => p.row.L).values()].map((g) => ({ L: g[0].row.L, median: quantile(g.map((p) => p.est.value / Math.sqrt(p.row.d)), 0.5) }));
  byL.sort((a, b) => a.L - b.L);
  const byLN = [...groupBy(pts, (p) => `${p.row.L}/${p.row.N}`).values()].map((g) => ({
    Lh: g[0].row.L,
    N: g[0].row.N,
    ...quantileSummary(g.map((p) => p.est.value / Math.sqrt(p.row.d))),
  }));
  byLN.sort((a, b) => a.Lh - b.Lh || a.N - b.N);
  const Ls = [...new Set(pts.map((p) => p.row.L))].sort((a, b) => a - b);
  const Ns = [...new Set(pts.map((p) => p.row.N))].sort((a, b) => a - b);
  const y = { field: 'ratio', type: 'quantitative', title: 'Lip₂ / √d' };
  const xL = { field: 'L', type: 'quantitative', title: 'depth L (hidden layers)', scale: { domain: [Ls[0] - 0.5, Ls[Ls.length - 1] + 0.5], nice: false, zero: false }, axis: { values: Ls, format: 'd' } };
  const left: Spec[] = [
    { data: { values: points }, mark: { type: 'point', filled: true, opacity: 0.55, size: 28 }, encoding: { x: xL, y, color: { field: 'Nw', type: 'ordinal', title: 'width N', scale: { scheme: 'viridis' } }, shape: SHAPE } },
    { data: { values: byL }, mark: { type: 'line', color: '#333333', point: true }, encoding: { x: xL, y: { field: 'median', type: 'quantitative' } } },
  ];
  const xN = { field: 'N', type: 'quantitative', ...logAxis(Ns), title: 'largest hidden width N (log₂ scale)' };
  const colorL = { field: 'Lh', type: 'ordinal', title: 'depth L', scale: { scheme: 'tableau10' } };
  const right: Spec[] = [
    { data: { values: byLN }, mark: { type: 'area', opacity: 0.15 }, encoding: { x: xN, y: { field: 'q10', type: 'quantitative', title: 'Lip₂ / √d' }, y2: { field: 'q90' }, color: colorL } },
    { data: { values: points }, mark: { type: 'point', filled: true, opacity: 0.55, size: 28 }, encoding: { x: xN, y, color: colorL, shape: SHAPE } },
    { data: { values: byLN }, mark: { type: 'line' }, encoding: { x: xN, y: { field: 'median', type: 'quantitative' }, color: colorL } },
  ];
  let refNote = 'No calibrated deep band was given, so no reference curve is drawn.';
  if (band) {
    const nMin = Ns[0];
    const nMax = Ns[Ns.length - 1];
    const Lmin = Ls[0];
    const Lmax = Ls[Ls.length - 1];
    const refL = [...new Set([nMin, nMax])].flatMap((N) =>
      [Lmin, Lmax].map((L) => ({ L, ref: band.C * L * Math.sqrt(Math.log(Math.max(N, 2))), curve: `C·L·√(log N), N = ${N}` })),
    );
    left.push({ data: { values: refL }, mark: { type: 'line', color: '#b22222', strokeDash: [5, 3] }, encoding: { x: xL, y: { field: 'ref', type: 'quantitative' }, detail: { field: 'curve' } } });
    const grid = Array.from({ length: 24 }, (_, i) => Math.max(nMin, 2) * (nMax / Math.max(nMin, 2)) ** (i / 23));
    const refN = Ls.flatMap((L) => grid.map((N) => ({ N, Lh: L, ref: band.C * L * Math.sqrt(Math.log(N)) })));
    right.push({ data: { values: refN }, mark: { type: 'line', strokeDash: [5, 3] }, encoding: { x: xN, y: { field: 'ref', type: 'quantitative' }, color: colorL } });
    const rule = { data: { values: [{ c: band.c }] }, mark: { type: 'rule', color: '#b22222', strokeDash: [2, 2] }, encoding: { y: { field: 'c', type: 'quantitative' } } };
    left.push(rule);
    right.push(rule);
    refNote =
      `Dashed: the calibrated upper scale C·L·√(log N) with C = ${band.C.toFixed(3)} (${band.draws} draws) — on the left for the smallest and largest N, on the right for each depth; ` +
      `dotted: the calibrated lower constant c = ${band.c.toFixed(3)}.`;
  }
  const spec: Spec = {
    title: { text: title, subtitle: 'paper B: the gap to √d is at most linear in L and logarithmic in N' },
    hconcat: [
      { width: 300, height: HEIGHT, title: 'against depth L (line: median per L)', layer: left },
      { width: 300, height: HEIGHT, title: 'against width N (line: median, band: 10–90%)', layer: right },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  const caption = `Lip₂/√d of ${pts.length} deep networks (He fan-out weights), points jittered. ${refNote} Triangles are bracket midpoints.`;
  return { file, title, caption, spec, skipped: null };
}

function biasLaws(rows: readonly StudyRow[], calibration: Calibration | null): PlotResult {
  const file = 'bias-laws.svg';
  const title = 'Shallow networks: Lip₂/√d per bias law';
  const pts = bandRows(rows, 'shallow');
  const laws = [...new Set(pts.map((p) => p.row.bias))];
  if (laws.length < 2) return skip(file, title, 'needs shallow rows (L = 1, p = 2, he-fanout) with at least two bias laws');
  const label = (bias: string): string => (isSymmetricLaw(bias) ? bias : `${bias} (asymmetric)`);
  const values = pts.map(({ row, est }) => ({ bias: label(row.bias), ratio: est.value / Math.sqrt(row.d) }));
  const band = calibration?.bands.shallow ?? null;
  const layer: Spec[] = [
    {
      data: { values },
      mark: { type: 'boxplot', extent: 'min-max', size: 22 },
      encoding: { x: { field: 'bias', type: 'nominal', title: 'bias law', sort: laws.map(label), axis: { labelAngle: -30 } }, y: { field: 'ratio', type: 'quantitative', title: 'Lip₂ / √d' } },
    },
  ];
  if (band) {
    const rules = [
      { y: band.c, constant: `c = ${band.c.toFixed(3)} (calibrated lower)` },
      { y: band.C, constant: `C = ${band.C.toFixed(3)} (calibrated upper)` },
    ];
    layer.push({ data: { values: rules }, mark: { type: 'rule', color: '#b22222' }, encoding: { y: { field: 'y', type: 'quantitative' }, strokeDash: { field: 'constant', type: 'nominal', title: 'shallow band', scale: { domain: rules.map((r) => r.constant) } } } });
  }
  const spec: Spec = { title: { text: title, subtitle: 'paper A: the band c·√d ≤ Lip₂ ≤ C·√d holds for every symmetric bias law' }, width: Math.max(WIDTH, 70 * laws.length), height: HEIGHT, layer };
  const caption =
    `Box plots (median, quartiles, whiskers to min and max) of Lip₂/√d for ${pts.length} shallow networks, all d and N pooled, per bias law. ` +
    (band ? `Red rules: the calibrated shallow constants c and C (${band.draws} draws).` : 'No calibration given: no band drawn.') +
    ' Bracketed rows enter with their midpoint; laws marked asymmetric are outside the theorem.';
  return { file, title, caption, spec, skipped: null };
}

function lpPanel(kind: 'linf' | 'l1', rows: readonly StudyRow[], calibration: Calibration | null): { panel: Spec; note: string } | null {
  const pts = bandRows(rows, kind);
  if (pts.length === 0) return null;
  const scale = (d: number): number => (kind === 'linf' ? Math.sqrt(2 / Math.PI) * d : Math.sqrt(d));
  const med = quantile(pts.map((p) => p.est.value / scale(p.row.d)), 0.5);
  const xMax = Math.max(...pts.map((p) => scale(p.row.d)));
  const lip = kind === 'linf' ? 'Lip_∞' : 'Lip₁';
  const points = pts.map(({ row, est }) => ({ x: jitterLog(scale(row.d), row.seed), lip: est.value, kind: kindOf(est) }));
  const lines = [0, xMax * 1.05].map((x) => ({ x, y: med * x, line: `y = ${med.toFixed(3)}·x (median ratio)` }));
  const band = calibration?.bands[kind];
  if (band) for (const x of [0, xMax * 1.05]) lines.push({ x, y: band.c * x, line: `y = c·x, c = ${band.c.toFixed(3)}` }, { x, y: band.C * x, line: `y = C·x, C = ${band.C.toFixed(3)}` });
  const xTitle = kind === 'linf' ? '√(2/π)·d  (E‖g‖₁, g ~ N(0, I_d))' : '√d  (≈ E‖g‖₂, g ~ N(0, I_d))';
  const panel: Spec = {
    width: 300,
    height: HEIGHT,
    title: kind === 'linf' ? `p = ∞: ${lip} against √(2/π)·d` : `p = 1: ${lip} against √d`,
    layer: [
      { data: { values: points }, mark: { type: 'point', filled: true, opacity: 0.6, size: 28, color: '#4c78a8' }, encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { field: 'lip', type: 'quantitative', title: lip }, shape: SHAPE } },
      { data: { values: lines }, mark: { type: 'line', color: '#333333' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, strokeDash: { field: 'line', type: 'nominal', title: 'lines', scale: { domain: [...new Set(lines.map((l) => l.line))] } }, detail: { field: 'line' } } },
    ],
  };
  return { panel, note: `${lip}: ${pts.length} networks, median ratio ${med.toFixed(3)}` };
}

function lp(rows: readonly StudyRow[], calibration: Calibration | null): PlotResult {
  const file = 'lp.svg';
  const title = 'lp constants of shallow networks (paper B)';
  const panels = [lpPanel('linf', rows, calibration), lpPanel('l1', rows, calibration)].filter((p): p is { panel: Spec; note: string } => p !== null);
  if (panels.length === 0) return skip(file, title, 'no shallow rows with p = ∞ or p = 1 (he-fanout weights)');
  const spec: Spec = {
    title: { text: title, subtitle: 'Lip_∞ ≍ ‖g‖₁ ≈ √(2/π)·d and Lip₁ ≍ ‖g‖₂ ≈ √d' },
    hconcat: panels.map((p) => p.panel),
    resolve: { scale: { strokeDash: 'independent' }, legend: { strokeDash: 'independent' } },
  };
  const caption =
    `Shallow networks (He fan-out) in the lp norms, against the Gaussian scale each should follow (x jittered by ±6%). ${panels.map((p) => p.note).join('; ')}. ` +
    'The solid line has slope the median ratio; dashed lines, when present, are the calibrated band. Triangles are bracket midpoints.' +
    (panels.length < 2 ? ` Only one norm is present in the rows; the other panel is left out.` : '');
  return { file, title, caption, spec, skipped: null };
}

/** Per cell: the mean of ‖∇f(x₀)‖₂²/d with its 95% interval, and whether the papers' model applies. */
function pointGradientCells(rows: readonly StudyRow[]): { cell: string; mean: number; low: number; high: number; n: number; model: boolean }[] {
  return [...groupBy(rows, (r) => r.cell).entries()].flatMap(([cell, g]) => {
    const xs = g.map((r) => r.pointNormSquared / r.d).filter(Number.isFinite);
    return xs.length === 0 ? [] : [{ cell, ...meanInterval(xs), model: g.every(inPapersModel) }];
  });
}

function pointGradient(rows: readonly StudyRow[]): PlotResult {
  const file = 'point-gradient.svg';
  const title = 'Single point: ‖∇f(x₀)‖₂²/d per cell';
  const cells = pointGradientCells(rows);
  if (cells.length === 0) return skip(file, title, 'no rows with a finite single-point gradient');
  const MODEL = "papers' model (E = 1)";
  const OUTSIDE = 'fan-in weights or asymmetric bias';
  const values = cells.map((c) => ({ ...c, low: Number.isFinite(c.low) ? c.low : c.mean, high: Number.isFinite(c.high) ? c.high : c.mean, model: c.model ? MODEL : OUTSIDE }));
  const y = { field: 'cell', type: 'nominal', title: 'cell', sort: cells.map((c) => c.cell), axis: { labelLimit: 420 } };
  const color = { field: 'model', type: 'nominal', title: 'model', scale: { domain: [MODEL, OUTSIDE], range: ['#4c78a8', '#e45756'] } };
  const spec: Spec = {
    title: { text: title, subtitle: 'E‖∇f(x₀)‖₂² = d for every width, depth and symmetric bias law (BRIEF §4)' },
    width: WIDTH,
    height: Math.max(80, 18 * cells.length),
    layer: [
      { data: { values }, mark: { type: 'rule' }, encoding: { y, x: { field: 'low', type: 'quantitative', title: '‖∇f(x₀)‖₂² / d  (mean, 95% CI)' }, x2: { field: 'high' }, color } },
      { data: { values }, mark: { type: 'point', filled: true, size: 40 }, encoding: { y, x: { field: 'mean', type: 'quantitative' }, color } },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#333333' }, encoding: { x: { field: 'one', type: 'quantitative' } } },
    ],
  };
  const caption =
    `The single-point statistic ‖∇f(x₀)‖₂²/d at x₀ = (1, …, 1)/√d for each of ${cells.length} cells: mean over the cell's draws with a 95% Student-t interval (none for a single draw). ` +
    'Dashed: the expected value 1 in the papers’ model (He fan-out weights, symmetric bias law); red cells are outside it and need not sit at 1.';
  return { file, title, caption, spec, skipped: null };
}

/** Every plot of the report, in order: a spec or the reason it is skipped. */
export function planPlots(rows: readonly StudyRow[], calibration: Calibration | null): PlotResult[] {
  return [shallowWidth(rows), shallowDimension(rows), deep(rows, calibration), biasLaws(rows, calibration), lp(rows, calibration), pointGradient(rows)];
}

/** The file names of every plot the report may contain, in order. */
export const PLOT_FILES: readonly string[] = ['shallow-width.svg', 'shallow-dimension.svg', 'deep.svg', 'bias-laws.svg', 'lp.svg', 'point-gradient.svg'];

/**
 * Renders a Vega-Lite spec to a standalone SVG string. Element ids (Vega's clip paths) get the
 * prefix, so that several SVGs can be inlined in one HTML page without their ids colliding.
 * Warnings of the compiler and the runtime are appended to `warnings`.
 */
export async function renderSvg(spec: Spec, idPrefix: string, warnings: string[] = []): Promise<string> {
  // Loaded here, not at the top: Vega takes about a second to load, which every lipcheck command
  // (and its --time-limit) would otherwise pay.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const logger = vega.logger(vega.Warn, undefined, (_method, level, args) => {
    warnings.push(`${idPrefix}: ${level} ${args.map(String).join(' ')}`);
  });
  const full = { background: 'white', config: { font: 'sans-serif', axis: { titleFontWeight: 'normal', labelLimit: 240 }, legend: { labelLimit: 360, symbolOpacity: 1 } }, ...spec } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(full, { logger }).spec), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`).replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
  } finally {
    view.finalize();
  }
}
