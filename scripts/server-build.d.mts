/** Types of scripts/server-build.mjs (plain JavaScript so that bin/lojal.js runs it without tsx). */
export function currentServerBuild(root?: string): string | undefined;
export function buildServerIfNeeded(options?: { force?: boolean; quiet?: boolean; root?: string }): Promise<'built' | 'current'>;
