/**
 * Referrals: what a referral pays and the cap, then every referred company with the code it came with and where
 * it stands — paid, waiting for its first purchase past the return window, or refused with the reason.
 */
import { useState } from 'react';
import { Badge, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDate, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { Empty } from '../insight/shared';

interface Settings { enabled: boolean; referrerPoints: number; refereePoints: number; capCount: number | null; capPeriod: 'month' | 'year' | 'lifetime' }
interface Referral {
  id: string;
  code: string;
  referrerName: string;
  refereeName: string;
  status: 'pending' | 'paid' | 'capped';
  referrerPoints: number;
  refereePoints: number;
  createdAt: string;
  qualifiedAt: string | null;
}
interface Refusal { id: string; code: string; reason: string; reasonText: string; referrerName: string | null; refereeName: string; source: 'api' | 'portal'; refusedAt: string }
type Show = 'all' | 'paid' | 'pending' | 'refused';

const statusColour = { paid: 'teal.9', pending: 'blue.9', capped: 'yellow.9', refused: 'red.9' } as const;

export default function Referrals() {
  const { t } = useTranslation('console-relevance');
  const [show, setShow] = useState<Show>('all');
  const settings = useQuery({ queryKey: ['referral-settings'], queryFn: () => api.get<Settings>('/v1/referrals/settings') });
  const referrals = useQuery({ queryKey: ['referrals'], queryFn: () => api.get<{ data: Referral[] }>('/v1/referrals?limit=500') });
  const refusals = useQuery({ queryKey: ['referral-refusals'], queryFn: () => api.get<{ data: Refusal[] }>('/v1/referrals/refusals?limit=500') });
  const all = referrals.data?.data ?? [];
  const refused = refusals.data?.data ?? [];
  const counts = { paid: all.filter((r) => r.status !== 'pending').length, pending: all.filter((r) => r.status === 'pending').length, refused: refused.length };
  const rows = show === 'refused' ? [] : all.filter((r) => show === 'all' || (show === 'paid' ? r.status !== 'pending' : r.status === 'pending'));
  const s = settings.data;

  // One wait for the settings and both lists, so nothing below moves as each arrives.
  if (settings.isPending || referrals.isPending || refusals.isPending) {
    return (
      <Stack>
        <Title order={2}>{t('referrals.title')}</Title>
        <Loading />
      </Stack>
    );
  }

  return (
    <Stack>
      <Title order={2}>{t('referrals.title')}</Title>
      <ErrorAlert error={settings.error ?? referrals.error ?? refusals.error} />
      {s && (
        <Text>
          {s.enabled ? t('referrals.pays', { referrer: formatNumber(s.referrerPoints), referee: formatNumber(s.refereePoints) }) : t('referrals.off')}
          {s.enabled && s.capCount !== null ? ` ${t(`referrals.cap.${s.capPeriod}`, { count: s.capCount })}` : ''}
        </Text>
      )}
      <Group>
        <SegmentedControl
          aria-label={t('referrals.show')}
          value={show}
          onChange={(v) => setShow(v as Show)}
          data={[
            { value: 'all', label: t('referrals.filter.all') },
            { value: 'paid', label: t('referrals.filter.paid', { n: counts.paid }) },
            { value: 'pending', label: t('referrals.filter.pending', { n: counts.pending }) },
            { value: 'refused', label: t('referrals.filter.refused', { n: counts.refused }) },
          ]}
        />
      </Group>
      {referrals.isPending || refusals.isPending ? (
        <Loading />
      ) : (
        <>
          {show !== 'refused' &&
            (rows.length === 0 ? (
              <Empty h={80}>{t('referrals.none')}</Empty>
            ) : (
              <Table striped aria-label={t('referrals.listLabel')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('referrals.col.company')}</Table.Th>
                    <Table.Th>{t('referrals.col.referrer')}</Table.Th>
                    <Table.Th>{t('referrals.col.code')}</Table.Th>
                    <Table.Th>{t('referrals.col.status')}</Table.Th>
                    <Table.Th ta="right">{t('referrals.col.points')}</Table.Th>
                    <Table.Th>{t('referrals.col.date')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{r.refereeName}</Table.Td>
                      <Table.Td>{r.referrerName}</Table.Td>
                      <Table.Td ff="monospace">{r.code}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={statusColour[r.status]}>
                          {t(`referrals.status.${r.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">{r.status === 'pending' ? '—' : `${formatNumber(r.referrerPoints)} + ${formatNumber(r.refereePoints)}`}</Table.Td>
                      <Table.Td>{formatDate(r.qualifiedAt ?? r.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ))}
          {(show === 'refused' || show === 'all') && (
            <>
              <Title order={3}>{t('referrals.refusedTitle')}</Title>
              {refused.length === 0 ? (
                <Empty h={80}>{t('referrals.noneRefused')}</Empty>
              ) : (
                <Table striped aria-label={t('referrals.refusedTitle')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('referrals.col.company')}</Table.Th>
                      <Table.Th>{t('referrals.col.referrer')}</Table.Th>
                      <Table.Th>{t('referrals.col.code')}</Table.Th>
                      <Table.Th>{t('referrals.col.reason')}</Table.Th>
                      <Table.Th>{t('referrals.col.date')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {refused.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>{r.refereeName}</Table.Td>
                        <Table.Td>{r.referrerName ?? '—'}</Table.Td>
                        <Table.Td ff="monospace">{r.code}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color={statusColour.refused} mr="xs">
                            {t('referrals.status.refused')}
                          </Badge>
                          {r.reasonText}
                          <Text size="xs" c="dimmed">
                            {t(`referrals.source.${r.source}`)}
                          </Text>
                        </Table.Td>
                        <Table.Td>{formatDate(r.refusedAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </>
          )}
        </>
      )}
    </Stack>
  );
}
