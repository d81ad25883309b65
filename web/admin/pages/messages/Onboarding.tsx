/**
 * The onboarding sequence: which message goes how many days after a member joins, stopped for a member who
 * has already done what it asks; with how many members each step went to and skipped.
 */
import { Button, Card, Group, NumberInput, Select, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import type { Step } from './model';

const kinds = ['welcome', 'first_purchase_tip', 'checklist_reminder'] as const;
const stops = ['never', 'first_purchase', 'checklist_done', 'signed_in'] as const;

export function Onboarding({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const steps = useQuery({ queryKey: ['message-sequence'], queryFn: () => api.get<{ data: Step[] }>('/v1/message-sequence') });
  const [day, setDay] = useState<number | string>(0);
  const [kind, setKind] = useState<string>('welcome');
  const [stopWhen, setStopWhen] = useState<string>('never');
  const refresh = () => void client.invalidateQueries({ queryKey: ['message-sequence'] });
  const add = useMutation({
    mutationFn: () => api.post<Step>('/v1/message-sequence', { day: Number(day) || 0, kind, stopWhen }),
    onSuccess: () => {
      refresh();
      notifySuccess(t('onboarding.added'));
    },
  });
  const toggle = useMutation({ mutationFn: (s: Step) => api.patch<Step>(`/v1/message-sequence/${s.id}`, { active: !s.active }), onSuccess: refresh });
  return (
    <Stack>
      <Text size="sm">{t('onboarding.help')}</Text>
      {admin && (
        <Card withBorder component="section" aria-labelledby="step-add-title">
          <Title order={2} size="h4" id="step-add-title">
            {t('onboarding.add')}
          </Title>
          <Group align="flex-end" mt="xs">
            <NumberInput label={t('onboarding.day')} min={0} max={365} value={day} onChange={setDay} w={120} />
            <Select label={t('onboarding.kind')} data={kinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))} value={kind} onChange={(v) => v && setKind(v)} allowDeselect={false} w={240} />
            <Select label={t('onboarding.stopWhen')} data={stops.map((k) => ({ value: k, label: t(`stop.${k}`) }))} value={stopWhen} onChange={(v) => v && setStopWhen(v)} allowDeselect={false} w={260} />
            <Button onClick={() => add.mutate()} loading={add.isPending}>
              {t('onboarding.addButton')}
            </Button>
          </Group>
          <ErrorAlert error={add.error} />
        </Card>
      )}
      <ErrorAlert error={steps.error ?? toggle.error} />
      {steps.isPending ? (
        <Loading />
      ) : (steps.data?.data ?? []).length === 0 ? (
        <Text c="dimmed">{t('onboarding.empty')}</Text>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('onboarding.day')}</Table.Th>
              <Table.Th>{t('onboarding.kind')}</Table.Th>
              <Table.Th>{t('onboarding.stopWhen')}</Table.Th>
              <Table.Th ta="right">{t('onboarding.sent')}</Table.Th>
              <Table.Th ta="right">{t('onboarding.skipped')}</Table.Th>
              <Table.Th>{t('onboarding.active')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {steps.data!.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{t('onboarding.dayN', { day: s.day })}</Table.Td>
                <Table.Td>{t(`kind.${s.kind}`)}</Table.Td>
                <Table.Td>{t(`stop.${s.stopWhen}`)}</Table.Td>
                <Table.Td ta="right">{formatNumber(s.sent)}</Table.Td>
                <Table.Td ta="right">{formatNumber(s.skipped)}</Table.Td>
                <Table.Td>
                  <Switch checked={s.active} disabled={!admin} onChange={() => toggle.mutate(s)} aria-label={t('onboarding.activeOf', { day: s.day, kind: t(`kind.${s.kind}`) })} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
