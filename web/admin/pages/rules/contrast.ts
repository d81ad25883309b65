import type { CSSProperties } from 'react';

/**
 * Mantine's default error red (red.6) is below AA contrast on white; the forms of these pages show the
 * server's messages in a red that reads (set on the page's container, so every input below inherits it).
 */
export const readableErrors = { '--mantine-color-error': 'var(--mantine-color-red-9)' } as CSSProperties;
