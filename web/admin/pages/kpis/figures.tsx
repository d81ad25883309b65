/** What the KPI, ROI and potential pages share: a figure's "how is this computed" note and the percent format. */
import { Text, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { localeOf } from '../../../shared/format';

export const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : new Intl.NumberFormat(localeOf(), { style: 'percent', maximumFractionDigits: 1 }).format(x);

/** A figure or chart's "how is this computed" note: always shown, small, under its value. */
export function How({ children, ns }: { children: string; ns: 'console-kpis' | 'console-roi' }) {
  const { t } = useTranslation(ns);
  return (
    <Text size="xs" c="dimmed">
      <VisuallyHidden>{t('howLabel')} </VisuallyHidden>
      {children}
    </Text>
  );
}
