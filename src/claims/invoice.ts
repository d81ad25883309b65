/**
 * Invoice numbers as people type them. Two normal forms: `exact` only trims, so the same number sent
 * twice is the same claim (refused); `loose` also drops case, spaces, dashes, dots, slashes and
 * underscores, so "inv-2026/0042" and "INV 2026 0042" meet (flagged for a person to look at).
 */
export function exactInvoice(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}

export function looseInvoice(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[\s\-‐‑‒–—_./]+/g, '');
}
