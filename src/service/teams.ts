/**
 * Staff teams of the service desk (e.g. "Orders", "Key accounts Norway"): a request goes to a team, to a
 * person, or to both (a person of the team picks it up). Members of a team see "my team's requests" in the
 * queue. A team removed leaves its requests without a team; the timeline keeps who had them.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';

export interface Team {
  id: string;
  name: string;
  members: Array<{ id: string; name: string; email: string }>;
  createdAt: Date;
}

export const teamInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('The team\'s name, unique in the program (case does not count)'),
    memberIds: z.array(z.uuid()).max(200).default([]).describe('The staff users in the team (active staff of the program)'),
  })
  .strict();
export type TeamInput = z.infer<typeof teamInputSchema>;

export async function listTeams(db: Db, programId: string, ids?: string[]): Promise<Team[]> {
  const teams = await sql<{ id: string; name: string; created_at: Date | string }>`
    SELECT id, name, created_at FROM service_teams WHERE program_id = ${programId} ${ids ? sql`AND id = ANY(${ids}::uuid[])` : sql``} ORDER BY lower(name), id`.execute(db);
  const members = await sql<{ team_id: string; id: string; name: string; email: string }>`
    SELECT m.team_id, s.id, s.name, s.email FROM service_team_members m
    JOIN staff_users s ON s.program_id = m.program_id AND s.id = m.staff_user_id
    WHERE m.program_id = ${programId} ORDER BY lower(s.name), s.id`.execute(db);
  return teams.rows.map((t) => ({
    id: t.id,
    name: t.name,
    members: members.rows.filter((m) => m.team_id === t.id).map(({ id, name, email }) => ({ id, name, email })),
    createdAt: new Date(t.created_at),
  }));
}

export async function requireTeam(db: Db, programId: string, id: string): Promise<Team> {
  const [team] = await listTeams(db, programId, [id]);
  if (!team) throw new LojalError('not_found', { entity: 'team', id });
  return team;
}

/** The teams a staff user belongs to. */
export async function teamsOfStaff(db: Db, programId: string, staffUserId: string): Promise<string[]> {
  const r = await sql<{ team_id: string }>`SELECT team_id FROM service_team_members WHERE program_id = ${programId} AND staff_user_id = ${staffUserId}`.execute(db);
  return r.rows.map((x) => x.team_id);
}

/** Creates the team, or (with `id`) replaces its name and members. */
export async function saveTeam(db: Db, programId: string, input: TeamInput, now: Date, id?: string): Promise<Team> {
  const memberIds = [...new Set(input.memberIds)];
  if (memberIds.length) {
    const known = await sql<{ id: string }>`SELECT id FROM staff_users WHERE program_id = ${programId} AND active AND id = ANY(${memberIds}::uuid[])`.execute(db);
    const missing = memberIds.filter((m) => !known.rows.some((k) => k.id === m));
    if (missing.length) throw new LojalError('unknown_staff_user', { id: missing[0]! });
  }
  const teamId = id ?? uuidv7();
  try {
    await db.transaction().execute(async (trx) => {
      if (id) {
        await requireTeam(trx, programId, id);
        await sql`UPDATE service_teams SET name = ${input.name} WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
        await sql`DELETE FROM service_team_members WHERE program_id = ${programId} AND team_id = ${id}`.execute(trx);
      } else {
        await sql`INSERT INTO service_teams (program_id, id, name, created_at) VALUES (${programId}, ${teamId}, ${input.name}, ${now})`.execute(trx);
      }
      for (const m of memberIds) await sql`INSERT INTO service_team_members (program_id, team_id, staff_user_id) VALUES (${programId}, ${teamId}, ${m})`.execute(trx);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'service_teams_name')) throw new LojalError('service_team_name_taken', { name: input.name });
    throw err;
  }
  return requireTeam(db, programId, teamId);
}

export async function deleteTeam(db: Db, programId: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await requireTeam(trx, programId, id);
    await sql`UPDATE service_requests SET team_id = NULL WHERE program_id = ${programId} AND team_id = ${id}`.execute(trx);
    await sql`DELETE FROM service_teams WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  });
}
