/**
 * Campaigns: the list with each campaign's state, budget planned vs spent and its uplift so far; planning a new one;
 * and one campaign's report with the uplift against its held-out group, where it can be stopped or extended.
 */
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDate, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { Empty } from '../insight/shared';
import { BudgetBar } from './BudgetBar';
import { CampaignDetail } from './CampaignDetail';
import { CampaignForm } from './CampaignForm';
import { lastDayOf, statusColour, type Campaign } from './model';

export default function Campaigns() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<CampaignForm />} />
      <Route path=":id" element={<CampaignDetail />} />
    </Routes>
  );
}

function CampaignList() {
  const { t } = useTranslation('console-campaigns');
  const { staff } = useStaff();
  const list = useQuery({ queryKey: ['campaigns'], queryFn: () => api.get<{ data: Campaign[] }>('/v1/campaigns') });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('title')}</Title>
        {canWrite(staff.role) && (
          <Button component={Link} to="new" leftSection={<IconPlus size={16} />}>
            {t('list.plan')}
          </Button>
        )}
      </Group>
      <Text c="dimmed">{t('intro')}</Text>
      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <Loading />
      ) : (list.data?.data ?? []).length === 0 ? (
        <Empty>{t('list.empty')}</Empty>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.name')}</Table.Th>
              <Table.Th>{t('list.status')}</Table.Th>
              <Table.Th>{t('list.window')}</Table.Th>
              <Table.Th>{t('list.segments')}</Table.Th>
              <Table.Th w={220}>{t('list.budget')}</Table.Th>
              <Table.Th>{t('list.uplift')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data!.data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={c.id}>
                    {c.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge color={statusColour[c.report.status]} variant="light">
                    {t(`status.${c.report.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{`${formatDate(c.startsAt)} – ${formatDate(lastDayOf(c.endsAt))}`}</Table.Td>
                <Table.Td>{c.segmentKeys.length ? c.segmentKeys.join(', ') : t('list.everyone')}</Table.Td>
                <Table.Td>
                  <BudgetBar c={c} />
                </Table.Td>
                <Table.Td>
                  {c.report.uplift?.relative != null ? (
                    <Group gap={4} wrap="nowrap">
                      <Text size="sm">{t('list.relative', { value: formatNumber(Math.round(c.report.uplift.relative * 1000) / 10) })}</Text>
                      {c.report.uplift.significant && (
                        <Badge size="xs" color="teal.9" variant="light">
                          {t('uplift.significantShort')}
                        </Badge>
                      )}
                    </Group>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
