/**
 * The outbox: mails and text messages the program sent or will send, with their delivery state. A pending
 * message can be cancelled before it goes; a mail that went, failed or was cancelled can be sent again.
 */
import { Badge, Button, Card, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { statusColour, type Mail, type Sms } from './model';

const states = ['all', 'pending', 'sent', 'failed', 'cancelled'] as const;

export function Outbox({ admin, write }: { admin: boolean; write: boolean }) {
  const { t } = useTranslation('console-messages');
  const [status, setStatus] = useState<(typeof states)[number]>('all');
  const filter = status === 'all' ? undefined : status;
  // Both lists load before either shows, so the second does not jump when the first arrives.
  const mails = useQuery({ queryKey: ['outbox', filter], queryFn: () => api.get<{ data: Mail[] }>(`/v1/outbox${query({ status: filter, limit: 50 })}`), enabled: admin });
  const texts = useQuery({ queryKey: ['sms', filter], queryFn: () => api.get<{ data: Sms[] }>(`/v1/sms${query({ status: filter, limit: 50 })}`) });
  const loading = (admin && mails.isPending) || texts.isPending;
  return (
    <Stack>
      <SegmentedControl
        aria-label={t('outbox.filter')}
        data={states.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        value={status}
        onChange={(v) => setStatus(v as (typeof states)[number])}
        w="fit-content"
      />
      {loading ? (
        <Loading />
      ) : (
        <>
          {admin && <Mails mails={mails} />}
          <Texts texts={texts} write={write} />
        </>
      )}
    </Stack>
  );
}

function Mails({ mails }: { mails: UseQueryResult<{ data: Mail[] }> }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const done = (message: string) => {
    void client.invalidateQueries({ queryKey: ['outbox'] });
    notifySuccess(message);
  };
  const cancel = useMutation({ mutationFn: (id: string) => api.post(`/v1/outbox/${id}/cancel`), onSuccess: () => done(t('outbox.cancelled')) });
  const resend = useMutation({ mutationFn: (id: string) => api.post(`/v1/outbox/${id}/resend`), onSuccess: () => done(t('outbox.resent')) });
  return (
    <Card withBorder component="section" aria-labelledby="outbox-mails-title">
      <Title order={2} size="h4" id="outbox-mails-title">
        {t('outbox.mails')}
      </Title>
      <ErrorAlert error={mails.error ?? cancel.error ?? resend.error} />
      {mails.isPending ? (
        <Loading />
      ) : (mails.data?.data ?? []).length === 0 ? (
        <Text c="dimmed" mt="xs">
          {t('outbox.empty')}
        </Text>
      ) : (
        <Table striped mt="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('outbox.created')}</Table.Th>
              <Table.Th>{t('outbox.to')}</Table.Th>
              <Table.Th>{t('outbox.subject')}</Table.Th>
              <Table.Th>{t('outbox.status')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {mails.data!.data.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                <Table.Td>{m.to}</Table.Td>
                <Table.Td>{m.subject}</Table.Td>
                <Table.Td>
                  <Badge color={statusColour[m.status]}>{t(`status.${m.status}`)}</Badge>
                  {m.lastError && (
                    <Text size="xs" c="dimmed">
                      {m.lastError}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {m.status === 'pending' ? (
                    <Button size="xs" variant="default" onClick={() => cancel.mutate(m.id)} aria-label={t('outbox.cancelMail', { subject: m.subject, to: m.to })}>
                      {t('outbox.cancel')}
                    </Button>
                  ) : m.to !== '[erased]' ? (
                    <Button size="xs" variant="default" onClick={() => resend.mutate(m.id)} aria-label={t('outbox.resendMail', { subject: m.subject, to: m.to })}>
                      {t('outbox.resend')}
                    </Button>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function Texts({ texts, write }: { texts: UseQueryResult<{ data: Sms[] }>; write: boolean }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: string) => api.post(`/v1/sms/${id}/cancel`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['sms'] });
      notifySuccess(t('outbox.cancelled'));
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="outbox-sms-title">
      <Title order={2} size="h4" id="outbox-sms-title">
        {t('outbox.texts')}
      </Title>
      <ErrorAlert error={texts.error ?? cancel.error} />
      {texts.isPending ? (
        <Loading />
      ) : (texts.data?.data ?? []).length === 0 ? (
        <Text c="dimmed" mt="xs">
          {t('outbox.empty')}
        </Text>
      ) : (
        <Table striped mt="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('outbox.created')}</Table.Th>
              <Table.Th>{t('outbox.to')}</Table.Th>
              <Table.Th>{t('outbox.text')}</Table.Th>
              <Table.Th>{t('outbox.status')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {texts.data!.data.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                <Table.Td>{m.to}</Table.Td>
                <Table.Td>
                  {m.body}
                  <Text size="xs" c="dimmed">
                    {t('outbox.parts', { count: m.segments })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={statusColour[m.status]}>{t(`status.${m.status}`)}</Badge>
                    {m.delivery && <Badge color={statusColour[m.delivery]} variant="light">{t(`delivery.${m.delivery}`)}</Badge>}
                  </Group>
                  {m.heldUntil && m.status === 'pending' && (
                    <Text size="xs" c="dimmed">
                      {t('outbox.heldUntil', { at: formatDateTime(m.heldUntil) })}
                    </Text>
                  )}
                  {m.lastError && (
                    <Text size="xs" c="dimmed">
                      {m.lastError}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {write && m.status === 'pending' && (
                    <Button size="xs" variant="default" onClick={() => cancel.mutate(m.id)} aria-label={t('outbox.cancelText', { to: m.to })}>
                      {t('outbox.cancel')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
