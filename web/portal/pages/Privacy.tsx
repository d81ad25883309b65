/**
 * My consents and my data: what the program asks consent for (the text as it stands, in my language), a switch
 * per channel to give or withdraw it, the history of what I said and when, and a download of everything the
 * program holds about me.
 */
import { Button, Card, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { ErrorAlert, notifySuccess } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';

type Channel = 'email' | 'sms' | 'inbox';

interface Consents {
  purposes: Array<{ purpose: string; version: number; text: string; channels: Array<{ channel: Channel; granted: boolean; since: string | null }> }>;
  history: Array<{ id: string; purpose: string; channel: Channel; granted: boolean; textVersion: number | null; source: string; recordedAt: string }>;
}

const key = ['portal', 'consents'];

export default function Privacy() {
  const { t } = useTranslation('portal-privacy');
  const client = useQueryClient();
  const consents = useQuery({ queryKey: key, queryFn: () => api.get<Consents>('/portal/v1/consents') });
  const change = useMutation({
    mutationFn: (v: { purpose: string; channel: Channel; granted: boolean; textVersion: number }) =>
      api.put<Consents>('/portal/v1/consents', v.granted ? v : { purpose: v.purpose, channel: v.channel, granted: false }),
    onSuccess: (data, v) => {
      client.setQueryData(key, data);
      notifySuccess(t(v.granted ? 'given' : 'withdrawn', { purpose: t(`purpose.${v.purpose}`), channel: t(`channel.${v.channel}`) }));
    },
  });
  const data = consents.data;
  return (
    <Stack>
      <PageTitle>{t('title')}</PageTitle>
      <ErrorAlert error={consents.error ?? change.error} />
      {!data ? (
        <SkeletonList rows={2} height={160} />
      ) : (
        <>
          {data.purposes.length === 0 && <Empty>{t('nothingAsked')}</Empty>}
          {data.purposes.map((p) => (
            <Card withBorder key={p.purpose} component="section" aria-labelledby={`purpose-${p.purpose}`}>
              <Title order={2} size="h4" id={`purpose-${p.purpose}`}>
                {t(`purpose.${p.purpose}`)}
              </Title>
              <Text size="sm" mt={4} style={{ whiteSpace: 'pre-line' }}>
                {p.text}
              </Text>
              <Stack gap="sm" mt="md">
                {p.channels.map((c) => (
                  <Switch
                    key={c.channel}
                    size="md"
                    checked={c.granted}
                    disabled={change.isPending}
                    label={t(`channel.${c.channel}`)}
                    description={c.granted && c.since ? t('since', { date: formatDate(c.since) }) : undefined}
                    onChange={(e) => change.mutate({ purpose: p.purpose, channel: c.channel, granted: e.currentTarget.checked, textVersion: p.version })}
                    data-testid={`consent-${p.purpose}-${c.channel}`}
                  />
                ))}
              </Stack>
            </Card>
          ))}
          <Card withBorder component="section" aria-labelledby="consent-history">
            <Title order={2} size="h4" id="consent-history">
              {t('history')}
            </Title>
            {data.history.length === 0 ? (
              <Text size="sm" mt={4}>
                {t('noHistory')}
              </Text>
            ) : (
              <Table mt="xs" fz="sm" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('when')}</Table.Th>
                    <Table.Th>{t('what')}</Table.Th>
                    <Table.Th>{t('decision')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...data.history].reverse().map((h) => (
                    <Table.Tr key={h.id}>
                      <Table.Td>{formatDate(h.recordedAt)}</Table.Td>
                      <Table.Td>
                        {t(`purpose.${h.purpose}`)} · {t(`channel.${h.channel}`)}
                      </Table.Td>
                      <Table.Td>{h.granted ? t('yes') : t('no')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
        </>
      )}
      <Card withBorder component="section" aria-labelledby="my-data">
        <Title order={2} size="h4" id="my-data">
          {t('myData')}
        </Title>
        <Text size="sm" mt={4}>
          {t('myDataText')}
        </Text>
        <Group mt="sm">
          <Button component="a" href="/portal/v1/export" download leftSection={<IconDownload size={18} />} size="md" variant="default">
            {t('download')}
          </Button>
        </Group>
        <Text size="sm" mt="sm">
          {t('erasure')}
        </Text>
      </Card>
    </Stack>
  );
}
