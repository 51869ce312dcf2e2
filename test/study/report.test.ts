import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport, writeReport, reproduceCommand, bandChecks, cellSummaries, type ReportInfo } from '../../src/study/report.js';
import { PLOT_FILES, renderSvg, planPlots } from '../../src/study/plots.js';
import { computeCell, type StudyRow } from '../../src/study/compute.js';
import type { StudyCell } from '../../src/study/config.js';
import type { BandConstants, Calibration } from '../../src/theory/calibration.js';
import { linearFit } from '../../src/theory/stats.js';
import { shapeFits } from '../../src/study/shapeReport.js';
import { cli } from '../support/cli.js';

/** A small deterministic generator (LCG), so the synthetic rows are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function row(p: Partial<Omit<StudyRow, 'd' | 'widths'>> & { d: number; widths: number[]; lip: number | null }, draw: number): StudyRow {
  const { d, widths, lip, ...rest } = p;
  const bias = rest.bias ?? 'normal:1';
  const norm = rest.norm ?? '2';
  const weights = rest.weights ?? 'he-fanout';
  const group = rest.group ?? (widths.length === 1 ? 'shallow' : 'deep');
  const cell = `${group}/d${d}/w${widths.join('x')}/${bias}/p${norm}/${weights}`;
  return {
    cell,
    group,
    d,
    L: widths.length,
    N: Math.max(...widths),
    widths: widths.join('x'),
    bias,
    weights,
    norm,
    draw,
    seed: `7:${cell}:${draw}`,
    lipschitz: lip,
    lower: rest.lower ?? (lip as number),
    upper: rest.upper ?? (lip as number),
    pointNormSquared: rest.pointNormSquared ?? d,
    pointNorm: rest.pointNorm ?? Math.sqrt(d),
    seconds: 0.01,
  };
}

/** Rows shaped like a real study: shallow (two bias laws), deep, lp, one bracket, one fan-in cell. */
function syntheticRows(): StudyRow[] {
  const rand = lcg(12345);
  const rows: StudyRow[] = [];
  const draws = 4;
  for (const bias of ['normal:1', 'uniform:1']) {
    for (const d of [1, 2, 4, 8]) {
      for (const N of [8, 16, 32, 64]) {
        for (let k = 0; k < draws; k++) {
          rows.push(row({ d, widths: [N], bias, lip: Math.sqrt(d) * (1.2 + 0.8 * rand()), pointNormSquared: d * (0.4 + 1.2 * rand()) }, k));
        }
      }
    }
  }
  for (const widths of [[8, 8], [16, 16], [8, 8, 8], [16, 16, 16]]) {
    for (let k = 0; k < draws; k++) rows.push(row({ d: 2, widths, lip: Math.SQRT2 * (1.5 + rand()), pointNormSquared: 2 * (0.5 + rand()) }, k));
  }
  for (const d of [2, 4, 6]) {
    for (let k = 0; k < draws; k++) {
      rows.push(row({ d, widths: [32], norm: 'inf', lip: Math.sqrt(2 / Math.PI) * d * (1.4 + 0.5 * rand()), group: 'lp' }, k));
      rows.push(row({ d, widths: [32], norm: '1', lip: Math.sqrt(d) * (1.4 + 0.5 * rand()), group: 'lp' }, k));
    }
  }
  // Only a certified bracket (midpoint 2·√8), and a fan-in cell that no band speaks to.
  rows.push(row({ d: 8, widths: [64], lip: null, lower: 1.5 * Math.sqrt(8), upper: 2.5 * Math.sqrt(8), group: 'big' }, 0));
  for (let k = 0; k < 3; k++) rows.push(row({ d: 2, widths: [16], weights: 'he-fanin', lip: 4 * (1 + rand()), pointNormSquared: 9 * rand() }, k));
  return rows;
}

function band(c: number, C: number, draws: number): BandConstants {
  return { c, C, draws, lowQuantile: c / 0.75, highQuantile: (C * 3) / 4, minRatio: c, maxRatio: C, meanRatio: (c + C) / 2 };
}

const calibration: Calibration = {
  rule: 'test rule',
  config: 'config/calibrate.json',
  generatedBy: 'lipcheck study --config config/calibrate.json --calibrate',
  bands: { shallow: band(0.6125, 3.1875, 240), deep: band(0.5375, 1.4625, 120), linf: band(0.8125, 2.6875, 36), l1: band(0.9375, 2.8125, 36) },
};

const info: ReportInfo = { title: 'Test study', configName: 'test.json', calibration, generatedAt: '2025-01-01T00:00:00Z', command: 'lipcheck study --config test.json' };

/** The same selection the report uses for the theorem plots: shallow, p = 2, He fan-out. */
const shallowOf = (rows: readonly StudyRow[]) => rows.filter((r) => r.L === 1 && r.norm === '2' && r.weights === 'he-fanout');
const estimate = (r: StudyRow) => r.lipschitz ?? (r.lower + r.upper) / 2;

function wellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg.match(/<svg\b/g)?.length).toBe(svg.match(/<\/svg>/g)?.length);
  expect(svg).toMatch(/<text\b/); // axes and titles are drawn
}

describe('renderReport on a full synthetic study', async () => {
  const rows = syntheticRows();
  const report = await renderReport(rows, info);

  it('draws every plot as well-formed SVG, without compiler or runtime warnings', async () => {
    expect(Object.keys(report.svgs).sort()).toEqual([...PLOT_FILES].sort());
    for (const svg of Object.values(report.svgs)) wellFormedSvg(svg);
    const warnings: string[] = [];
    for (const p of planPlots(rows, calibration)) if (p.spec) await renderSvg(p.spec, 'x', warnings);
    expect(warnings).toEqual([]);
  });

  it('inlines every SVG into a self-contained page with unique element ids', () => {
    for (const svg of Object.values(report.svgs)) expect(report.html).toContain(svg);
    expect(report.html).not.toMatch(/<script|<link|<img|@import|@font-face|url\(\s*["']?https?:/i);
    const ids = [...report.html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of report.html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
    expect(report.html).toContain('No plot was skipped.');
  });

  it('tabulates the calibrated constants and the cells', async () => {
    for (const b of Object.values(calibration.bands)) {
      expect(report.html).toContain(`<td>${b.c.toFixed(3)}</td>`);
      expect(report.html).toContain(`<td>${b.C.toFixed(3)}</td>`);
      expect(report.html).toContain(`<td>${b.draws}</td>`);
      expect(report.summary).toContain(`c = ${b.c.toFixed(3)}, C = ${b.C.toFixed(3)} (${b.draws} draws)`);
    }
    const cells = cellSummaries(rows, calibration);
    expect(cells.length).toBe(new Set(rows.map((r) => r.cell)).size);
    for (const c of cells) expect(report.html).toContain(c.cell);
    const big = cells.find((c) => c.cell.startsWith('big/'));
    expect(big).toMatchObject({ draws: 1, exact: 0, median: 2, min: 2, max: 2 });
    // Which constants are lipcheck's and which the papers', and where the values came from.
    expect(report.html).toMatch(/Calibrated by lipcheck<\/strong>: the constants c and C/);
    expect(report.html).toMatch(/The papers'<\/strong>: every scale they multiply/);
    expect(report.html).toContain('no method, seed or cross-check recorded');
    await expect(renderReport(rows, { ...info, calibration: { ...calibration, provenance: { method: 'M', seed: 5, crosscheck: { tool: 'T', rows: 9, maxRelativeDifference: 2e-12 } } } })).resolves.toMatchObject({
      html: expect.stringMatching(/Values: M; study seed 5; 9 rows recomputed by T, largest relative difference 2\.0e-12\./),
    });
  });

  it('states the log-log slopes with intervals from the bracket ends', () => {
    const sh = shallowOf(rows);
    // Through the midpoints the slope is linearFit's; the interval contains linearFit's (it also
    // covers the one bracketed row's whole bracket) and equals it once that row is exact.
    const fitD = linearFit(
      sh.map((r) => Math.log(r.d)),
      sh.map((r) => Math.log(estimate(r))),
    );
    const mD = /slope of shallow Lip₂ against d: (-?\d+\.\d+), (-?\d+\.\d+)–(-?\d+\.\d+) over the brackets \(95% CI (-?\d+\.\d+) to (-?\d+\.\d+) from the bracket ends/.exec(report.summary);
    expect(mD, report.summary).not.toBeNull();
    const [lo, hi] = fitD.slopeInterval(0.95);
    expect(Number(mD![1])).toBeCloseTo(fitD.slope, 3);
    expect(Number(mD![2])).toBeLessThan(fitD.slope);
    expect(Number(mD![3])).toBeGreaterThan(fitD.slope);
    expect(Number(mD![4])).toBeLessThan(lo);
    expect(Number(mD![5])).toBeGreaterThan(hi);
    const exactOnly = sh.filter((r) => r.lipschitz !== null);
    const fitExact = linearFit(exactOnly.map((r) => Math.log(r.d)), exactOnly.map((r) => Math.log(r.lipschitz as number)));
    const f = shapeFits(exactOnly).find((x) => x.name === 'shallow Lip₂ against d')!;
    expect(f.low).toBeCloseTo(fitExact.slopeInterval(0.95)[0], 10);
    expect(f.high).toBeCloseTo(fitExact.slopeInterval(0.95)[1], 10);
    expect(report.svgs['shallow-dimension.svg']).toContain(`slope ${fitD.slope.toFixed(3)} ± ${((hi - lo) / 2).toFixed(3)}`);

    const fitN = linearFit(
      sh.map((r) => Math.log(r.N)),
      sh.map((r) => Math.log(estimate(r) / Math.sqrt(r.d))),
    );
    const mN = /slope of shallow Lip₂\/√d against N: (-?\d+\.\d+)/.exec(report.summary);
    expect(Number(mN![1])).toBeCloseTo(fitN.slope, 3);
    // The rows were built with Lip = √d·(1.2 + 0.8u), independent of N, from a fixed generator: the
    // interval for the N-slope contains 0 here, so the verdict must be 'flat in N' (and the d-slope ½).
    const [nlo, nhi] = fitN.slopeInterval(0.95);
    expect(nlo).toBeLessThanOrEqual(0);
    expect(nhi).toBeGreaterThanOrEqual(0);
    expect(report.summary).toContain('flat in N');
    expect(fitD.slope).toBeGreaterThan(0.45);
    expect(fitD.slope).toBeLessThan(0.55);
    expect(report.summary).toMatch(/other slopes, intervals from the bracket ends: Lip₁ against d \d\.\d+ \(95% CI/);
    expect(report.summary).toMatch(/brackets: 1 networks with a certified \[lower, upper\] only \(upper\/lower median 1\.667/);
    expect(report.html).toContain('<section id="fits">');
    expect(report.html).toMatch(/<section id="brackets">[\s\S]*big\/d8\/w64[\s\S]*1\.667/);
  });

  it('keeps the terminal summary to about a dozen lines with the path hints and a reproduce command', () => {
    const lines = report.summary.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(report.summary).toMatch(/networks: \d+ in \d+ cells/);
    expect(report.summary).toMatch(/single point ‖∇f\(x₀\)‖₂²\/d: mean \d/);
    expect(report.summary).toMatch(/Lip_∞\/\(√\(2\/π\)·d\) median/);
    expect(report.summary).toContain('report: report.html');
    expect(report.summary).toContain(reproduceCommand(rows[0]));
    expect(report.html).toContain('lipcheck sample --input-dim 1 --widths 8 --bias normal:1 --weights he-fanout --seed 7:shallow/d1/w8/normal:1/p2/he-fanout:0 | lipcheck exact - --norm 2');
  });
});

describe('band checks', () => {
  it('counts rows outside the calibrated band; a bracket only when the whole bracket is outside', () => {
    const rows = [
      row({ d: 4, widths: [16], lip: 2 * 1.0 }, 0), // ratio 1: inside
      row({ d: 4, widths: [16], lip: 2 * 5.0 }, 1), // ratio 5 > C: outside
      row({ d: 4, widths: [16], lip: 2 * 0.1 }, 2), // ratio 0.1 < c: outside
      row({ d: 4, widths: [16], lip: null, lower: 2 * 2, upper: 2 * 4 }, 3), // bracket crosses C: undecided
      row({ d: 4, widths: [16], lip: null, lower: 2 * 3.5, upper: 2 * 4 }, 4), // whole bracket above C: outside
      row({ d: 4, widths: [16], weights: 'he-fanin', lip: 100 }, 5), // no band
    ];
    const checks = bandChecks(rows, calibration);
    expect(checks.find((c) => c.kind === 'shallow')).toEqual({ kind: 'shallow', checked: 5, outside: 3, undecided: 1 });
    expect(checks.find((c) => c.kind === 'deep')).toEqual({ kind: 'deep', checked: 0, outside: 0, undecided: 0 });
    expect(bandChecks(rows, null)).toEqual([]);
  });
});

describe('plots without their data', () => {
  it('skips them and says so', async () => {
    const rows = [0, 1, 2, 3].map((k) => row({ d: 2, widths: [16], lip: 2 + 0.1 * k }, k));
    const report = await renderReport(rows, { ...info, calibration: null });
    expect(Object.keys(report.svgs).sort()).toEqual(['point-gradient.svg', 'shallow-width.svg']);
    for (const file of ['shallow-dimension.svg', 'deep.svg', 'bias-laws.svg', 'lp.svg']) {
      expect(report.html).toMatch(new RegExp(`<li><strong>${file.replace('.', '\\.')}</strong>[^<]*: skipped, `));
      expect(report.summary).toContain(file);
    }
    expect(report.summary).toMatch(/slope of shallow Lip₂ against d: not fitted/);
    expect(report.html).toContain('Every network has an exact constant');
    expect(report.summary).toContain('no calibration given');
    expect(report.html).toContain('No calibration was given');
  });

  it('renders an empty study without failing', async () => {
    const report = await renderReport([], { ...info, calibration: null });
    expect(report.svgs).toEqual({});
    expect(report.html).toContain('No plot could be drawn');
    expect(report.summary).toMatch(/networks: 0 in 0 cells/);
  });
});

describe('real rows and files', async () => {
  const cell = (inputDim: number, widths: number[], norm: '2' | 'inf'): StudyCell => ({
    id: `tiny/d${inputDim}/w${widths.join('x')}/normal:1/p${norm}/he-fanout`,
    group: 'tiny',
    inputDim,
    widths,
    bias: 'normal:1',
    norm,
    weights: 'he-fanout',
    draws: 3,
    timeLimit: 4,
  });
  const rows = [
    ...(await computeCell(7, cell(2, [8], '2'))),
    ...(await computeCell(7, cell(1, [8], '2'))),
    ...(await computeCell(7, cell(2, [6, 6], '2'))),
    ...(await computeCell(7, cell(2, [8], 'inf'))),
  ];

  it('reports computed rows, and the reproduce command recomputes the first one', async () => {
    expect(rows.every((r) => r.lipschitz !== null)).toBe(true);
    const report = await renderReport(rows, info);
    for (const f of ['shallow-width.svg', 'shallow-dimension.svg', 'deep.svg', 'lp.svg', 'point-gradient.svg']) wellFormedSvg(report.svgs[f]);
    expect(report.svgs['bias-laws.svg']).toBeUndefined();

    const [sample, exact] = reproduceCommand(rows[0]).split(' | ');
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-report-'));
    try {
      const drawn = await cli(...sample.split(' ').slice(1));
      expect(drawn.code).toBe(0);
      writeFileSync(join(dir, 'net.json'), drawn.stdout);
      const args = exact.split(' ').slice(1).map((a) => (a === '-' ? join(dir, 'net.json') : a));
      const out = await cli(...args, '--json');
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout).lipschitz).toBeCloseTo(rows[0].lipschitz as number, 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeReport writes report.html, svg/*.svg and summary.txt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-report-'));
    try {
      const out = join(dir, 'out');
      const summary = await writeReport(out, rows, info);
      expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toBe(summary);
      expect(summary).toContain(join(out, 'report.html'));
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      const files = readdirSync(join(out, 'svg')).sort();
      expect(files).toEqual(['deep.svg', 'lp.svg', 'point-gradient.svg', 'shallow-dimension.svg', 'shallow-width.svg']);
      for (const f of files) {
        const svg = readFileSync(join(out, 'svg', f), 'utf8');
        wellFormedSvg(svg);
        expect(html).toContain(svg);
      }
      expect(readdirSync(out).sort()).toEqual(['report.html', 'summary.txt', 'svg']); // no temporary files left
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
