/**
 * Demo listening and knowledge: a running partner NPS survey with a year of answers (the score improving
 * through the year, a few recent detractors waiting in the follow-up queue, the portal's demo member still to
 * answer it), an anonymous workplace pulse, and an installer quiz some members have tried and passed.
 */
import { assignUnmanagedAccounts } from '../accounts/accounts.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { closeSurvey, createSurvey, importHistoricalAnswers, publishSurvey, type HistoricalAnswer } from '../surveys/store.js';
import { createQuiz, publishQuiz, startAttempt, submitAttempt } from '../quizzes/store.js';
import { demoSignIns } from './sign-in.js';

const DAY = 86_400_000;

function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const t5 = (en: string, sv: string, nb: string, pl: string, de: string) => ({ en, sv, nb, pl, de });

const reasons = {
  low: ['Leveranserna kommer för sent', 'Fakturorna stämmer inte', 'Svårt att nå säljaren', 'Priserna har gått upp för mycket'],
  high: ['Snabba leveranser', 'Bra rådgivning i butiken', 'Poängen är enkla att använda', 'Trevlig personal'],
};

export async function seedSurveysDemo(db: Db, program: Program, now: Date): Promise<void> {
  const pid = program.id;
  const rnd = random(1414);
  const yearAgo = new Date(now.getTime() - 365 * DAY);
  const members = (
    await sql<{ id: string; account_id: string; external_id: string; role: string | null; tier: string | null; segment: string | null }>`
      SELECT m.id, m.account_id, m.external_id, m.role, coalesce(m.tier, a.tier) AS tier, a.segment
      FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
      WHERE m.program_id = ${pid} AND m.status = 'active' ORDER BY m.external_id`.execute(db)
  ).rows;

  await db.transaction().execute(async (trx) => {
    await assignUnmanagedAccounts(trx, pid, 'Karin Ahlström', now);
    const nps = await createSurvey(
      trx,
      pid,
      {
        title: t5('Partner satisfaction 2026', 'Partnernöjdhet 2026', 'Partnertilfredshet 2026', 'Zadowolenie partnerów 2026', 'Partnerzufriedenheit 2026'),
        intro: t5('Two minutes that help us serve you better.', 'Två minuter som hjälper oss att bli bättre.', 'To minutter som hjelper oss å bli bedre.', 'Dwie minuty, które pomogą nam działać lepiej.', 'Zwei Minuten, die uns helfen, besser zu werden.'),
        questions: [
          { id: 'recommend', kind: 'nps', required: true, text: t5('How likely are you to recommend us to a colleague?', 'Hur troligt är det att du rekommenderar oss till en kollega?', 'Hvor sannsynlig er det at du anbefaler oss til en kollega?', 'Jak prawdopodobne jest, że polecisz nas koledze?', 'Wie wahrscheinlich ist es, dass Sie uns einem Kollegen empfehlen?') },
          { id: 'delivery', kind: 'csat', required: true, text: t5('How satisfied are you with our deliveries?', 'Hur nöjd är du med våra leveranser?', 'Hvor fornøyd er du med leveransene våre?', 'Jak bardzo jesteś zadowolony z naszych dostaw?', 'Wie zufrieden sind Sie mit unseren Lieferungen?') },
          {
            id: 'channel',
            kind: 'single',
            required: false,
            text: t5('Where do you order most?', 'Var beställer du mest?', 'Hvor bestiller du mest?', 'Gdzie najczęściej zamawiasz?', 'Wo bestellen Sie am meisten?'),
            options: [
              { id: 'store', text: t5('In the store', 'I butiken', 'I butikken', 'W sklepie', 'Im Markt') },
              { id: 'web', text: t5('Online', 'På webben', 'På nett', 'Online', 'Online') },
              { id: 'rep', text: t5('Through my sales rep', 'Via min säljare', 'Via selgeren min', 'Przez mojego handlowca', 'Über meinen Außendienst') },
            ],
          },
          { id: 'why', kind: 'text', required: false, maxLength: 2000, text: t5('What is the main reason for your score?', 'Vad är främsta skälet till ditt betyg?', 'Hva er hovedgrunnen til poengsummen din?', 'Jaki jest główny powód Twojej oceny?', 'Was ist der wichtigste Grund für Ihre Bewertung?') },
        ],
        oncePer: 'member',
        points: 50,
        closesAt: new Date(now.getTime() + 90 * DAY).toISOString(),
      },
      yearAgo,
    );
    await publishSurvey(trx, program, nps.id, yearAgo);
    const rows: HistoricalAnswer[] = [];
    for (const m of members) {
      if (m.external_id === demoSignIns.portalMemberExternalId || rnd() < 0.2) continue;
      const dayOffset = Math.floor(rnd() * 364);
      const at = new Date(yearAgo.getTime() + dayOffset * DAY + Math.floor(rnd() * 9 * 3_600_000) + 7 * 3_600_000);
      // The score improves through the year: deliveries got better.
      const lift = dayOffset / 364;
      const r = rnd();
      const score = r < 0.32 - 0.17 * lift ? Math.floor(rnd() * 7) : r < 0.6 - 0.12 * lift ? 7 + Math.floor(rnd() * 2) : 9 + Math.floor(rnd() * 2);
      const answers: Record<string, number | string> = { recommend: score, delivery: Math.max(1, Math.min(5, Math.round(score / 2.2) + (rnd() < 0.3 ? 1 : 0))) };
      if (rnd() < 0.7) answers.channel = ['store', 'web', 'rep'][Math.floor(rnd() * 3)]!;
      if (rnd() < 0.4) answers.why = score <= 6 ? reasons.low[Math.floor(rnd() * 4)]! : reasons.high[Math.floor(rnd() * 4)]!;
      rows.push({ memberId: m.id, accountId: m.account_id, at, answers, tier: m.tier, role: m.role, segment: m.segment });
    }
    await importHistoricalAnswers(trx, pid, nps.id, rows, new Date(now.getTime() - 30 * DAY));

    // Last spring's anonymous pulse, closed: anonymity kept, small groups hidden in its results.
    const pulse = await createSurvey(
      trx,
      pid,
      {
        title: t5('Spring pulse (anonymous)', 'Vårpuls (anonym)', 'Vårpuls (anonym)', 'Wiosenny puls (anonimowy)', 'Frühjahrspuls (anonym)'),
        anonymous: true,
        questions: [{ id: 'support', kind: 'csat', required: true, text: t5('How happy are you with the support you get?', 'Hur nöjd är du med stödet du får?', 'Hvor fornøyd er du med støtten du får?', 'Jak oceniasz otrzymywane wsparcie?', 'Wie zufrieden sind Sie mit der Unterstützung?') }],
        opensAt: new Date(now.getTime() - 250 * DAY).toISOString(),
        closesAt: new Date(now.getTime() - 200 * DAY).toISOString(),
      },
      new Date(now.getTime() - 251 * DAY),
    );
    await publishSurvey(trx, program, pulse.id, new Date(now.getTime() - 251 * DAY));
    const pulseRows = members
      .filter(() => rnd() < 0.4)
      .map((m) => ({ memberId: m.id, accountId: m.account_id, at: new Date(now.getTime() - (200 + Math.floor(rnd() * 50)) * DAY), answers: { support: 1 + Math.floor(Math.pow(rnd(), 0.6) * 5) }, tier: m.tier, role: m.role, segment: m.segment }));
    await importHistoricalAnswers(trx, pid, pulse.id, pulseRows, now);
    await closeSurvey(trx, program, pulse.id, new Date(now.getTime() - 200 * DAY));
  });

  // The installer quiz, published two months ago; a few members have tried it (some more than once).
  const published = new Date(now.getTime() - 60 * DAY);
  const opt = (id: string, en: string, sv: string, nb: string, pl: string, de: string) => ({ id, text: t5(en, sv, nb, pl, de) });
  const quiz = await createQuiz(
    db,
    pid,
    {
      title: t5('Installer basics', 'Installatörens grunder', 'Grunnkurs for installatører', 'Podstawy instalatora', 'Grundlagen für Installateure'),
      questions: [
        { id: 'torque', kind: 'single', required: true, correct: ['nm'], text: t5('In which unit is tightening torque given?', 'I vilken enhet anges åtdragningsmoment?', 'I hvilken enhet oppgis tiltrekkingsmoment?', 'W jakiej jednostce podaje się moment dokręcania?', 'In welcher Einheit wird das Anzugsmoment angegeben?'), options: [opt('nm', 'Newton metres', 'Newtonmeter', 'Newtonmeter', 'Niutonometry', 'Newtonmeter'), opt('bar', 'Bar', 'Bar (tryck)', 'Bar (trykk)', 'Bary', 'Bar (Druck)'), opt('kw', 'Kilowatts', 'Kilowatt', 'Kilowatt', 'Kilowaty', 'Kilowatt')] },
        { id: 'ppe', kind: 'multiple', required: true, correct: ['goggles', 'gloves'], text: t5('What do you wear when cutting tiles?', 'Vad bär du när du kapar kakel?', 'Hva bruker du når du kapper fliser?', 'Co zakładasz przy cięciu płytek?', 'Was tragen Sie beim Schneiden von Fliesen?'), options: [opt('goggles', 'Safety goggles', 'Skyddsglasögon', 'Vernebriller', 'Okulary ochronne', 'Schutzbrille'), opt('gloves', 'Gloves', 'Handskar', 'Hansker', 'Rękawice', 'Handschuhe'), opt('tie', 'A tie', 'Slips', 'Slips', 'Krawat', 'Krawatte')] },
        { id: 'battery', kind: 'single', required: true, correct: ['liion'], text: t5('Which battery type do our cordless tools use?', 'Vilken batterityp har våra sladdlösa verktyg?', 'Hvilken batteritype har de batteridrevne verktøyene våre?', 'Jakiego typu akumulatory mają nasze narzędzia?', 'Welchen Akkutyp nutzen unsere Akkuwerkzeuge?'), options: [opt('liion', 'Lithium-ion', 'Litiumjon', 'Litiumion', 'Litowo-jonowe', 'Lithium-Ionen'), opt('lead', 'Lead-acid', 'Blybatteri', 'Blybatteri', 'Kwasowo-ołowiowe', 'Blei-Säure')] },
        { id: 'primer', kind: 'single', required: true, correct: ['yes'], text: t5('Should porous walls be primed before tiling?', 'Ska porösa väggar primas före plattsättning?', 'Skal porøse vegger grunnes før flislegging?', 'Czy porowate ściany gruntuje się przed płytkowaniem?', 'Sollten saugende Wände vor dem Fliesen grundiert werden?'), options: [opt('yes', 'Yes', 'Ja', 'Ja', 'Tak', 'Ja'), opt('no', 'No', 'Nej', 'Nei', 'Nie', 'Nein')] },
        { id: 'warranty', kind: 'single', required: true, correct: ['3'], text: t5('How many years of warranty do registered tools get?', 'Hur många års garanti får registrerade verktyg?', 'Hvor mange års garanti får registrerte verktøy?', 'Ile lat gwarancji mają zarejestrowane narzędzia?', 'Wie viele Jahre Garantie haben registrierte Werkzeuge?'), options: [opt('1', 'One', 'Ett', 'Ett', 'Jeden', 'Eins'), opt('3', 'Three', 'Tre', 'Tre', 'Trzy', 'Drei'), opt('5', 'Five', 'Fem', 'Fem', 'Pięć', 'Fünf')] },
      ],
      draw: 4,
      passPercent: 75,
      maxAttempts: 3,
      cooldownMinutes: 60,
      points: 100,
    },
    published,
  );
  await db.transaction().execute((trx) => publishQuiz(trx, program, quiz.id, published));
  const takers = members.filter((m) => m.external_id !== demoSignIns.portalMemberExternalId).slice(0, 10);
  for (const [i, m] of takers.entries()) {
    let at = new Date(published.getTime() + (i + 1) * 2 * DAY);
    for (let tries = 0; tries < 2; tries++) {
      const { attempt } = await startAttempt(db, program, quiz.id, m.id, 'sv', at, rnd);
      // The first taker fails once, so the statistics show a retry.
      const skill = i === 0 && tries === 0 ? 0 : 0.55 + 0.15 * tries + rnd() * 0.3;
      const answers: Record<string, string | string[]> = {};
      for (const q of attempt.questions) {
        const right: Record<string, string | string[]> = { torque: 'nm', ppe: ['gloves', 'goggles'], battery: 'liion', primer: 'yes', warranty: '3' };
        answers[q.id] = rnd() < skill ? right[q.id]! : q.multiple ? [q.options![0]!.id] : q.options![q.options!.length - 1]!.id;
      }
      const result = await submitAttempt(db, program, attempt.id, m.id, answers, new Date(at.getTime() + 5 * 60_000));
      if (result.passed) break;
      at = new Date(at.getTime() + DAY);
    }
  }
}
