import type { TestApp } from '../support/app.js';
import { createRules, seedCatalog } from '../support/fixtures.js';

/**
 * A program with a chain (CHAIN, branches BR-1 and BR-2), a company on its own (SOLO), and people:
 * the chain's manager, a branch manager, staff at both branches, a buyer at the chain, SOLO's manager.
 */
export interface PeopleWorld {
  programId: string;
  key: string;
  acc: Record<'chain' | 'br1' | 'br2' | 'solo', string>;
  mem: Record<'chainManager' | 'br1Manager' | 'staff1' | 'staff2' | 'buyer' | 'soloManager', string>;
  call(method: string, url: string, body?: unknown): ReturnType<TestApp['call']>;
}

export async function peopleWorld(t: TestApp, settings: Parameters<TestApp['newProgram']>[0] = {}): Promise<PeopleWorld> {
  const { programId, key } = await t.newProgram(settings);
  const call: PeopleWorld['call'] = (m, u, b) => t.call(m, u, b, key);
  await seedCatalog(t, programId);
  await createRules(t, undefined, key);
  const account = async (externalId: string, parentExternalId?: string) => {
    const res = await call('POST', '/v1/accounts', { externalId, name: `Company ${externalId}`, ...(parentExternalId && { parentExternalId }) });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json().id as string;
  };
  const acc = { chain: await account('CHAIN'), br1: '', br2: '', solo: await account('SOLO') };
  acc.br1 = await account('BR-1', 'CHAIN');
  acc.br2 = await account('BR-2', 'CHAIN');
  const member = async (accountId: string, externalId: string, name: string, role: string, language = 'sv') => {
    const res = await call('POST', '/v1/members', { accountId, externalId, name, role, language, email: `${externalId.toLowerCase()}@example.se` });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json().id as string;
  };
  const mem = {
    chainManager: await member(acc.chain, 'P-CM', 'Cecilia Chef', 'manager'),
    br1Manager: await member(acc.br1, 'P-BM', 'Bengt Filialchef', 'manager'),
    staff1: await member(acc.br1, 'P-S1', 'Anna Andersson', 'foreman'),
    staff2: await member(acc.br2, 'P-S2', 'Erik Berg', 'buyer'),
    buyer: await member(acc.chain, 'P-B', 'Dora Dahl', 'buyer'),
    soloManager: await member(acc.solo, 'P-SM', 'Sven Solo', 'manager'),
  };
  return { programId, key, acc, mem, call };
}
