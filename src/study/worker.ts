import { computeCell, type StudyRow } from './compute.js';
import type { StudyCell } from './config.js';

/** Piscina task: compute one cell. Runs in a worker thread (dist/study/worker.js). */
export default async function run(task: { seed: number; cell: StudyCell }): Promise<StudyRow[]> {
  return computeCell(task.seed, task.cell);
}
