/** Small pieces the portal pages share: page titles, signed points, "load more", empty states, skeleton lists. */
import type { ReactNode } from 'react';
import { Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

export function PageTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Title order={1} size="h3">
        {children}
      </Title>
      {right}
    </Group>
  );
}

/** Points with their sign ("+50 points", "−20 points"); the plural follows the number itself, not its sign. */
export function signedPoints(t: TFunction, points: number): string {
  const text = t('web:points', { count: Math.abs(points) });
  return points > 0 ? `+${text}` : points < 0 ? `\u2212${text}` : text;
}

export function LoadMore({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  const { t } = useTranslation('web');
  if (!hasMore) return null;
  return (
    <Button variant="default" size="md" fullWidth loading={loading} onClick={onMore}>
      {t('more')}
    </Button>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useTranslation('web');
  return (
    <Card withBorder padding="lg">
      <Text c="dimmed" ta="center">
        {children ?? t('none')}
      </Text>
    </Card>
  );
}

/**
 * A page's place-holder while the answers that decide its layout are on their way: the page then appears whole
 * instead of growing piece by piece and pushing what the member is about to tap.
 */
export function PageSkeleton({ blocks = [132, 96, 96, 200] }: { blocks?: number[] }) {
  const { t } = useTranslation('web');
  return (
    <Stack aria-busy="true" aria-label={t('loading')}>
      {blocks.map((height, i) => (
        <Skeleton key={i} height={height} radius="md" />
      ))}
    </Stack>
  );
}

/** Placeholder rows of the height the real ones will have, so nothing jumps when they arrive. */
export function SkeletonList({ rows = 3, height = 72 }: { rows?: number; height?: number }) {
  const { t } = useTranslation('web');
  return (
    <Stack gap="sm" aria-busy="true" aria-label={t('loading')}>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} radius="md" />
      ))}
    </Stack>
  );
}
