/**
 * What a page costs the phone that opens it: the JavaScript (and CSS) of a built page's entry, everything it
 * imports statically, the chunks its first view loads lazily, and the translation chunks of one language,
 * gzipped as a server or CDN would send them. Read from Vite's manifest, so it measures the real build.
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface PageWeight {
  files: string[];
  jsGzipBytes: number;
  cssGzipBytes: number;
}

export function readManifest(root: string): Manifest {
  return JSON.parse(fs.readFileSync(`${root}.vite/manifest.json`, 'utf8')) as Manifest;
}

/**
 * `entry`: the page's html (e.g. `index.html`); `firstView`: source paths of the lazily loaded modules its first
 * view needs (e.g. the home page), matched by suffix; `language`/`namespaces`: the catalogue chunks it loads.
 */
export function pageWeight(root: string, entry: string, firstView: string[], language: string, namespaces: string[]): PageWeight {
  const manifest = readManifest(root);
  const seen = new Set<string>();
  const files = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build manifest`);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit(entry);
  const keys = Object.keys(manifest);
  for (const view of firstView) {
    const key = keys.find((k) => k.endsWith(view));
    if (!key) throw new Error(`${view} is not in the build manifest`);
    visit(key);
  }
  for (const ns of namespaces) {
    const key = keys.find((k) => k.endsWith(`locales/${language}/${ns}.json`));
    if (key) visit(key);
  }
  let js = 0;
  let css = 0;
  for (const file of files) {
    const size = gzipSync(fs.readFileSync(`${root}${file}`), { level: 9 }).length;
    if (file.endsWith('.css')) css += size;
    else js += size;
  }
  return { files: [...files].sort(), jsGzipBytes: js, cssGzipBytes: css };
}

/** The portal's first page for a signed-in member: the shell, the home page and its translations. */
export const portalFirstPage = (root: string, language = 'en') =>
  pageWeight(root, 'index.html', ['portal/pages/Home.tsx'], language, ['web', 'portal']);

/** The console's first page: the shell and the dashboard (its charts are the console's heaviest chunk). */
export const consoleFirstPage = (root: string, language = 'en') =>
  pageWeight(root, 'admin/index.html', ['admin/pages/Dashboard.tsx'], language, ['web', 'console']);
