/**
 * The demo's service desk: opening hours with Swedish holidays, the five kinds of request type, service levels
 * per type and tier (platinum complaints answered within four working hours), quick replies, help articles in
 * every language, the key-account managers of the top companies, and a month of requests in every state —
 * answered, waiting for the customer, resolved, closed and rated, some breached — including the demo portal
 * member's own. Dated back from the seed's clock through the same functions the API uses.
 */
import { receiveBytes } from '../evidence/files.js';
import { sql } from 'kysely';
import { updateAccount } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { tinyPng } from '../evidence/samples.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Program } from '../programs/programs.js';
import { saveArticle, type ArticleInput } from '../service/help.js';
import { createQuote, decideQuote } from '../service/quotes.js';
import { addComment, assignRequests, changeState, createRequest, rateRequest, type ServiceActor } from '../service/requests.js';
import { saveTeam } from '../service/teams.js';
import { addQuickReply, putServiceSettings, replaceLevels, saveType, type TypeInput } from '../service/setup.js';
import { demoSignIns } from './sign-in.js';

/** Where the demo's mails link (its rating links): the address `npm start` serves on by default. */
const demoLinks = { publicUrl: 'http://localhost:3000' };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const types: TypeInput[] = [
  { code: 'question', kind: 'question', position: 1, active: true, names: { en: 'Question', sv: 'Fråga', nb: 'Spørsmål', pl: 'Pytanie', de: 'Frage' } },
  { code: 'complaint', kind: 'complaint', position: 2, active: true, names: { en: 'Complaint', sv: 'Reklamation', nb: 'Reklamasjon', pl: 'Reklamacja', de: 'Reklamation' },
    descriptions: { en: 'Damaged or wrong goods, late delivery, invoice errors. A photo helps us.', sv: 'Skadat eller fel gods, sen leverans, fel på fakturan. Ett foto hjälper oss.', nb: 'Skadet eller feil vare, sen levering, feil på fakturaen. Et bilde hjelper oss.', pl: 'Uszkodzony lub błędny towar, opóźniona dostawa, błędy na fakturze. Zdjęcie nam pomoże.', de: 'Beschädigte oder falsche Ware, verspätete Lieferung, Rechnungsfehler. Ein Foto hilft uns.' } },
  { code: 'callback', kind: 'callback', position: 3, active: true, names: { en: 'Call me back', sv: 'Ring upp mig', nb: 'Ring meg opp', pl: 'Oddzwońcie do mnie', de: 'Rückruf' } },
  { code: 'special-order', kind: 'special_order', position: 4, active: true, names: { en: 'Special order', sv: 'Specialbeställning', nb: 'Spesialbestilling', pl: 'Zamówienie specjalne', de: 'Sonderbestellung' } },
  { code: 'warranty', kind: 'custom', position: 5, active: true, names: { en: 'Warranty claim', sv: 'Garantiärende', nb: 'Garantisak', pl: 'Reklamacja gwarancyjna', de: 'Garantiefall' },
    fields: [
      { key: 'serial', kind: 'text', required: true, labels: { en: 'Serial number', sv: 'Serienummer', nb: 'Serienummer', pl: 'Numer seryjny', de: 'Seriennummer' } },
      { key: 'purchase_date', kind: 'date', required: false, labels: { en: 'Bought on', sv: 'Köpt den', nb: 'Kjøpt den', pl: 'Data zakupu', de: 'Gekauft am' } },
    ] },
];

const articles: ArticleInput[] = [
  { language: 'sv', category: 'Leveranser', title: 'Skadad leverans – så reklamerar du', body: 'Fotografera skadan och emballaget innan du kvitterar. Skapa en reklamation i portalen inom sju dagar och bifoga fotona, så skickar vi ersättningsvaror eller krediterar dig.', published: true },
  { language: 'sv', category: 'Leveranser', title: 'Leveranstider och spårning', body: 'Lagervaror levereras inom två arbetsdagar i Mellansverige. Spårningslänken finns i orderbekräftelsen.', published: true },
  { language: 'sv', category: 'Poäng', title: 'När blir mina poäng tillgängliga?', body: 'Poäng för köp blir tillgängliga efter returfristen på 14 dagar. Du ser väntande poäng på startsidan.', published: true },
  { language: 'sv', category: 'Faktura', title: 'Fel på fakturan', body: 'Har du fått fel pris eller fel antal på fakturan? Skapa ett ärende med fakturanumret så rättar vi och skickar en kreditnota.', published: true },
  { language: 'nb', category: 'Leveranser', title: 'Skadet levering – slik reklamerer du', body: 'Ta bilde av skaden og emballasjen før du kvitterer. Opprett en reklamasjon i portalen innen sju dager og legg ved bildene.', published: true },
  { language: 'en', category: 'Deliveries', title: 'Damaged delivery: how to complain', body: 'Photograph the damage and the packaging before signing. Raise a complaint in the portal within seven days with the photos, and we send replacements or credit you.', published: true },
  { language: 'en', category: 'Points', title: 'When do my points become available?', body: 'Points for purchases become available after the 14-day return window. Pending points show on the home page.', published: true },
  { language: 'de', category: 'Lieferungen', title: 'Beschädigte Lieferung reklamieren', body: 'Fotografieren Sie den Schaden und die Verpackung vor der Unterschrift. Stellen Sie innerhalb von sieben Tagen eine Reklamation im Portal.', published: true },
  { language: 'pl', category: 'Dostawy', title: 'Uszkodzona dostawa – jak złożyć reklamację', body: 'Zrób zdjęcie uszkodzenia i opakowania przed podpisaniem. Złóż reklamację w portalu w ciągu siedmiu dni i dołącz zdjęcia.', published: true },
];

/** What customers write, with what the desk answers; `to` is where the request ends up. */
interface Story {
  type: string;
  subject: string;
  body: string;
  fields?: Record<string, string | number>;
  photo?: boolean;
  answer?: string;
  note?: string;
  wait?: { question: string; reply?: string };
  to: 'new' | 'in_progress' | 'waiting_customer' | 'resolved' | 'closed';
  csat?: number;
  /** Hours until the first answer (working or not: some come late and breach). */
  answerAfter?: number;
}

const stories: Story[] = [
  { type: 'complaint', subject: 'Skadade takplåtar vid leverans', body: 'Tre av tolv plåtar var bucklade när bilen kom. Foto bifogat.', photo: true, answer: 'Tack för bilderna! Vi skickar tre nya plåtar med nästa tur på torsdag.', to: 'closed', csat: 5, answerAfter: 2 },
  { type: 'question', subject: 'Öppettider i jul', body: 'Har ni öppet mellan jul och nyår?', answer: 'Vi har öppet 27–30 december kl 7–15.', to: 'closed', csat: 4, answerAfter: 3 },
  { type: 'callback', subject: 'Ring angående offert', body: 'Vill diskutera offerten på isolering till projektet i Västerås.', fields: { phone: '+46 70 555 12 34', preferred_times: 'Vardagar 7–9' }, answer: 'Vi ringde och offerten är uppdaterad.', to: 'resolved', answerAfter: 1 },
  { type: 'special-order', subject: 'Röda takpannor, specialfärg', body: 'Behöver takpannor i kulören Tegelröd 2 till ett kulturhus.', fields: { item: 'Takpanna Tegelröd 2', quantity: 1200, wished_date: '' }, answer: 'Vi har frågat leverantören om pris och leveranstid.', note: 'Leverantören Nordform svarar normalt inom tre dagar.', to: 'in_progress', answerAfter: 5 },
  { type: 'complaint', subject: 'Fel antal på faktura 88121', body: 'Fakturan säger 40 säckar men vi fick 30.', answer: 'Kan du skicka en bild på följesedeln?', wait: { question: 'Vi behöver följesedeln för att kreditera.' }, to: 'waiting_customer', answerAfter: 6 },
  { type: 'warranty', subject: 'Skruvdragare startar inte', body: 'Batteriet laddar men maskinen startar inte.', fields: { serial: 'KR-18V-220931', purchase_date: '2026-03-14' }, answer: 'Lämna in den i närmaste butik, så byter vi den direkt.', to: 'closed', csat: 3, answerAfter: 20 },
  { type: 'question', subject: 'Poäng för förra månadens köp', body: 'Jag ser inte poängen för köpen i oktober.', to: 'new' },
  { type: 'complaint', subject: 'Leveransen kom två dagar sent', body: 'Bygget stod still en dag i väntan på gipsskivorna.', answer: 'Vi beklagar! Vi krediterar fraktkostnaden.', note: 'Chauffören hade fel adress i systemet — rättat.', to: 'resolved', answerAfter: 30 },
  { type: 'question', subject: 'Hur fungerar företagspoängen?', body: 'Kan jag som chef fördela poäng till mina anställda?', answer: 'Ja, under Team i portalen kan du fördela företagets poäng.', to: 'closed', csat: 5, answerAfter: 2 },
  { type: 'callback', subject: 'Ring mig om leveransdatum', body: 'Behöver veta om fönstren hinner till vecka 50.', fields: { phone: '+47 912 34 567', preferred_times: 'Etter kl 15' }, to: 'in_progress', answerAfter: 40 },
  { type: 'complaint', subject: 'Fel kulör på färgen', body: 'Vi beställde NCS S 0502-Y men fick S 0500-N.', photo: true, to: 'new' },
  { type: 'special-order', subject: 'Limträbalk 12 meter', body: 'Behöver en balk 12 m, 90x405.', fields: { item: 'Limträbalk 90x405 12 m', quantity: 2, wished_date: '2027-01-20' }, answer: 'Vi kan leverera vecka 3. Ska vi boka?', wait: { question: 'Bekräfta gärna leveransadressen.', reply: 'Samma adress som vanligt, tack.' }, to: 'in_progress', answerAfter: 4 },
];

export async function seedServiceDemo(db: Db, program: Program, store: EvidenceStore | undefined, now: Date): Promise<void> {
  const pid = program.id;
  await putServiceSettings(db, pid, {
    reopenDays: 14,
    workingDays: [1, 2, 3, 4, 5],
    dayStart: '07:00',
    dayEnd: '16:00',
    holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01', '2027-01-06'],
    nearBreachPercent: 25,
  });
  for (const t of types) await saveType(db, pid, t);
  await replaceLevels(db, pid, [
    { typeCode: null, tier: null, firstResponseMinutes: 9 * 60, resolutionMinutes: 5 * 9 * 60 },
    { typeCode: 'complaint', tier: null, firstResponseMinutes: 6 * 60, resolutionMinutes: 3 * 9 * 60 },
    { typeCode: 'complaint', tier: 'platinum', firstResponseMinutes: 4 * 60, resolutionMinutes: 2 * 9 * 60 },
    { typeCode: 'callback', tier: null, firstResponseMinutes: 2 * 60, resolutionMinutes: 9 * 60 },
    { typeCode: null, tier: 'gold', firstResponseMinutes: 6 * 60, resolutionMinutes: 4 * 9 * 60 },
  ]);
  for (const q of [
    { language: 'sv' as const, title: 'Tack, vi återkommer', body: 'Tack för ditt ärende! Vi undersöker saken och återkommer senast i morgon.' },
    { language: 'sv' as const, title: 'Be om foto', body: 'Kan du skicka ett foto på skadan och följesedeln? Det går bra att bifoga direkt här i ärendet.' },
    { language: 'nb' as const, title: 'Takk, vi kommer tilbake', body: 'Takk for henvendelsen! Vi ser på saken og kommer tilbake senest i morgen.' },
    { language: 'en' as const, title: 'Thanks, we will get back', body: 'Thank you for your request! We are looking into it and will get back to you by tomorrow.' },
    { language: 'de' as const, title: 'Danke, wir melden uns', body: 'Danke für Ihre Anfrage! Wir prüfen die Sache und melden uns spätestens morgen.' },
    { language: 'pl' as const, title: 'Dziękujemy, odezwiemy się', body: 'Dziękujemy za zgłoszenie! Sprawdzamy sprawę i odezwiemy się najpóźniej jutro.' },
  ]) await addQuickReply(db, pid, q);
  for (const a of articles) await saveArticle(db, pid, a, now);

  const team = (await sql<{ id: string; name: string; email: string }>`SELECT id, name, email FROM staff_users WHERE program_id = ${pid} AND role <> 'viewer' ORDER BY email`.execute(db)).rows;
  const sofia = team.find((s) => s.email.startsWith('sofia')) ?? team[0];
  const magnus = team.find((s) => s.email.startsWith('magnus')) ?? team[0];
  if (!sofia || !magnus) return;
  // The top companies get a key-account manager: their requests go to that person by default.
  const top = (await sql<{ id: string; tier: string | null }>`
    SELECT a.id, ts.level_code AS tier FROM accounts a JOIN tier_status ts ON ts.program_id = a.program_id AND ts.owner_kind = 'account' AND ts.owner_id = a.id
    WHERE a.program_id = ${pid} AND ts.level_code IN ('platinum', 'gold') ORDER BY a.external_id LIMIT 30`.execute(db)).rows;
  for (const [i, a] of top.entries()) await updateAccount(db, pid, a.id, { keyAccountManager: i % 2 ? magnus.email : sofia.email }, now);

  // Customers with an e-mail address, the demo portal member first.
  const people = (await sql<{ id: string; name: string; external_id: string }>`
    SELECT id, name, external_id FROM members WHERE program_id = ${pid} AND email IS NOT NULL AND status = 'active'
    ORDER BY (external_id = ${demoSignIns.portalMemberExternalId}) DESC, external_id LIMIT 40`.execute(db)).rows;
  if (people.length < 4) return;

  const staffActor = (s: { id: string; name: string }): ServiceActor => ({ ref: `staff:${s.id}`, name: s.name, party: 'staff' });
  // Three rounds of the stories spread over the month: the newest round is still open, older ones mostly done.
  const rounds = 3;
  let n = 0;
  for (let round = rounds - 1; round >= 0; round--) {
    for (const [i, s] of stories.entries()) {
      n++;
      const who = people[(n * 7 + (round === 0 && i < 5 ? 0 : n)) % people.length]!;
      const member = round === 0 && i < 5 ? people[0]! : who;
      const at = new Date(now.getTime() - (round * 10 + (i * 9) / stories.length) * DAY - (i % 3) * HOUR);
      const memberActor: ServiceActor = { ref: `member:${member.id}`, name: member.name, party: 'member' };
      const olderRound = round > 0;
      const target = olderRound && s.to !== 'new' ? 'closed' : s.to;
      const { request } = await createRequest(
        db,
        store ?? nullStore,
        program,
        member.id,
        { type: s.type, subject: s.subject, body: s.body, fields: Object.fromEntries(Object.entries(s.fields ?? {}).filter(([, v]) => v !== '')), evidenceIds: [] },
        s.photo && store ? [await receiveBytes(store, tinyPng([120 + i * 10, 60, 40]), 'foto.png')] : [],
        memberActor,
        at,
      );
      if (target === 'new') continue;
      const agent = staffActor(i % 2 ? magnus : sofia);
      let t = at.getTime() + (s.answerAfter ?? 3) * HOUR;
      // Each next step a while later; a story whose next step would lie after the seed's clock stops where it is.
      const later = (h: number): Date | null => ((t += h * HOUR) < now.getTime() ? new Date(t) : null);
      const steps: Array<[number, (at: Date) => Promise<unknown>]> = [];
      if (s.note) steps.push([0, (d) => addComment(db, store ?? nullStore, program, request.id, { body: s.note!, internal: true, evidenceIds: [] }, [], agent, d)]);
      steps.push([0.1, (d) => addComment(db, store ?? nullStore, program, request.id, { body: s.answer ?? 'Tack, vi tittar på det.', internal: false, evidenceIds: [] }, [], agent, d)]);
      if (s.wait) {
        steps.push([0.2, (d) => changeState(db, program, request.id, 'waiting_customer', s.wait!.question, agent, d)]);
        if (target !== 'waiting_customer') steps.push([20, (d) => addComment(db, store ?? nullStore, program, request.id, { body: s.wait!.reply ?? 'Här kommer uppgifterna.', internal: false, evidenceIds: [] }, [], memberActor, d)]);
      }
      if (target === 'resolved' || target === 'closed') steps.push([6 + i, (d) => changeState(db, program, request.id, 'resolved', null, agent, d, demoLinks)]);
      if (target === 'closed') {
        steps.push([30, (d) => changeState(db, program, request.id, 'closed', null, i % 3 ? memberActor : agent, d, demoLinks)]);
        const score = s.csat ?? (olderRound ? 3 + ((i + round) % 3) : undefined);
        if (score) steps.push([1, (d) => rateRequest(db, pid, request.id, member.id, { score, ...(score <= 3 && { comment: 'Det tog lite för lång tid.' }) }, d)]);
      }
      for (const [h, run] of steps) {
        const d = later(h);
        if (!d) break;
        await run(d);
      }
    }
  }
  await seedTeamsAndQuotes(db, program, store ?? nullStore, now, { sofia, magnus }, people);
}

/**
 * Two teams (the order desk and complaints) holding the open special orders and complaints, and special orders
 * answered with quotes: the demo portal member's open one in points (to accept in the portal), and another
 * company's money quote already accepted, which is an invoiced order in the shop's order list.
 */
async function seedTeamsAndQuotes(
  db: Db,
  program: Program,
  store: EvidenceStore,
  now: Date,
  staff: { sofia: { id: string; name: string }; magnus: { id: string; name: string } },
  people: Array<{ id: string; name: string }>,
): Promise<void> {
  const pid = program.id;
  const orderDesk = await saveTeam(db, pid, { name: 'Orderdesk', memberIds: [staff.sofia.id, staff.magnus.id] }, now);
  const complaints = await saveTeam(db, pid, { name: 'Reklamationer', memberIds: [staff.sofia.id] }, now);
  const open = await sql<{ id: string; code: string }>`
    SELECT r.id, t.code FROM service_requests r JOIN service_types t ON t.program_id = r.program_id AND t.id = r.type_id
    WHERE r.program_id = ${pid} AND r.state IN ('new', 'in_progress', 'waiting_customer') AND t.code IN ('special-order', 'complaint')`.execute(db);
  const system: ServiceActor = { ref: `staff:${staff.magnus.id}`, name: staff.magnus.name, party: 'staff' };
  const byCode = (code: string) => open.rows.filter((r) => r.code === code).map((r) => r.id);
  if (byCode('special-order').length) await assignRequests(db, pid, byCode('special-order'), { teamId: orderDesk.id }, system, now);
  if (byCode('complaint').length) await assignRequests(db, pid, byCode('complaint'), { teamId: complaints.id }, system, now);

  const day = (d: Date) => d.toISOString().slice(0, 10);
  const raise = async (member: { id: string; name: string }, subject: string, body: string, item: string, quantity: number, at: Date) =>
    (await createRequest(db, store, program, member.id, { type: 'special-order', subject, body, fields: { item, quantity }, evidenceIds: [] }, [], { ref: `member:${member.id}`, name: member.name, party: 'member' }, at)).request;
  const portalMember = people[0]!;
  const lamps = await raise(portalMember, 'Fasadlampor i mässing', 'Kan ni ta hem sex fasadlampor i mässing till entrén?', 'Fasadlampa mässing', 6, new Date(now.getTime() - 3 * DAY));
  await assignRequests(db, pid, [lamps.id], { teamId: orderDesk.id, staffUserId: staff.magnus.id }, system, new Date(now.getTime() - 3 * DAY + HOUR));
  await createQuote(db, program, lamps.id, { points: 900, quantity: 6, description: 'Sex lampor från Nordljus i borstad mässing, leverans inom tio arbetsdagar.', validUntil: day(new Date(now.getTime() + 14 * DAY)) }, system, new Date(now.getTime() - 2 * DAY));
  const other = people[3]!;
  const signs = await raise(other, 'Skyltar till nya butiken', 'Vi behöver fyra fasadskyltar med vår logotyp.', 'Fasadskylt med logotyp', 4, new Date(now.getTime() - 9 * DAY));
  const quote = await createQuote(db, program, signs.id, { amountMinor: 1_840_000, quantity: 4, description: 'Fyra skyltar i aluminium, 120 × 40 cm, med montering.', validUntil: day(new Date(now.getTime() + 5 * DAY)) }, system, new Date(now.getTime() - 8 * DAY));
  await decideQuote(db, program, signs.id, quote.id, 'accept', { ref: `member:${other.id}`, name: other.name, party: 'member' }, new Date(now.getTime() - 7 * DAY));
}

/** Without an evidence store (a seed run without files) no photo is attached; this store is never written to then. */
const nullStore: EvidenceStore = {
  description: 'none',
  put: async () => {},
  stage: async () => {
    throw new Error('no evidence store in this seed');
  },
  open: async () => {
    throw new Error('no evidence store in this seed');
  },
  remove: async () => {},
};
