/**
 * Examples of the core area: the program and its keys, accounts and members, their people workflows (invitations,
 * join codes, registrations, leavers), the program team, onboarding, imports, the outbox, the audit log and
 * coalition partners. Everything it creates is new (K3001…, P30001…, nordfrakt), so the demo's own records that
 * other areas' examples use are left as they were; settings it "changes" are sent back with the values they have.
 */
import type { ExampleRun, ExampleScript } from './types.js';

const idOf = async (run: ExampleRun, table: 'accounts' | 'members', externalId: string): Promise<string> =>
  (await run.db.selectFrom(table).select('id').where('program_id', '=', run.programId).where('external_id', '=', externalId).executeTakeFirstOrThrow()).id;

/** The token of the newest invitation mailed to `to`: the mail's link ends in it. */
async function invitationToken(run: ExampleRun, to: string): Promise<string> {
  const mail = await run.db
    .selectFrom('mail_outbox')
    .select('body')
    .where('program_id', '=', run.programId)
    .where('to_address', '=', to)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const token = /inv_[A-Za-z0-9_-]+/.exec(mail.body)?.[0];
  if (!token) throw new Error(`no invitation link in the mail to ${to}`);
  return token;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

const examples: ExampleScript = async (run) => {
  const { call } = run;

  // The program and its keys.
  const program = (await call({ operationId: 'getProgram' })).body as { name: string; pendingDays: number };
  await call({ operationId: 'listPrograms' });
  await call({ operationId: 'updateProgram', body: { name: program.name, pendingDays: program.pendingDays } });
  // Creating programs is for an instance administrator's console session; an API key is refused.
  await call({ operationId: 'createProgram', body: { name: 'Nordbygg Norge', currency: 'NOK', defaultLanguage: 'nb', timeZone: 'Europe/Oslo' }, expectStatus: 403 });
  await call({ operationId: 'listApiKeys' });
  const key = (await call({ operationId: 'createApiKey', body: { name: 'ERP-synk (Visma Business)', scopes: ['read', 'accounts:write', 'events:write'] } })).body as { id: string };
  await call({ operationId: 'revokeApiKey', params: { id: key.id } });

  // Accounts.
  const k1000 = await idOf(run, 'accounts', 'K1000');
  await call({ operationId: 'listAccounts', query: { segment: 'builder', limit: 3 } });
  await call({ operationId: 'getAccount', params: { id: k1000 } });
  await call({ operationId: 'getAccountByExternalId', params: { externalId: 'K1000' } });
  const created = (
    await call({
      operationId: 'createAccount',
      body: { externalId: 'K3001', name: 'Lindqvist Bygg AB', legalName: 'Lindqvist Byggnads AB', orgNumber: '556677-8899', vatNumber: 'SE556677889901', country: 'SE', segment: 'builder', tags: ['nyckelkund'] },
    })
  ).body as { id: string };
  await call({ operationId: 'createAccount', body: { externalId: 'K3001', name: 'Lindqvist Bygg AB' }, expectStatus: 409 });
  await call({ operationId: 'updateAccount', params: { id: created.id }, body: { keyAccountManager: 'magnus.berg@nordbygg.example', tags: ['nyckelkund', 'stockholm'] } });
  await call({ operationId: 'upsertAccountByExternalId', params: { externalId: 'K3002' }, body: { name: 'Holmgrens VVS AB', country: 'SE', segment: 'installer', orgNumber: '556123-4567' } });
  await call({ operationId: 'upsertAccountByExternalId', params: { externalId: 'K3009' }, body: { name: 'Okänd Filial AB', parentExternalId: 'K9999' }, expectStatus: 422 });
  await call({
    operationId: 'upsertAccountBatch',
    body: {
      items: [
        { externalId: 'K3003', name: 'Bergström Bygg & Montage AB', country: 'SE', segment: 'builder' },
        { externalId: 'K3003-1', name: 'Bergström Bygg Uppsala', parentExternalId: 'K3003', country: 'SE', segment: 'builder', tags: ['branch'] },
        { externalId: 'K3004', country: 'Sverige' },
      ],
    },
  });
  await call({ operationId: 'listAccountMembers', params: { id: k1000 }, query: { limit: 3 } });

  // Members.
  const p10001 = await idOf(run, 'members', 'P10001');
  await call({ operationId: 'listMembers', query: { role: 'manager', limit: 3 } });
  await call({ operationId: 'getMember', params: { id: p10001 } });
  await call({ operationId: 'getMemberByExternalId', params: { externalId: 'P10001' } });
  const karin = (
    await call({
      operationId: 'createMember',
      body: { externalId: 'P30001', accountExternalId: 'K3001', name: 'Karin Lindqvist', email: 'karin.lindqvist@lindqvistbygg.example', role: 'owner', language: 'sv' },
    })
  ).body as { id: string };
  await call({ operationId: 'updateMember', params: { id: karin.id }, body: { phone: '+46 70 412 33 08', role: 'manager' } });
  const leaver = (
    await call({
      operationId: 'upsertMemberByExternalId',
      params: { externalId: 'P30002' },
      body: { accountExternalId: 'K3001', name: 'Erik Holm', email: 'erik.holm@lindqvistbygg.example', role: 'foreman', language: 'sv' },
    })
  ).body as { id: string };
  await call({
    operationId: 'upsertMemberBatch',
    body: {
      items: [
        { externalId: 'P30003', accountExternalId: 'K3002', name: 'Sara Holmgren', email: 'sara.holmgren@holmgrensvvs.example', role: 'owner', language: 'sv' },
        { externalId: 'P30004', accountExternalId: 'K3002', name: 'Ali Yilmaz', role: 'installer', language: 'sv' },
        { externalId: 'P30005', accountExternalId: 'K9999', name: 'Okänd Person' },
      ],
    },
  });

  // People: the team, invitations, join codes, registrations, leavers.
  await call({ operationId: 'listAccountTeam', params: { id: k1000 }, query: { limit: 3 } });
  await call({
    operationId: 'createAccountInvitation',
    params: { id: created.id },
    body: { email: 'johan.ek@lindqvistbygg.example', name: 'Johan Ek', role: 'buyer', language: 'sv', expiresInDays: 14 },
  });
  await call({ operationId: 'acceptInvitation', params: { token: await invitationToken(run, 'johan.ek@lindqvistbygg.example') }, body: { name: 'Johan Ek', language: 'sv' } });
  const { code } = (await call({ operationId: 'renewAccountJoinCode', params: { id: created.id }, body: { byMemberId: karin.id } })).body as { code: string };
  const anna = (await call({ operationId: 'createRegistration', body: { account: code, email: 'anna.berg@lindqvistbygg.example', name: 'Anna Berg', language: 'sv', role: 'sales_rep' } }))
    .body as { id: string };
  await call({ operationId: 'approveMember', params: { id: anna.id }, body: { byMemberId: karin.id } });
  const unknown = (await call({ operationId: 'createRegistration', body: { account: 'K3001', email: 'kalle.p@example.com', name: 'Kalle Persson', language: 'sv' } })).body as { id: string };
  await call({ operationId: 'rejectMember', params: { id: unknown.id }, body: { reason: 'Vi känner inte igen dig som anställd hos Lindqvist Bygg.', byMemberId: karin.id } });
  await call({ operationId: 'deactivateMember', params: { id: leaver.id }, body: {} });

  // The program team.
  await call({ operationId: 'listStaffUsers', query: { limit: 3 } });
  await call({ operationId: 'getStaffUser', params: { id: run.staffUserId } });
  const elin = (await call({ operationId: 'createStaffUser', body: { email: 'elin.sjoberg@nordbygg.example', name: 'Elin Sjöberg', role: 'support' } })).body as { id: string };
  await call({ operationId: 'updateStaffUser', params: { id: elin.id }, body: { role: 'manager' } });
  await call({ operationId: 'sendStaffUserPasswordLink', params: { id: elin.id } });

  // Onboarding: the checklist is sent back as it is.
  const checklist = (await call({ operationId: 'getOnboardingChecklist' })).body as { steps: unknown[] };
  await call({ operationId: 'replaceOnboardingChecklist', body: { steps: checklist.steps } });
  await call({ operationId: 'getMemberOnboarding', params: { id: await idOf(run, 'members', 'P10004') } });

  // Imports: the ERP's customer list as a CSV upload; the job runs in the background and is read back.
  const csv = 'external_id,name,country,segment\nK3010,Nyström Bygg AB,SE,builder\nK3011,Fjällens El AB,SE,installer\nK3012,Sandvik VVS AS,Norge,installer\n';
  const started = await call({ operationId: 'createImport', query: { kind: 'accounts' }, form: { file: { filename: 'kunder-2026-11.csv', type: 'text/csv', content: csv } } });
  const job = started.body as { id: string };
  const state = async () => (await run.db.selectFrom('import_jobs').select('state').where('program_id', '=', run.programId).where('id', '=', job.id).executeTakeFirst())?.state;
  for (let i = 0; i < 200 && (await state()) === 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await call({ operationId: 'getImport', params: { id: job.id } });
  await call({ operationId: 'listImports', query: { limit: 3 } });

  // The outbox and the audit log.
  await call({ operationId: 'listOutbox', query: { limit: 3 } });
  await call({ operationId: 'listAuditEntries', query: { entity: 'account', limit: 3 } });
  await call({ operationId: 'getAuditFacets' });
  await call({ operationId: 'getAuditCheckpoint' });

  // Coalition partners.
  const bank = (await run.db.selectFrom('partners').select('id').where('program_id', '=', run.programId).where('code', '=', 'fjordbanken').executeTakeFirstOrThrow()).id;
  await call({ operationId: 'listPartners' });
  await call({ operationId: 'getPartner', params: { id: bank } });
  const partner = (await call({ operationId: 'createPartner', body: { code: 'nordfrakt', name: 'Nordfrakt', kind: 'other' } })).body as { id: string };
  await call({ operationId: 'updatePartner', params: { id: partner.id }, body: { name: 'Nordfrakt Logistik AB' } });
  // The bank's own key takes a member's points as payment there.
  const bankKey = (await call({ operationId: 'createApiKey', body: { name: 'Fjordbanken kassa', scopes: ['partner'], partnerId: bank } })).body as { key: string };
  const payer = await run.db.selectFrom('wallets as w').innerJoin('members as m', (j) => j.onRef('m.program_id', '=', 'w.program_id').onRef('m.id', '=', 'w.id'))
    .select('m.external_id').where('w.program_id', '=', run.programId).where('w.available', '>=', 500).where('m.status', '=', 'active').orderBy('m.external_id').executeTakeFirstOrThrow();
  await call({ operationId: 'createPartnerRedemption', apiKey: bankKey.key, body: { member: payer.external_id!, points: 500, memo: 'Fjordbanken: 50 kr på kortet', idempotencyKey: 'fjordbanken-kassa-2026-0001' } });
  const now = new Date();
  await call({ operationId: 'getPartnerSettlement', params: { id: bank }, query: { from: isoDay(new Date(now.getTime() - 90 * 86_400_000)), to: isoDay(now) } });
};
export default examples;
