/**
 * A small page the server renders itself, for links opened outside the console and the portal (a certificate's
 * verification, a rating link in a mail): one document shell, each page bringing its own style and content.
 */
import escapeHtml from 'escape-html';
import type { Language } from '../i18n/index.js';

export function standalonePage(language: Language, title: string, style: string, content: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body><main>
${content}
</main></body>
</html>
`;
}
