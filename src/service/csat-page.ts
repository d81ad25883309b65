/**
 * The page a rating link from a request's mail opens: no sign-in, no script, in the member's language. It says
 * which score was recorded (or that the request was rated before), offers an optional comment, and links to the
 * request in the portal. A link that cannot be used gets the same page with the reason.
 */
import { standalonePage } from '../http/html-page.js';
import escapeHtml from 'escape-html';
import { translator, type Language } from '../i18n/index.js';

const style = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f6f7f9; color: #111; }
  main { max-width: 34rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  .status { border-radius: .5rem; padding: 1rem; font-size: 1.05rem; font-weight: 600; margin: 0 0 1.25rem; }
  .ok { color: #0b5d1e; background: #e6f4ea; } .problem { color: #8a1111; background: #fdecec; }
  .stars { font-size: 1.6rem; letter-spacing: .1rem; color: #8a5a00; margin: 0 0 1rem; }
  form { background: #fff; border: 1px solid #d5d9e0; border-radius: .5rem; padding: 1rem; margin: 0 0 1.25rem; }
  label { display: block; font-weight: 600; margin-bottom: .5rem; }
  textarea { box-sizing: border-box; width: 100%; min-height: 6rem; font: inherit; padding: .5rem; border: 1px solid #6b7280; border-radius: .375rem; }
  button { margin-top: .75rem; font: inherit; font-weight: 600; color: #fff; background: #1c4f8a; border: 0; border-radius: .375rem; padding: .6rem 1.2rem; min-height: 44px; }
  a { color: #1c4f8a; }`;

const page = (language: Language, title: string, content: string) => standalonePage(language, title, style, content);

export interface RatedView {
  number: number;
  subject: string;
  score: number;
  comment: string | null;
  /** False: the request had been rated before and that answer stands. */
  recorded: boolean;
  /** True after the member sent a comment from this page. */
  commentSaved: boolean;
  portalUrl: string;
}

export function ratedPage(v: RatedView, language: Language): string {
  const t = translator(language);
  const title = t('service:csatPage.title');
  const params = { number: v.number, subject: v.subject, score: v.score };
  const status = v.commentSaved ? t('service:csatPage.commentSaved') : v.recorded ? t('service:csatPage.recorded', params) : t('service:csatPage.already', params);
  const stars = `${'★'.repeat(v.score)}${'☆'.repeat(5 - v.score)}`;
  const content = `<h1>${escapeHtml(title)}</h1>
<p class="status ok" role="status">${escapeHtml(status)}</p>
<p class="stars" aria-hidden="true">${stars}</p>
<form method="post" enctype="multipart/form-data">
<label for="comment">${escapeHtml(t('service:csatPage.commentLabel'))}</label>
<textarea id="comment" name="comment" maxlength="2000">${escapeHtml(v.comment ?? '')}</textarea>
<button type="submit">${escapeHtml(t('service:csatPage.send'))}</button>
</form>
<p><a href="${escapeHtml(v.portalUrl)}">${escapeHtml(t('service:csatPage.portal'))}</a></p>`;
  return page(language, title, content);
}

export function problemPage(message: string, language: Language, portalUrl: string): string {
  const t = translator(language);
  const content = `<h1>${escapeHtml(t('service:csatPage.problem'))}</h1>
<p class="status problem" role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(portalUrl)}">${escapeHtml(t('service:csatPage.portal'))}</a></p>`;
  return page(language, t('service:csatPage.problem'), content);
}
