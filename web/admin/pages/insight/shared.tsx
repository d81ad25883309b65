/**
 * What the insight areas (dashboard, approvals, audit log, integrations) share: dates in the UI language for
 * the date pickers, the people behind `staff:<id>` references, and the look of an empty list.
 */
import type { ReactNode } from 'react';
import { Center, Stack, Text } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { IconInbox } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import 'dayjs/locale/en-gb';
import 'dayjs/locale/sv';
import 'dayjs/locale/nb';
import 'dayjs/locale/pl';
import 'dayjs/locale/de';
import '@mantine/dates/styles.css';
import { api } from '../../../shared/api';
import { currentLanguage, type Language } from '../../../shared/i18n';

const dayjsLocales: Record<Language, string> = { en: 'en-gb', sv: 'sv', nb: 'nb', pl: 'pl', de: 'de' };

/** Month and day names of the date pickers in the UI language, weeks from Monday. */
export function LocalDates({ children }: { children: ReactNode }) {
  return <DatesProvider settings={{ locale: dayjsLocales[currentLanguage()], firstDayOfWeek: 1 }}>{children}</DatesProvider>;
}

/** A calendar date as the API takes it. */
export const isoDay = (d: Date | dayjs.Dayjs) => dayjs(d).format('YYYY-MM-DD');

export interface AuditFacets {
  actors: Array<{ actor: string; actorLabel: string }>;
  actions: string[];
  entities: string[];
}

export function useAuditFacets() {
  return useQuery({ queryKey: ['audit-facets'], queryFn: () => api.get<AuditFacets>('/v1/audit/facets'), staleTime: 60_000 });
}

/** Names for `staff:<id>` / `api-key:<id>` (the audit log knows everyone who has acted); the reference itself otherwise. */
export function useActorName(): (actor: string | null | undefined) => string {
  const facets = useAuditFacets();
  const names = new Map((facets.data?.actors ?? []).map((a) => [a.actor, a.actorLabel]));
  return (actor) => (actor ? (names.get(actor) ?? actor) : '');
}

/** An empty list or chart, taking the same room the content would. */
export function Empty({ children, h = 160 }: { children: ReactNode; h?: number }) {
  return (
    <Center h={h}>
      <Stack align="center" gap={4}>
        <IconInbox size={28} stroke={1.5} aria-hidden />
        <Text c="dimmed" ta="center">
          {children}
        </Text>
      </Stack>
    </Center>
  );
}
