/**
 * Members-only content: the articles and files open to me now (those my tier sees early are marked), and an
 * article to read. Opening one leaves a read receipt, which the program team sees as participation.
 */
import { useEffect } from 'react';
import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';
import { paragraphs, type ContentCard, type ContentItem } from './training-data';

export default function Content() {
  return (
    <Routes>
      <Route index element={<ContentList />} />
      <Route path=":id" element={<Article />} />
    </Routes>
  );
}

function ContentList() {
  const { t } = useTranslation('portal-training');
  const items = useQuery({ queryKey: ['portal', 'content'], queryFn: () => api.get<{ data: ContentCard[] }>('/portal/v1/content') });
  return (
    <Stack>
      <PageTitle>{t('content.title')}</PageTitle>
      <ErrorAlert error={items.error} />
      {items.isPending ? (
        <SkeletonList rows={3} />
      ) : items.data?.data.length === 0 ? (
        <Empty>{t('content.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {items.data?.data.map((c) => (
            <Card key={c.id} withBorder component="li" padding="md" data-testid="content">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Anchor component={Link} to={`/content/${c.id}`} fw={700} lang={c.title.language} style={{ overflowWrap: 'anywhere' }}>
                  {c.title.text}
                </Anchor>
                <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
                  {c.early && (
                    <Badge color="grape.9" variant="filled">
                      {t('content.early')}
                    </Badge>
                  )}
                  {!c.read && (
                    <Badge color="blue.9" variant="filled">
                      {t('content.new')}
                    </Badge>
                  )}
                </Group>
              </Group>
              {c.summary && <Text size="sm" mt={4}>{c.summary}</Text>}
              <Text size="sm" c="dimmed" mt={4}>
                {t(`content.kind.${c.kind}`)} · {formatDate(c.opensAt)}
              </Text>
            </Card>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function Article() {
  const { t } = useTranslation('portal-training');
  const { id } = useParams();
  const client = useQueryClient();
  const item = useQuery({ queryKey: ['portal', 'content', id], queryFn: () => api.get<ContentItem>(`/portal/v1/content/${id}`) });
  // The read receipt, once the item is on screen.
  const shown = item.isSuccess;
  useEffect(() => {
    if (!shown) return;
    void api.post(`/portal/v1/content/${id}/read`).then(() => client.invalidateQueries({ queryKey: ['portal', 'content'], exact: true }));
  }, [shown, id, client]);
  return (
    <Stack>
      <Anchor component={Link} to="/content" py="xs">
        {t('content.back')}
      </Anchor>
      <ErrorAlert error={item.error} />
      {item.isPending ? (
        <SkeletonList rows={2} height={160} />
      ) : (
        item.data && (
          <article lang={item.data.body?.language ?? item.data.title.language}>
            <PageTitle>{item.data.title.text}</PageTitle>
            {item.data.early && (
              <Badge color="grape.9" variant="filled" mt="xs">
                {t('content.early')}
              </Badge>
            )}
            <Stack gap="sm" mt="md">
              {item.data.body && paragraphs(item.data.body.text).map((p, i) => <Text key={i}>{p}</Text>)}
            </Stack>
            {item.data.file && (
              <Button component="a" href={item.data.file.url} target="_blank" size="md" mt="md" leftSection={<IconDownload size={18} />}>
                {t('content.open', { name: item.data.file.fileName ?? t('content.kind.file') })}
              </Button>
            )}
          </article>
        )
      )}
    </Stack>
  );
}
