/**
 * Demo trainings and members-only content: the installer course (text, video link, the handbook PDF) with
 * a 24-month certificate that a member of every gold and platinum company has earned over the last two
 * years — one certificate runs out within the month, so the reminder and the portal notice show — platinum
 * requiring it, the demo portal member half-way through; a yearly refresher whose certificate the demo member
 * must renew within the month; and articles gated by tier (platinum a week early),
 * by role, and open to all, with read receipts.
 */
import { receiveBytes } from '../evidence/files.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { tinyPdf } from '../evidence/samples.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Program } from '../programs/programs.js';
import { createRule } from '../rules/store.js';
import { completeModule } from '../training/complete.js';
import { contentInputSchema, createContent, recordRead, setContentStatus } from '../training/content.js';
import { courseInputSchema, createCourse, setCourseStatus } from '../training/courses.js';
import { storeTrainingFiles } from '../training/files.js';
import { putRequirements } from '../training/requirements.js';

const DAY = 86_400_000;

export async function seedTrainingDemo(db: Db, program: Program, now: Date, evidence?: EvidenceStore): Promise<void> {
  const pid = program.id;
  const longAgo = new Date(now.getTime() - 800 * DAY);
  await createRule(db, pid, {
    name: 'Kurs genomförd',
    priority: 60,
    effectiveFrom: longAgo.toISOString(),
    definition: { conditions: { eventTypes: ['training.completed'] }, effect: { type: 'fixed', points: 500 }, recipient: { type: 'member' } },
  }, now);
  const handbook = evidence ? (await storeTrainingFiles(db, evidence, pid, [await receiveBytes(evidence, tinyPdf('Installationshandbok - Lojal demo'), 'installationshandbok.pdf')], 'demo'))[0] : undefined;

  const course = await createCourse(
    db,
    pid,
    courseInputSchema.parse({
      code: 'installer-certified',
      title: { sv: 'Certifierad installatör', en: 'Installer certified', nb: 'Sertifisert installatør', pl: 'Certyfikowany instalator', de: 'Zertifizierter Installateur' },
      summary: { sv: 'Säker installation av våra värmepumpar i tre korta steg.', en: 'Installing our heat pumps safely, in three short steps.', pl: 'Bezpieczny montaż naszych pomp ciepła w trzech krótkich krokach.' },
      certificate: { validMonths: 24 },
      modules: [
        {
          kind: 'text',
          title: { sv: 'Säkerhet först', en: 'Safety first', nb: 'Sikkerhet først', pl: 'Najpierw bezpieczeństwo', de: 'Sicherheit zuerst' },
          body: {
            sv: 'Bryt strömmen och kontrollera spänningslöshet innan du öppnar enheten.\n\nAnvänd alltid skyddshandskar när du hanterar köldmedium.',
            en: 'Switch off the mains and check that the unit is dead before opening it.\n\nAlways wear protective gloves when handling refrigerant.',
            pl: 'Wyłącz zasilanie i sprawdź brak napięcia przed otwarciem urządzenia.\n\nPrzy pracy z czynnikiem chłodniczym zawsze używaj rękawic ochronnych.',
            de: 'Schalten Sie den Strom ab und prüfen Sie die Spannungsfreiheit, bevor Sie das Gerät öffnen.\n\nTragen Sie beim Umgang mit Kältemittel stets Schutzhandschuhe.',
          },
        },
        { kind: 'video', title: { sv: 'Montering steg för steg', en: 'Mounting step by step', pl: 'Montaż krok po kroku' }, url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', body: { sv: 'Se filmen (8 minuter).', en: 'Watch the film (8 minutes).' } },
        ...(handbook
          ? [{ kind: 'file', title: { sv: 'Installationshandboken', en: 'The installation handbook', pl: 'Podręcznik instalacji' }, fileId: handbook.id, body: { sv: 'Läs kapitel 3 om driftsättning.', en: 'Read chapter 3 on commissioning.' } }]
          : []),
      ],
    }),
    longAgo,
  );
  await setCourseStatus(db, pid, course.id, 'published', longAgo);

  // A member (the owner) of every gold and platinum company completed it over the last two years.
  const certified = (
    await sql<{ id: string }>`
      SELECT DISTINCT ON (a.id) m.id FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
      WHERE m.program_id = ${pid} AND a.tier IN ('gold', 'platinum') AND m.status = 'active'
      ORDER BY a.id, m.external_id`.execute(db)
  ).rows;
  for (const [i, m] of certified.entries()) {
    // The first finished 710 days ago: their certificate expires in about 20 days.
    const at = new Date(now.getTime() - (i === 0 ? 710 : 20 + ((i * 37) % 600)) * DAY);
    for (const mod of course.modules) await completeModule(db, program, { memberId: m.id, moduleId: mod.id, source: 'member', now: at });
  }
  if (certified.length > 0) await putRequirements(db, pid, { requirements: [{ level: 'platinum', courseIds: [course.id] }] });

  // The portal's demo member has read the first module.
  const demoMember = await db.selectFrom('members').select('id').where('program_id', '=', pid).where('external_id', '=', 'P10001').executeTakeFirst();
  if (demoMember && !certified.some((c) => c.id === demoMember.id)) {
    await completeModule(db, program, { memberId: demoMember.id, moduleId: course.modules[0]!.id, source: 'member', now: new Date(now.getTime() - 2 * DAY) });
  }

  // A yearly refresher the portal's demo member finished 350 days ago: its certificate expires within the
  // month, so Home warns and the course offers renewal (take the course again for a new certificate).
  const refresher = await createCourse(
    db,
    pid,
    courseInputSchema.parse({
      code: 'work-at-height',
      title: { sv: 'Arbete på höjd – årlig repetition', en: 'Working at height – yearly refresher', nb: 'Arbeid i høyden – årlig repetisjon', pl: 'Praca na wysokości – coroczne odświeżenie', de: 'Arbeiten in der Höhe – jährliche Auffrischung' },
      summary: { sv: 'Stegar, ställningar och fallskydd: det viktigaste på fem minuter.', en: 'Ladders, scaffolds and fall protection: the essentials in five minutes.' },
      certificate: { validMonths: 12, renewBy: 'course' },
      modules: [
        {
          kind: 'text',
          title: { sv: 'Stegen', en: 'The ladder', nb: 'Stigen', pl: 'Drabina', de: 'Die Leiter' },
          body: {
            sv: 'Ställ stegen i 75 graders vinkel och håll tre kontaktpunkter.\n\nKliv aldrig upp på de två översta stegen.',
            en: 'Set the ladder at 75 degrees and keep three points of contact.\n\nNever stand on the top two rungs.',
            pl: 'Ustaw drabinę pod kątem 75 stopni i zachowuj trzy punkty podparcia.\n\nNigdy nie stawaj na dwóch najwyższych szczeblach.',
            de: 'Stellen Sie die Leiter im 75-Grad-Winkel auf und halten Sie drei Kontaktpunkte.\n\nStehen Sie nie auf den obersten beiden Sprossen.',
          },
        },
        {
          kind: 'text',
          title: { sv: 'Fallskydd', en: 'Fall protection', nb: 'Fallsikring', pl: 'Ochrona przed upadkiem', de: 'Absturzsicherung' },
          body: { sv: 'Över två meter: sele, förankringspunkt och en kollega på marken.', en: 'Above two metres: harness, anchor point and a colleague on the ground.' },
        },
      ],
    }),
    longAgo,
  );
  await setCourseStatus(db, pid, refresher.id, 'published', longAgo);
  if (demoMember) {
    for (const mod of refresher.modules) await completeModule(db, program, { memberId: demoMember.id, moduleId: mod.id, source: 'member', now: new Date(now.getTime() - 350 * DAY) });
  }

  // Members-only content.
  const item = async (input: unknown, publishedDaysAgo: number) => {
    const c = await createContent(db, pid, contentInputSchema.parse(input), new Date(now.getTime() - (publishedDaysAgo + 1) * DAY));
    return setContentStatus(db, pid, c.id, 'published', new Date(now.getTime() - publishedDaysAgo * DAY));
  };
  const prices = await item(
    {
      kind: 'article',
      title: { sv: 'Prislista våren 2027', en: 'Spring 2027 price list', pl: 'Cennik wiosna 2027' },
      summary: { sv: 'Nya nettopriser från 1 mars.', en: 'New net prices from 1 March.' },
      body: { sv: 'Från 1 mars höjs nettopriserna på värmepumpar med 3 %.\n\nBeställ före den 28 februari till nuvarande priser.', en: 'From 1 March net prices of heat pumps rise by 3 %.\n\nOrder before 28 February at current prices.', pl: 'Od 1 marca ceny netto pomp ciepła rosną o 3 %.\n\nZamów przed 28 lutego po obecnych cenach.' },
      audience: { tiers: ['gold', 'platinum'] },
      earlyAccess: { platinum: 7 },
      availableAt: new Date(now.getTime() + 3 * DAY).toISOString(),
    },
    1,
  );
  const guide = await item(
    {
      kind: handbook ? 'file' : 'article',
      title: { sv: 'Installationsguide (PDF)', en: 'Installation guide (PDF)', nb: 'Installasjonsveiledning (PDF)' },
      body: { sv: 'Den kompletta guiden för alla modeller.', en: 'The complete guide for every model.' },
      fileId: handbook?.id ?? null,
    },
    20,
  );
  const sales = await item(
    {
      kind: 'article',
      title: { sv: 'För säljare: kampanjpaket vinter', en: 'For sales reps: winter campaign kit' },
      body: { sv: 'Kampanjen löper hela februari. Skyltmaterial beställs via portalen.', en: 'The campaign runs through February. Order point-of-sale material in the portal.' },
      audience: { roles: ['sales_rep'] },
    },
    10,
  );
  const readers = (await sql<{ id: string; account_id: string; role: string | null; tier: string | null }>`
    SELECT m.id, m.account_id, m.role, a.tier FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
    WHERE m.program_id = ${pid} ORDER BY m.external_id LIMIT 60`.execute(db)).rows;
  for (const [i, r] of readers.entries()) {
    const at = new Date(now.getTime() - (i % 9) * DAY);
    if (i % 3 !== 0) await recordRead(db, pid, guide.id, { memberId: r.id, accountId: r.account_id }, at);
    if (r.role === 'sales_rep' && i % 2 === 0) await recordRead(db, pid, sales.id, { memberId: r.id, accountId: r.account_id }, at);
    if (r.tier === 'platinum') await recordRead(db, pid, prices.id, { memberId: r.id, accountId: r.account_id }, now);
  }
}
