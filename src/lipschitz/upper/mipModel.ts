import { getHighs } from '../../linalg/highs.js';
import { gamma, MIP_SMALL_COEFFICIENT } from './rounding.js';

/**
 * A small builder for mixed-integer programs, solved by HiGHS (WebAssembly). Columns and rows are
 * added by index; rows are sparse. The solve reports HiGHS's proven bound (for a maximisation, an
 * upper bound even when the time limit stops it early), the incumbent and its objective.
 */
export class MipModel {
  private readonly colLower: number[] = [];
  private readonly colUpper: number[] = [];
  private readonly colCost: number[] = [];
  private readonly integrality: number[] = [];
  private readonly rowStarts: number[] = [0];
  private readonly rowIndices: number[] = [];
  private readonly rowValues: number[] = [];
  private readonly rowLower: number[] = [];
  private readonly rowUpper: number[] = [];

  /** Adds a column and returns its index. */
  addColumn(lower: number, upper: number, options: { cost?: number; integer?: boolean } = {}): number {
    this.colLower.push(lower);
    this.colUpper.push(upper);
    this.colCost.push(options.cost ?? 0);
    this.integrality.push(options.integer ? 1 : 0);
    return this.colLower.length - 1;
  }

  /**
   * Adds a row lower ≤ Σ coef·x ≤ upper (Infinity for none); terms on the same column are summed.
   * A coefficient of magnitude ≤ MIP_SMALL_COEFFICIENT is not handed to the solver (HiGHS drops such
   * values, or treats them as noise): its term is moved into the row's range instead, widened by
   * |coef|·max|x| over the column's bounds, so the row sent is a relaxation of the row asked for.
   */
  addRow(terms: readonly (readonly [number, number])[], lower: number, upper: number): void {
    const merged = new Map<number, number>();
    for (const [col, coef] of terms) if (coef !== 0) merged.set(col, (merged.get(col) ?? 0) + coef);
    let slack = 0;
    for (const [col, coef] of merged) {
      if (coef === 0) continue;
      if (Math.abs(coef) <= MIP_SMALL_COEFFICIENT) {
        slack += Math.abs(coef) * Math.max(Math.abs(this.colLower[col]), Math.abs(this.colUpper[col]));
        continue;
      }
      this.rowIndices.push(col);
      this.rowValues.push(coef);
    }
    if (slack > 0) {
      // Outward, with the rounding of the sum and of the subtraction covered.
      slack = slack * (1 + 4 * gamma(merged.size + 2)) + Number.MIN_VALUE;
      lower = lower - slack - Math.abs(lower) * 2 ** -52;
      upper = upper + slack + Math.abs(upper) * 2 ** -52;
    }
    this.rowStarts.push(this.rowIndices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
  }

  /** Sets the objective coefficient of a column. */
  setCost(col: number, cost: number): void {
    this.colCost[col] = cost;
  }

  get columns(): number {
    return this.colLower.length;
  }

  /** Maximises the objective. `timeLimit` in seconds. */
  async maximise(options: { timeLimit: number; relativeGap?: number }): Promise<MipSolution> {
    const highs = await getHighs();
    const inf = highs.infinity;
    // Stryker disable next-line ConditionalExpression,UnaryOperator: highs 1.15's `infinity` is Infinity, so clamp is the identity there (kept for builds whose infinity is finite)
    const clamp = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
    const numRows = this.rowLower.length;
    const refused = (): MipSolution => ({ status: 'other', bound: Infinity, incumbent: -Infinity, solution: null, seconds: 0 });
    // The options first, then the model: HiGHS drops small coefficients as the model is passed, by
    // the small_matrix_value in force then (passed with createModel, the default 1e-9 applied and
    // a row x + 2e-10·y ≤ 0 with y = −1e4 read as x ≤ 0, its optimum 2e-6 lost).
    const model = highs.createModel();
    try {
      model.options.set({
        // Stryker disable next-line BooleanLiteral: highs 1.15 (WebAssembly) logs nothing to the console either way (checked: a solve with true printed nothing); kept for builds that do
        output_flag: false,
        time_limit: Math.max(0.01, options.timeLimit),
        mip_rel_gap: options.relativeGap ?? 1e-6,
        mip_abs_gap: 0,
        primal_feasibility_tolerance: 1e-9,
        dual_feasibility_tolerance: 1e-9,
        mip_feasibility_tolerance: 1e-9,
        // HiGHS drops coefficients below this; addRow has already moved every coefficient
        // ≤ MIP_SMALL_COEFFICIENT into its row's range, so none is dropped silently.
        small_matrix_value: 1e-12,
        random_seed: 0,
      });
      try {
        model.passModel({
          numCols: this.columns,
          numRows,
          sense: highs.constants.objectiveSense.maximize,
          colCost: this.colCost,
          colLower: this.colLower.map(clamp),
          colUpper: this.colUpper.map(clamp),
          rowLower: this.rowLower.map(clamp),
          rowUpper: this.rowUpper.map(clamp),
          matrix: {
            format: 'csr',
            numRows,
            numCols: this.columns,
            starts: new Int32Array(this.rowStarts),
            indices: new Int32Array(this.rowIndices),
            values: new Float64Array(this.rowValues),
          },
          integrality: new Int32Array(this.integrality) as unknown as readonly (0 | 1)[],
        });
      } catch {
        return refused(); // HiGHS refused the model's numbers: no bound rather than a crash
      }
      const started = performance.now();
      try {
        model.run();
      } catch {
        // HiGHS refused the model (e.g. numbers it cannot handle): no bound rather than a wrong one.
        return { status: 'other', bound: Infinity, incumbent: -Infinity, solution: null, seconds: (performance.now() - started) / 1000 };
      }
      const seconds = (performance.now() - started) / 1000;
      const status = model.getModelStatus();
      const codes = highs.constants.modelStatus;
      const read = (name: string): number => {
        try {
          return Number(model.info.get(name));
        } catch {
          return NaN;
        }
      };
      // HiGHS (1.15) has no info item 'mip_primal_bound' (asking throws): the incumbent is the
      // objective value whenever the primal solution status says a feasible solution is available.
      const info = { mip_dual_bound: read('mip_dual_bound'), objective_function_value: read('objective_function_value'), primal_solution_status: read('primal_solution_status') };
      const optimal = status === codes.optimal;
      // Without integer columns HiGHS solves an LP and leaves mip_dual_bound at 0 (it read 0 for
      // max x s.t. x ≤ 0.5): an LP's bound is its optimal objective, and there is none otherwise.
      const isMip = this.integrality.some((v) => v === 1);
      let bound = isMip ? info.mip_dual_bound : optimal ? model.getObjectiveValue() : Infinity;
      if (optimal && !Number.isFinite(bound)) bound = model.getObjectiveValue();
      const feasible = info.primal_solution_status === highs.constants.solutionStatus.feasible && Math.abs(info.objective_function_value) < 1e30;
      const hasIncumbent = feasible || optimal;
      const solution = hasIncumbent ? model.getSolution().colValue.slice() : null;
      return {
        status: optimal ? 'optimal' : status === codes.timeLimit ? 'time-limit' : status === codes.infeasible ? 'infeasible' : 'other',
        bound: Number.isFinite(bound) && Math.abs(bound) < 1e30 ? bound : Infinity,
        incumbent: hasIncumbent ? (optimal ? model.getObjectiveValue() : info.objective_function_value) : -Infinity,
        solution,
        seconds,
      };
    } finally {
      model.dispose();
    }
  }
}

export interface MipSolution {
  readonly status: 'optimal' | 'time-limit' | 'infeasible' | 'other';
  /** HiGHS's proven upper bound on the maximum (Infinity if none). */
  readonly bound: number;
  /** The best feasible objective found (−Infinity if none). */
  readonly incumbent: number;
  readonly solution: Float64Array | null;
  readonly seconds: number;
}
