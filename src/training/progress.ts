/**
 * A member's way through a course, pure: modules are taken in order, so a module is open once every
 * module before it is complete; the course is complete when every module is. Table-tested in
 * test/training/pure.test.ts.
 */
export type ModuleState = 'done' | 'open' | 'locked';

export interface CourseProgress {
  states: ModuleState[];
  done: number;
  total: number;
  /** Index of the first module not done; null when the course is complete. */
  next: number | null;
  complete: boolean;
}

export function courseProgress(moduleIds: readonly string[], completed: ReadonlySet<string>): CourseProgress {
  let seenOpen = false;
  const states = moduleIds.map((id): ModuleState => {
    if (completed.has(id)) return 'done';
    if (seenOpen) return 'locked';
    seenOpen = true;
    return 'open';
  });
  const done = states.filter((s) => s === 'done').length;
  const next = states.findIndex((s) => s !== 'done');
  return { states, done, total: moduleIds.length, next: next === -1 ? null : next, complete: moduleIds.length > 0 && next === -1 };
}

/** Why a module may not be completed now, or null when it may. */
export function completionRefusal(moduleIds: readonly string[], completed: ReadonlySet<string>, moduleId: string): 'unknown' | 'locked' | null {
  const i = moduleIds.indexOf(moduleId);
  if (i === -1) return 'unknown';
  for (let j = 0; j < i; j++) if (!completed.has(moduleIds[j]!)) return 'locked';
  return null;
}
