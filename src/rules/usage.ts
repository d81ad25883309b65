/**
 * What rules have paid against their caps (`rule_usage`, owned here). Earning adds to it in the same statement
 * that writes the event's lines, so this gives the statement's part rather than running one of its own.
 */
import { sql, type RawBuilder } from 'kysely';

/** A CTE part (`usage AS (…)`) adding each cap key's points and times, or undefined when there is nothing to add. */
export function ruleUsageIncrement(programId: string, usage: ReadonlyMap<string, { points: number; times: number }>): RawBuilder<unknown> | undefined {
  if (usage.size === 0) return undefined;
  const keys = [...usage.keys()].sort();
  return sql`usage AS (
      INSERT INTO rule_usage (program_id, cap_key, points, times)
      SELECT ${programId}, * FROM unnest(${keys}::text[], ${keys.map((k) => usage.get(k)!.points)}::bigint[], ${keys.map((k) => usage.get(k)!.times)}::integer[])
      ON CONFLICT (program_id, cap_key) DO UPDATE SET points = rule_usage.points + excluded.points, times = rule_usage.times + excluded.times)`;
}
