/**
 * A certificate as a PDF (pdfkit), in the language it was issued in. The font is DejaVu Sans, embedded from
 * the dejavu-fonts-ttf package (no download at install), so Polish, Nordic and German letters print as
 * written (å ä ö ø æ ł ę ż ś ß). The document's dates are the certificate's own, so the same certificate
 * renders the same file.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { translator, type Language } from '../i18n/index.js';
import type { Certificate } from './certificates.js';

const require = createRequire(import.meta.url);
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(fontDir, 'DejaVuSans.ttf');
const BOLD = path.join(fontDir, 'DejaVuSans-Bold.ttf');

const longDate = (at: Date, language: Language, timeZone: string) => new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone }).format(at);

export interface CertificatePrint {
  certificate: Certificate;
  programName: string;
  timeZone: string;
  /** Where a person checks the code, e.g. https://loyalty.example.com/verify/ABCDE-… (the HTML page) */
  verifyUrl: string;
}

export async function renderCertificatePdf({ certificate: c, programName, timeZone, verifyUrl }: CertificatePrint): Promise<Buffer> {
  // Loaded on the first certificate printed: pdfkit and its font data are ~30 MB of a server that may never print one.
  const { default: PDFDocument } = await import('pdfkit');
  const t = translator(c.language);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 56,
    font: REGULAR,
    lang: c.language,
    info: { Title: `${t('training:certificate.title')} – ${c.courseTitle}`, Author: programName, Subject: c.memberName, CreationDate: c.issuedAt, ModDate: c.issuedAt },
  });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { width, height } = doc.page;
  const inner = width - 112;
  doc.lineWidth(3).strokeColor('#1c5d99').rect(28, 28, width - 56, height - 56).stroke();
  doc.lineWidth(1).rect(36, 36, width - 72, height - 72).stroke();
  doc.fillColor('#1c5d99').font('bold').fontSize(14).text(programName.toUpperCase(), 56, 80, { width: inner, align: 'center', characterSpacing: 2 });
  doc.fillColor('#111').font('bold').fontSize(38).text(t('training:certificate.title'), 56, 120, { width: inner, align: 'center' });
  doc.font('regular').fontSize(14).fillColor('#333').text(t('training:certificate.awardedTo'), 56, 200, { width: inner, align: 'center' });
  doc.font('bold').fontSize(30).fillColor('#111').text(c.memberName, 56, 228, { width: inner, align: 'center' });
  doc.font('regular').fontSize(14).fillColor('#333').text(t('training:certificate.completed'), 56, 285, { width: inner, align: 'center' });
  doc.font('bold').fontSize(22).fillColor('#1c5d99').text(c.courseTitle, 56, 310, { width: inner, align: 'center' });

  const issued = t('training:certificate.issued', { date: longDate(c.issuedAt, c.language, timeZone) });
  const valid = c.expiresAt ? t('training:certificate.validUntil', { date: longDate(c.expiresAt, c.language, timeZone) }) : t('training:certificate.noExpiry');
  doc.font('regular').fontSize(12).fillColor('#333').text(`${issued}   ·   ${valid}`, 56, 390, { width: inner, align: 'center' });
  doc.font('bold').fontSize(12).fillColor('#111').text(t('training:certificate.code', { code: c.code }), 56, 440, { width: inner, align: 'center' });
  // The address is a link too, for a PDF read on screen; on paper it is typed or scanned.
  doc.font('regular').fontSize(10).fillColor('#555').text(t('training:certificate.verify', { url: verifyUrl }), 56, 460, { width: inner, align: 'center', link: verifyUrl });
  doc.end();
  return done;
}
