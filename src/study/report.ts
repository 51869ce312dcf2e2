import { join } from 'node:path';
import type { StudyRow } from './compute.js';
import type { Calibration } from '../theory/calibration.js';
import { BAND_KINDS, bandFormula, bandScales, type BandKind } from '../theory/bands.js';
import { quantile } from '../theory/stats.js';
import { writeFileAtomic } from '../io/files.js';
import {
  bandRows,
  groupBy,
  inPapersModel,
  meanInterval,
  planPlots,
  renderSvg,
  rowEstimate,
  rowKind,
  rowScale,
  type PlotResult,
} from './plots.js';
import { bracketSummary, fitLine, shapeFits, type ShapeFit } from './shapeReport.js';

/** What the report says about where it comes from. */
export interface ReportInfo {
  readonly title: string;
  readonly configName: string;
  /** The calibrated band constants to check the rows against (null: no band checks). */
  readonly calibration: Calibration | null;
  readonly generatedAt: string;
  /** The command that produced the rows, shown verbatim. */
  readonly command: string;
}

export interface Report {
  /** A self-contained page: inline CSS and SVG, no scripts, fonts or other external resources. */
  readonly html: string;
  /** The SVG of every plot drawn, keyed by file name (e.g. `shallow-width.svg`). */
  readonly svgs: Record<string, string>;
  /** A plain-text summary of about a dozen lines. */
  readonly summary: string;
}

// ---------------------------------------------------------------------------------------------
// Tables

export interface BandCheck {
  readonly kind: BandKind;
  /** Rows of the band (He fan-out, the band's depth and norm) with a finite value or bracket. */
  readonly checked: number;
  /** Rows certainly outside [c·lowerScale, C·upperScale]: exact value, or whole bracket, outside. */
  readonly outside: number;
  /** Bracketed rows whose bracket crosses c or C, so that the band can be neither confirmed nor refuted. */
  readonly undecided: number;
}

function rowOutside(r: StudyRow, kind: BandKind, c: number, C: number): 'inside' | 'outside' | 'undecided' | null {
  const s = bandScales(kind, r.d, r.L, r.N);
  const lo = r.lipschitz ?? r.lower;
  const hi = r.lipschitz ?? r.upper;
  if (!Number.isFinite(lo) || Number.isNaN(hi)) return null;
  if (hi / s.lower < c || lo / s.upper > C) return 'outside';
  if (lo / s.lower < c || hi / s.upper > C) return 'undecided';
  return 'inside';
}

/**
 * For every band with calibrated constants, how many rows fall outside it. An exact row is outside
 * when Lip/lowerScale < c or Lip/upperScale > C; a bracketed row counts as outside only when the
 * whole certified bracket is, and as undecided when the bracket crosses a bound.
 */
export function bandChecks(rows: readonly StudyRow[], calibration: Calibration | null): BandCheck[] {
  if (!calibration) return [];
  const out: BandCheck[] = [];
  for (const kind of BAND_KINDS) {
    const band = calibration.bands[kind];
    if (!band) continue;
    let checked = 0;
    let outside = 0;
    let undecided = 0;
    for (const r of rows) {
      if (rowKind(r) !== kind) continue;
      const v = rowOutside(r, kind, band.c, band.C);
      if (v === null) continue;
      checked++;
      if (v === 'outside') outside++;
      if (v === 'undecided') undecided++;
    }
    out.push({ kind, checked, outside, undecided });
  }
  return out;
}

export interface CellSummary {
  readonly cell: string;
  readonly draws: number;
  readonly exact: number;
  /** `√d` or `√(2/π)·d`: what Lip is divided by. */
  readonly scale: string;
  /** Median, minimum and maximum of Lip/scale (bracket midpoints where not exact; NaN if none). */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Rows certainly outside the calibrated band (null: no band or no calibration applies). */
  readonly outside: number | null;
}

/** One line per cell, in the order the cells first appear in the rows. */
export function cellSummaries(rows: readonly StudyRow[], calibration: Calibration | null): CellSummary[] {
  return [...groupBy(rows, (r) => r.cell).entries()].map(([cell, g]) => {
    const ratios = g.flatMap((r) => {
      const e = rowEstimate(r);
      return e ? [e.value / rowScale(r).value] : [];
    });
    const kind = rowKind(g[0]);
    const band = kind ? calibration?.bands[kind] : undefined;
    const outside = kind && band ? g.filter((r) => rowOutside(r, kind, band.c, band.C) === 'outside').length : null;
    return {
      cell,
      draws: g.length,
      exact: g.filter((r) => r.lipschitz !== null).length,
      scale: rowScale(g[0]).label,
      median: ratios.length ? quantile(ratios, 0.5) : NaN,
      min: ratios.length ? Math.min(...ratios) : NaN,
      max: ratios.length ? Math.max(...ratios) : NaN,
      outside,
    };
  });
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_.,:/=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The shell command that redraws a row's network from its seed and recomputes its exact constant. */
export function reproduceCommand(r: StudyRow): string {
  return (
    `lipcheck sample --input-dim ${r.d} --widths ${r.widths.split('x').join(',')} --bias ${shellWord(r.bias)} ` +
    `--weights ${shellWord(r.weights)} --seed ${shellWord(r.seed)} | lipcheck exact - --norm ${shellWord(r.norm)}`
  );
}

// ---------------------------------------------------------------------------------------------
// Summary

/** Numbers for tables and text: three decimals in the usual range, three significant digits outside it. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a === 0 || (a >= 0.01 && a < 1e5) ? x.toFixed(3) : x.toPrecision(3);
}

function ratioLine(label: string, ratios: number[], midpoints: number): string {
  if (ratios.length === 0) return `${label}: no rows`;
  const mid = midpoints > 0 ? `; ${midpoints} bracket midpoints` : '';
  return `${label}: median ${fmt(quantile(ratios, 0.5))}, 5–95% ${fmt(quantile(ratios, 0.05))}–${fmt(quantile(ratios, 0.95))} (n = ${ratios.length}${mid})`;
}

function summaryLines(rows: readonly StudyRow[], info: ReportInfo, plots: readonly PlotResult[], paths: { html: string; svg: string; summary: string }): string[] {
  const lines: string[] = [];
  const cells = new Set(rows.map((r) => r.cell)).size;
  const exact = rows.filter((r) => r.lipschitz !== null).length;
  const noBand = rows.filter((r) => rowKind(r) === null).length;
  lines.push(`lipcheck report: ${info.title} (config ${info.configName}, ${info.generatedAt})`);
  lines.push(
    `networks: ${rows.length} in ${cells} cells; ${exact} exact, ${rows.length - exact} with a certified bracket only` +
      (noBand > 0 ? `; ${noBand} outside every theorem band (fan-in weights or deep lp)` : ''),
  );

  const shallow = bandRows(rows, 'shallow');
  lines.push(ratioLine('shallow Lip₂/√d', shallow.map((p) => p.est.value / Math.sqrt(p.row.d)), shallow.filter((p) => !p.est.exact).length));
  const fits = new Map(shapeFits(rows).map((f) => [f.name, f]));
  const dFit = fits.get('shallow Lip₂ against d');
  lines.push(dFit ? fitLine(dFit) : 'slope of shallow Lip₂ against d: not fitted (needs ≥ 3 shallow rows and ≥ 2 values of d)');
  const nFit = fits.get('shallow Lip₂/√d against N');
  lines.push(
    nFit
      ? `${fitLine(nFit)}: ` +
          (nFit.low <= 0 && nFit.high >= 0
            ? 'flat in N'
            : nFit.high < 0.25
              ? 'far below the 0.5 of √N growth (pattern-agnostic bounds): bounded in N, as the theorem says (the medians rise at small N and level off)'
              : nFit.low > 0.25
                ? 'GROWS with N: the slope is clearly above 0.25, unlike the theorem (Lip₂ ≍ √d whatever N)'
                : 'not clearly below 0.25: the brackets or the draws cannot tell bounded from √N-like growth here')
      : 'slope of shallow Lip₂/√d against N: not fitted (needs ≥ 3 shallow rows and ≥ 2 widths N)',
  );
  const others = ['shallow Lip₁ against d', 'shallow Lip_∞ against d', 'deep Lip₂/√d against L'].flatMap((name) => {
    const f = fits.get(name);
    return f ? [`${name.replace('shallow ', '')} ${f.midSlope.toFixed(3)} (95% CI ${f.low.toFixed(3)} to ${f.high.toFixed(3)})`] : [];
  });
  if (others.length) lines.push(`other slopes, intervals from the bracket ends: ${others.join('; ')}`);
  const brackets = bracketSummary(rows);
  if (brackets) lines.push(brackets);
  const deep = bandRows(rows, 'deep');
  if (deep.length > 0) {
    // Certified: a bracketed row contributes its lower end (a midpoint could sit far above Lip).
    const maxScaled = Math.max(...deep.map((p) => (p.row.lipschitz ?? p.row.lower) / bandScales('deep', p.row.d, p.row.L, p.row.N).upper));
    lines.push(ratioLine('deep Lip₂/√d', deep.map((p) => p.est.value / Math.sqrt(p.row.d)), deep.filter((p) => !p.est.exact).length) + `; max Lip₂/(√d·L·√log N) ${deep.every((p) => p.est.exact) ? '' : 'at least '}${fmt(maxScaled)}`);
  }
  const pts = rows.filter((r) => inPapersModel(r) && Number.isFinite(r.pointNormSquared)).map((r) => r.pointNormSquared / r.d);
  if (pts.length > 0) {
    const m = meanInterval(pts);
    const ci = pts.length > 1 ? `95% CI ${fmt(m.low)} to ${fmt(m.high)}, ` : '';
    lines.push(`single point ‖∇f(x₀)‖₂²/d: mean ${fmt(m.mean)} (${ci}n = ${m.n} in the papers' model; theory 1)`);
  } else {
    lines.push("single point ‖∇f(x₀)‖₂²/d: no rows in the papers' model (he-fanout, symmetric bias)");
  }
  const lp = (['linf', 'l1'] as const).flatMap((kind) => {
    const b = bandRows(rows, kind);
    if (b.length === 0) return [];
    const r = b.map((p) => p.est.value / bandScales(kind, p.row.d, p.row.L, p.row.N).lower);
    return [`${kind === 'linf' ? 'Lip_∞/(√(2/π)·d)' : 'Lip₁/√d'} median ${fmt(quantile(r, 0.5))} (${fmt(Math.min(...r))}–${fmt(Math.max(...r))}, n = ${r.length})`];
  });
  lines.push(lp.length ? `lp (shallow): ${lp.join('; ')}` : 'lp (shallow): no rows with p = ∞ or p = 1');

  if (info.calibration) {
    const checks = new Map(bandChecks(rows, info.calibration).map((c) => [c.kind, c]));
    lines.push(`calibrated bands (from ${info.calibration.config}):`);
    for (const kind of BAND_KINDS) {
      const band = info.calibration.bands[kind];
      if (!band) continue;
      const ch = checks.get(kind);
      const here = ch && ch.checked > 0 ? `${ch.outside} of ${ch.checked} outside${ch.undecided > 0 ? `, ${ch.undecided} undecided` : ''}` : 'no rows here';
      lines.push(`  ${kind.padEnd(7)} c = ${fmt(band.c)}, C = ${fmt(band.C)} (${band.draws} draws): ${here}`);
    }
  } else {
    lines.push('calibrated bands: no calibration given, rows not checked');
  }
  const drawn = plots.filter((p) => p.skipped === null).length;
  const skipped = plots.filter((p) => p.skipped !== null).map((p) => p.file);
  lines.push(`plots: ${drawn} drawn${skipped.length ? `; skipped (no data): ${skipped.join(', ')}` : ''}`);
  if (rows.length > 0) lines.push(`reproduce row 1: ${reproduceCommand(rows[0])}`);
  lines.push(`report: ${paths.html}  plots: ${paths.svg}  summary: ${paths.summary}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// HTML

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.9rem; } code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; }
figure { margin: 1.5rem 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: #444; font-size: 0.9rem; max-width: 900px; }
table { border-collapse: collapse; font-size: 0.85rem; } th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f0f0f0; } td.left, th.left { text-align: left; } .skipped li { color: #8a5a00; }
`;

function table(head: string[], body: string[][], leftColumns = 1): string {
  const cls = (i: number): string => (i < leftColumns ? ' class="left"' : '');
  const th = head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('');
  const trs = body.map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

function constantsSection(rows: readonly StudyRow[], calibration: Calibration | null): string {
  if (!calibration) return '<p>No calibration was given: the rows are not checked against calibrated constants.</p>';
  const checks = new Map(bandChecks(rows, calibration).map((c) => [c.kind, c]));
  const body = BAND_KINDS.flatMap((kind) => {
    const b = calibration.bands[kind];
    if (!b) return [];
    const ch = checks.get(kind);
    const here = ch && ch.checked > 0 ? `${ch.outside} of ${ch.checked}${ch.undecided ? ` (${ch.undecided} undecided)` : ''}` : '—';
    return [[kind, bandFormula(kind), fmt(b.c), fmt(b.C), String(b.draws), here]];
  });
  const p = calibration.provenance;
  const how = p
    ? ` Values: ${esc(p.method)}; study seed ${p.seed}` + (p.crosscheck ? `; ${p.crosscheck.rows} rows recomputed by ${esc(p.crosscheck.tool)}, largest relative difference ${p.crosscheck.maxRelativeDifference.toExponential(1)}.` : '.')
    : ' (An older calibration file: no method, seed or cross-check recorded.)';
  return (
    `<p>From <code>${esc(calibration.config)}</code> (${esc(calibration.generatedBy)}). Rule: ${esc(calibration.rule)}.${how}</p>\n` +
    `<p><strong>Calibrated by lipcheck</strong>: the constants c and C of each band (the papers prove they exist but leave them implicit). ` +
    `<strong>The papers'</strong>: every scale they multiply — √d (paper A), √d·L·√(log N) (paper B's form: linear in depth, logarithmic in width), √(2/π)·d = E‖g‖₁ and √d ≈ E‖g‖₂ (paper B) — and the slopes the shape fits are read against (½ in d, 0 in N, 1 for ℓ∞).</p>\n` +
    (body.length ? table(['band', 'statement', 'c', 'C', 'draws', 'outside in this study'], body, 2) : '<p>The calibration has no bands.</p>')
  );
}

function cellsSection(rows: readonly StudyRow[], calibration: Calibration | null): string {
  const cells = cellSummaries(rows, calibration);
  if (cells.length === 0) return '<p>No rows.</p>';
  const withBand = calibration !== null;
  const head = ['cell', 'draws', 'exact', 'scale', 'median Lip/scale', 'min – max', ...(withBand ? ['outside band'] : [])];
  const body = cells.map((c) => [c.cell, String(c.draws), String(c.exact), c.scale, fmt(c.median), `${fmt(c.min)} – ${fmt(c.max)}`, ...(withBand ? [c.outside === null ? '—' : String(c.outside)] : [])]);
  return `<p>Lip/scale uses the exact constant where known, else the midpoint of the certified bracket.</p>\n${table(head, body)}`;
}

function fitsSection(rows: readonly StudyRow[]): string {
  const fits: ShapeFit[] = shapeFits(rows);
  if (fits.length === 0) return '<p>No slope can be fitted from these rows.</p>';
  const body = fits.map((f) => [f.name, f.midSlope.toFixed(3), f.bracketed ? `${f.minSlope.toFixed(3)} – ${f.maxSlope.toFixed(3)}` : '(all exact)', `${f.low.toFixed(3)} – ${f.high.toFixed(3)}`, f.theory, `${f.n} (${f.bracketed} bracketed)`]);
  return (
    '<p>Least-squares slopes of log Lip on log x. A network known only by a certified bracket enters with both ends: the slope ranges over the box of brackets ' +
    '(its extremes sit at bracket ends), and the 95% interval widens that range by a standard error bounded over the whole box (lipcheck theory/shape.ts).</p>\n' +
    table(['fit', 'slope (midpoints)', 'range over the brackets', '95% CI', 'theory', 'networks'], body)
  );
}

function bracketsSection(rows: readonly StudyRow[]): string {
  const bracketed = rows.filter((r) => r.lipschitz === null);
  if (bracketed.length === 0) return '<p>Every network has an exact constant.</p>';
  const body = bracketed.map((r) => [r.cell, String(r.draw), fmt(r.lower), fmt(r.upper), fmt(r.upper / r.lower), r.method ?? '—']);
  return `<p>${bracketed.length} networks have a certified bracket only: the lower end is the Jacobian norm at a witness point, the upper end a sound bound.</p>\n${table(['cell', 'draw', 'lower', 'upper', 'upper/lower', 'methods (lower / upper)'], body)}`;
}

function renderHtml(rows: readonly StudyRow[], info: ReportInfo, plots: readonly PlotResult[], svgs: Record<string, string>, summary: string): string {
  const figures = plots
    .filter((p) => p.skipped === null)
    .map((p) => `<figure id="${esc(p.file.replace(/\.svg$/, ''))}">\n${svgs[p.file]}\n<figcaption><strong>${esc(p.file)}</strong>: ${esc(p.caption)}</figcaption>\n</figure>`)
    .join('\n');
  const skipped = plots.filter((p) => p.skipped !== null);
  const skippedHtml = skipped.length
    ? `<p>These plots were skipped because the rows lack the data they need:</p>\n<ul class="skipped">\n${skipped.map((p) => `<li><strong>${esc(p.file)}</strong> (${esc(p.title)}): skipped, ${esc(p.skipped as string)}.</li>`).join('\n')}\n</ul>`
    : '<p>No plot was skipped.</p>';
  const reproduce = rows.length
    ? `<p>Every row's network is determined by its seed (a string), so any row can be redrawn and recomputed on its own:</p>\n` +
      `<pre>lipcheck sample --input-dim D --widths W --bias B --weights V --seed S | lipcheck exact - --norm P</pre>\n` +
      `<p>with W the hidden widths separated by commas. The first row (cell <code>${esc(rows[0].cell)}</code>, draw ${rows[0].draw}):</p>\n<pre>${esc(reproduceCommand(rows[0]))}</pre>\n` +
      `<p>For a row with only a certified bracket, <code>lipcheck bounds - --norm P</code> in place of <code>exact</code> recomputes a bracket (the study spent its time limit per network on the exact solver first).</p>`
    : '<p>No rows.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(info.title)}</h1>
<p class="meta">Configuration <code>${esc(info.configName)}</code> · generated ${esc(info.generatedAt)} · command <code>${esc(info.command)}</code></p>
</header>
<section id="summary">
<h2>Summary</h2>
<pre>${esc(summary)}</pre>
</section>
<section id="plots">
<h2>Plots</h2>
${figures || '<p>No plot could be drawn from these rows.</p>'}
<h3>Skipped plots</h3>
${skippedHtml}
</section>
<section id="fits">
<h2>Slopes with intervals from the bracket ends</h2>
${fitsSection(rows)}
</section>
<section id="constants">
<h2>Calibrated constants</h2>
${constantsSection(rows, info.calibration)}
</section>
<section id="cells">
<h2>Cells</h2>
${cellsSection(rows, info.calibration)}
</section>
<section id="brackets">
<h2>Brackets</h2>
${bracketsSection(rows)}
</section>
<section id="reproduce">
<h2>Reproduce any row</h2>
${reproduce}
</section>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Entry points

async function build(rows: readonly StudyRow[], info: ReportInfo, paths: { html: string; svg: string; summary: string }): Promise<Report> {
  const plots = planPlots(rows, info.calibration);
  const svgs: Record<string, string> = {};
  for (const p of plots) if (p.spec) svgs[p.file] = await renderSvg(p.spec, p.file.replace(/\.svg$/, ''));
  const summary = summaryLines(rows, info, plots, paths).join('\n') + '\n';
  return { html: renderHtml(rows, info, plots, svgs, summary), svgs, summary };
}

/**
 * Renders the study report: a self-contained HTML page, the SVG of each plot the rows have data for
 * (keyed by file name; plots without data are skipped and listed as such in the page), and a
 * terminal summary of about a dozen lines whose path hints are relative to the output directory.
 * Deterministic for given rows and info.
 */
export async function renderReport(rows: readonly StudyRow[], info: ReportInfo): Promise<Report> {
  return build(rows, info, { html: 'report.html', svg: 'svg/*.svg', summary: 'summary.txt' });
}

/**
 * Writes `report.html`, `svg/<plot>.svg` and `summary.txt` under outDir, each atomically (a reader
 * never sees a half-written file), and returns the summary text (with the actual paths).
 */
export async function writeReport(outDir: string, rows: readonly StudyRow[], info: ReportInfo): Promise<string> {
  const paths = { html: join(outDir, 'report.html'), svg: join(outDir, 'svg', '*.svg'), summary: join(outDir, 'summary.txt') };
  const report = await build(rows, info, paths);
  for (const [file, svg] of Object.entries(report.svgs)) writeFileAtomic(join(outDir, 'svg', file), svg);
  writeFileAtomic(paths.html, report.html);
  writeFileAtomic(paths.summary, report.summary);
  return report.summary;
}
