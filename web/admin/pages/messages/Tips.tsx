/**
 * Tips: the pool of "did you know…" texts per language (for everyone, or for one segment's members) that earn
 * notices rotate through, and whether earn notices go out at all.
 */
import { Badge, Button, Card, Group, Select, Stack, Switch, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import type { Segment, Tip } from './model';

export function Tips({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const tips = useQuery({ queryKey: ['message-tips'], queryFn: () => api.get<{ data: Tip[] }>('/v1/message-tips') });
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<{ data: Segment[] }>('/v1/segments') });
  const settings = useQuery({ queryKey: ['message-settings'], queryFn: () => api.get<{ earnNotices: boolean }>('/v1/message-settings') });
  const [language, setLanguage] = useState<Language>('en');
  const [segmentKey, setSegmentKey] = useState<string | null>(null);
  const [text, setText] = useState('');
  const refresh = () => void client.invalidateQueries({ queryKey: ['message-tips'] });
  const add = useMutation({
    mutationFn: () => api.post<Tip>('/v1/message-tips', { language, segmentKey, text }),
    onSuccess: () => {
      setText('');
      refresh();
      notifySuccess(t('tips.added'));
    },
  });
  const toggle = useMutation({ mutationFn: (tip: Tip) => api.patch<Tip>(`/v1/message-tips/${tip.id}`, { active: !tip.active }), onSuccess: refresh });
  const notices = useMutation({
    mutationFn: (earnNotices: boolean) => api.put('/v1/message-settings', { earnNotices }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['message-settings'] }),
  });
  const segmentName = (key: string | null) => (key === null ? t('tips.everyone') : (segments.data?.data.find((s) => s.key === key)?.name ?? key));

  return (
    <Stack>
      <Switch
        label={t('tips.earnNotices')}
        description={t('tips.earnNoticesHelp')}
        checked={settings.data?.earnNotices ?? false}
        onChange={(e) => notices.mutate(e.currentTarget.checked)}
        disabled={!admin || settings.isPending}
      />
      {admin && (
        <Card withBorder component="section" aria-labelledby="tip-add-title">
          <Title order={2} size="h4" id="tip-add-title">
            {t('tips.add')}
          </Title>
          <Group align="flex-end" mt="xs">
            <Select label={t('tips.language')} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} value={language} onChange={(v) => v && setLanguage(v as Language)} allowDeselect={false} w={180} />
            <Select
              label={t('tips.segment')}
              placeholder={t('tips.everyone')}
              data={(segments.data?.data ?? []).filter((s) => s.subject === 'member' || s.subject === 'account').map((s) => ({ value: s.key, label: s.name }))}
              value={segmentKey}
              onChange={setSegmentKey}
              clearable
              w={260}
            />
          </Group>
          <Textarea mt="xs" label={t('tips.text')} autosize minRows={2} maxLength={500} value={text} onChange={(e) => setText(e.currentTarget.value)} error={fieldError(add.error, 'text')} />
          <Group mt="xs">
            <Button onClick={() => add.mutate()} loading={add.isPending} disabled={text.trim() === ''}>
              {t('tips.addButton')}
            </Button>
          </Group>
          {!fieldError(add.error, 'text') && <ErrorAlert error={add.error} />}
        </Card>
      )}
      <ErrorAlert error={tips.error ?? settings.error ?? notices.error ?? toggle.error} />
      {tips.isPending ? (
        <Loading />
      ) : (tips.data?.data ?? []).length === 0 ? (
        <Text c="dimmed">{t('tips.empty')}</Text>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('tips.language')}</Table.Th>
              <Table.Th>{t('tips.segment')}</Table.Th>
              <Table.Th>{t('tips.text')}</Table.Th>
              <Table.Th>{t('tips.active')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tips.data!.data.map((tip) => (
              <Table.Tr key={tip.id}>
                <Table.Td>{languageNames[tip.language]}</Table.Td>
                <Table.Td>{segmentName(tip.segmentKey)}</Table.Td>
                <Table.Td>{tip.text}</Table.Td>
                <Table.Td>
                  {admin ? (
                    <Switch checked={tip.active} onChange={() => toggle.mutate(tip)} aria-label={t('tips.activeOf', { text: tip.text.slice(0, 40) })} />
                  ) : (
                    <Badge color={tip.active ? 'teal' : 'gray'}>{tip.active ? t('tips.on') : t('tips.off')}</Badge>
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
