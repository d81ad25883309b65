/**
 * What both apps share around their pages: translations, the Mantine theme, notifications and the data cache.
 */
import { StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Center, Loader, MantineProvider, NavLink, createTheme, darken, type CSSVariablesResolver } from '@mantine/core';
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

/** Secondary ("dimmed") text dark enough to read in daylight on a building site, and to pass AA contrast. */
const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    // A filled button under the pointer: with shade 9 Mantine hovers to the lighter shade 8 (white on teal 8 is
    // 3.9:1); a darker 9 keeps the text readable while the button still answers the pointer.
    ...Object.fromEntries(Object.entries(t.colors).map(([name, shades]) => [`--mantine-color-${name}-filled-hover`, darken(shades[9], 0.15)])),
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // Text of "light" variants (active menu items, light buttons, badges) on their pale background.
    '--mantine-primary-color-light-color': 'var(--mantine-color-teal-9)',
    '--mantine-color-teal-light-color': 'var(--mantine-color-teal-9)',
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
