/**
 * My referrals: the member's code and a link to share, what a referral pays each side, and the companies they
 * referred with where each stands (waiting for a first purchase past the return window, paid, over the cap).
 */
import { Badge, Button, Card, CopyButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { Empty, PageSkeleton, PageTitle } from '../parts/ui';

interface Referrals {
  code: string;
  link: string;
  enabled: boolean;
  referrerPoints: number;
  refereePoints: number;
  capCount: number | null;
  capPeriod: 'month' | 'year' | 'lifetime';
  referees: Array<{ company: string; status: 'pending' | 'paid' | 'capped'; points: number; createdAt: string; qualifiedAt: string | null }>;
}

const statusColour = { pending: 'gray', paid: 'teal', capped: 'yellow' } as const;

export default function ReferralsPage() {
  const { t } = useTranslation('portal-referrals');
  const referrals = useQuery({ queryKey: ['portal', 'referrals'], queryFn: () => api.get<Referrals>('/portal/v1/referrals') });
  const r = referrals.data;
  const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';
  return (
    <Stack>
      <PageTitle>{t('title')}</PageTitle>
      <ErrorAlert error={referrals.error} />
      {referrals.isPending ? (
        <PageSkeleton blocks={[160, 200]} />
      ) : r ? (
        <>
          <Card withBorder padding="md">
            <Stack gap="sm">
              <Text>{r.enabled ? t('pays', { referrer: r.referrerPoints, referee: r.refereePoints }) : t('off')}</Text>
              {r.enabled && r.capCount !== null ? <Text size="sm" c="dimmed">{t(`cap.${r.capPeriod}`, { count: r.capCount })}</Text> : null}
              <div>
                <Text size="sm" c="dimmed">{t('code')}</Text>
                <Text fw={700} fz={28} style={{ letterSpacing: '0.12em' }} data-testid="referral-code">{r.code}</Text>
              </div>
              <TextInput label={t('link')} value={r.link} readOnly onFocus={(e) => e.currentTarget.select()} />
              <Group gap="sm">
                <CopyButton value={r.link}>
                  {({ copied, copy }) => (
                    <Button onClick={copy} variant={copied ? 'light' : 'filled'}>{copied ? t('copied') : t('copy')}</Button>
                  )}
                </CopyButton>
                {canShare ? (
                  <Button variant="default" onClick={() => void navigator.share({ title: t('shareTitle'), text: t('shareText', { code: r.code }), url: r.link }).catch(() => undefined)}>
                    {t('share')}
                  </Button>
                ) : null}
              </Group>
            </Stack>
          </Card>
          <Title order={2} size="h4">{t('referees')}</Title>
          {r.referees.length === 0 ? (
            <Empty>{t('none')}</Empty>
          ) : (
            <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
              {r.referees.map((x, i) => (
                <Card key={i} withBorder padding="sm" component="li">
                  <Group justify="space-between" wrap="nowrap" align="flex-start">
                    <div style={{ minWidth: 0 }}>
                      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>{x.company}</Text>
                      <Text size="sm" c="dimmed">{t('since', { date: formatDate(x.createdAt) })}</Text>
                      <Text size="sm">{t(`explain.${x.status}`, { points: x.points })}</Text>
                    </div>
                    <Badge color={statusColour[x.status]} variant="light" style={{ flexShrink: 0 }}>{t(`status.${x.status}`)}</Badge>
                  </Group>
                </Card>
              ))}
            </Stack>
          )}
        </>
      ) : null}
    </Stack>
  );
}
