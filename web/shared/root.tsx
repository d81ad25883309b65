/**
 * What both apps share around their pages: translations, the Mantine theme, notifications and the data cache.
 */
import { StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Center, Loader, MantineProvider, NavLink, createTheme, darken, luminance, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { startI18n } from './i18n';
import { ApiError } from './api';
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';

export const theme = createTheme({
  primaryColor: 'teal',
  // Shade 9 keeps white text on buttons above WCAG AA contrast (4.5:1); Mantine's default shade does not.
  primaryShade: 9,
  defaultRadius: 'md',
  // The active menu item filled: the pale "light" variant's text falls below AA contrast on its background.
  components: { NavLink: NavLink.extend({ defaultProps: { variant: 'filled' } }) },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
});

const AA = 4.5;

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour, darkened in small steps until text in it (or on it) reads at WCAG AA against `other`. */
function readableWith(colour: string, other: string): string {
  let c = colour;
  for (let i = 0; i < 20 && contrast(c, other) < AA; i++) c = darken(c, 0.05);
  return c;
}

/** Secondary ("dimmed") text dark enough to read in daylight on a building site, and to pass AA contrast. */
const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    ...Object.fromEntries(
      Object.entries(t.colors).flatMap(([name, shades]) => {
        // Mantine's darkest shade is not dark enough for every colour: white on orange 9 is 4.3:1, and the text of a
        // "light" badge or button (shade 9 on shade 1) is 4.3:1 in teal, 3.6:1 in orange and 2.7:1 in yellow.
        const filled = readableWith(shades[9], t.white);
        return [
          [`--mantine-color-${name}-filled`, filled],
          // With shade 9 Mantine hovers to the lighter shade 8 (white on teal 8 is 3.9:1); darker keeps it readable.
          [`--mantine-color-${name}-filled-hover`, darken(filled, 0.15)],
          [`--mantine-color-${name}-light-color`, readableWith(shades[9], shades[1])],
          [`--mantine-color-${name}-outline`, filled],
        ];
      }),
    ),
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // A field's error message and the text of a field in error: Mantine's red 6 is 3.3:1 on white, red 9 passes AA.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});

export function Loading() {
  return (
    <Center h="50vh" aria-busy="true">
      <Loader />
    </Center>
  );
}

export async function mountApp(app: ReactNode, namespaces: string[]): Promise<void> {
  await startI18n(namespaces);
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        // A refused request (4xx) will answer the same again; only network trouble and 5xx are retried.
        retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
        staleTime: 15_000,
        refetchOnWindowFocus: true,
      },
    },
  });
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
        <Notifications position="top-center" />
        <QueryClientProvider client={queryClient}>
          <Suspense fallback={<Loading />}>{app}</Suspense>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
