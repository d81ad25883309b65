/**
 * Before and after of an audit entry as rows of a two-column view: nested objects flattened to dotted paths,
 * arrays and scalars shown as compact JSON, and whether each field changed.
 */
export interface DiffRow {
  path: string;
  before: string | undefined;
  after: string | undefined;
  changed: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (value === undefined) return;
  out.set(prefix || '·', typeof value === 'string' ? value : JSON.stringify(value));
}

export function diffRows(before: unknown, after: unknown): DiffRow[] {
  const b = new Map<string, string>();
  const a = new Map<string, string>();
  flatten(before ?? undefined, '', b);
  flatten(after ?? undefined, '', a);
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  return paths.map((path) => ({ path, before: b.get(path), after: a.get(path), changed: b.get(path) !== a.get(path) }));
}
