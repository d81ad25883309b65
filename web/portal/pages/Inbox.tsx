/**
 * My inbox: messages from the program, newest first, unread ones marked. The unread count comes live from the
 * server (Server-Sent Events), so a message sent while the page is open appears without reloading.
 */
import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDateTime } from '../../shared/format';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';

interface Inbox {
  unread: number;
  data: Array<{ id: string; kind: string; title: string; body: string; createdAt: string; readAt: string | null }>;
}

const key = ['portal', 'inbox'];

export default function InboxPage() {
  const { t } = useTranslation('portal-privacy');
  const client = useQueryClient();
  const inbox = useQuery({ queryKey: key, queryFn: () => api.get<Inbox>('/portal/v1/inbox') });
  useEffect(() => {
    const source = new EventSource('/portal/v1/inbox/stream');
    source.addEventListener('unread', () => void client.invalidateQueries({ queryKey: key }));
    return () => source.close();
  }, [client]);
  const mark = useMutation({
    mutationFn: (v: { id?: string; read: boolean }) => api.post<{ unread: number }>('/portal/v1/inbox/read', v),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const data = inbox.data;
  return (
    <Stack>
      <PageTitle
        right={
          data && data.unread > 0 ? (
            <Button variant="default" size="sm" onClick={() => mark.mutate({ read: true })} loading={mark.isPending}>
              {t('inbox.readAll')}
            </Button>
          ) : undefined
        }
      >
        {t('inbox.title')}
      </PageTitle>
      <Text size="sm" aria-live="polite" data-testid="inbox-unread">
        {data ? t('inbox.unread', { count: data.unread }) : '\u00a0'}
      </Text>
      <ErrorAlert error={inbox.error ?? mark.error} />
      {!data ? (
        <SkeletonList rows={3} height={96} />
      ) : data.data.length === 0 ? (
        <Empty>{t('inbox.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {data.data.map((m) => (
            <Card withBorder padding="sm" component="li" key={m.id} data-testid="inbox-message">
              <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                <Title order={2} size="h5" fw={m.readAt ? 500 : 800} style={{ overflowWrap: 'anywhere' }}>
                  {m.title}
                </Title>
                {!m.readAt && (
                  <Badge color="teal.9" variant="filled" style={{ flexShrink: 0 }}>
                    {t('inbox.new')}
                  </Badge>
                )}
              </Group>
              <Text size="sm" c="dimmed">
                {formatDateTime(m.createdAt)}
              </Text>
              <Text size="sm" mt={4} style={{ whiteSpace: 'pre-line' }}>
                {m.body}
              </Text>
              <Group mt="xs">
                <Button size="xs" variant="default" onClick={() => mark.mutate({ id: m.id, read: !m.readAt })}>
                  {m.readAt ? t('inbox.markUnread') : t('inbox.markRead')}
                </Button>
              </Group>
            </Card>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
