/**
 * The human side of a verification code: a small HTML page anyone opens from the link or QR code printed on
 * the certificate — no sign-in, no script, in the reader's language — saying whether the certificate is valid,
 * expired, withdrawn or replaced by a renewal, whose it is, for which course, and from when until when.
 */
import { standalonePage } from '../http/html-page.js';
import escapeHtml from 'escape-html';
import { translator, type Language } from '../i18n/index.js';
import type { CertificateStatus } from './certificates.js';

export interface VerifiedCertificate {
  status: CertificateStatus;
  memberName: string;
  courseTitle: string;
  programName: string;
  code: string;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  replacedAt: Date | null;
  timeZone: string;
}

/** Text and background colours with a contrast above 7:1, so the status reads on any screen. */
const tone: Record<CertificateStatus, { fg: string; bg: string; mark: string }> = {
  valid: { fg: '#0b5d1e', bg: '#e6f4ea', mark: '✓' },
  expired: { fg: '#7a3e00', bg: '#fff4e5', mark: '!' },
  replaced: { fg: '#1c3d6e', bg: '#e8f0fb', mark: '↻' },
  revoked: { fg: '#8a1111', bg: '#fdecec', mark: '✗' },
};

const style = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f6f7f9; color: #111; }
  main { max-width: 34rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  .lead { color: #444; margin: 0 0 1.25rem; }
  .status { border-radius: .5rem; padding: 1rem; font-size: 1.15rem; font-weight: 700; margin-bottom: 1.25rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; margin: 0; background: #fff; border: 1px solid #d5d9e0; border-radius: .5rem; padding: 1rem; }
  dt { color: #444; } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
  a { color: #1c4f8a; }
  p.small { font-size: .9rem; margin-top: 1.25rem; }`;

const longDate = (at: Date, language: Language, timeZone: string) => new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone }).format(at);

const page = (language: Language, title: string, content: string) => standalonePage(language, title, style, content);

export function verificationPage(c: VerifiedCertificate, language: Language, jsonUrl: string): string {
  const t = translator(language);
  const date = (d: Date) => escapeHtml(longDate(d, language, c.timeZone));
  const k = tone[c.status];
  const rows: Array<[string, string]> = [
    [t('training:verificationPage.holder'), escapeHtml(c.memberName)],
    [t('training:verificationPage.course'), escapeHtml(c.courseTitle)],
    [t('training:verificationPage.issued'), date(c.issuedAt)],
    [t('training:verificationPage.validUntil'), c.expiresAt ? date(c.expiresAt) : escapeHtml(t('training:verificationPage.noExpiry'))],
    [t('training:verificationPage.code'), `<code>${escapeHtml(c.code)}</code>`],
  ];
  const when =
    c.status === 'revoked' && c.revokedAt
      ? `<br><span style="font-weight:400">${escapeHtml(t('training:verificationPage.revokedOn', { date: longDate(c.revokedAt, language, c.timeZone) }))}</span>`
      : c.status === 'replaced' && c.replacedAt
        ? `<br><span style="font-weight:400">${escapeHtml(t('training:verificationPage.replacedOn', { date: longDate(c.replacedAt, language, c.timeZone) }))}</span>`
        : '';
  const content = `<h1>${escapeHtml(t('training:verificationPage.title'))}</h1>
<p class="lead">${escapeHtml(t('training:verificationPage.lead', { program: c.programName }))}</p>
<p class="status" role="status" data-status="${c.status}" style="color:${k.fg};background:${k.bg}"><span aria-hidden="true">${k.mark} </span>${escapeHtml(t(`training:verification.${c.status}`))}${when}</p>
<dl>
${rows.map(([dt, dd]) => `<dt>${escapeHtml(dt)}</dt><dd>${dd}</dd>`).join('\n')}
</dl>
<p class="small"><a href="${escapeHtml(jsonUrl)}">${escapeHtml(t('training:verificationPage.json'))}</a></p>`;
  return page(language, `${t('training:verificationPage.title')} – ${c.courseTitle}`, content);
}

export function notFoundPage(language: Language): string {
  const t = translator(language);
  return page(language, t('training:verificationPage.title'), `<h1>${escapeHtml(t('training:verificationPage.title'))}</h1>\n<p class="status" role="status" style="color:#8a1111;background:#fdecec">${escapeHtml(t('training:verificationPage.notFound'))}</p>`);
}
