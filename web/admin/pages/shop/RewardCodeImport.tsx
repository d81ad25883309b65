/** Codes uploaded to a reward's pool. */
import { useState } from 'react';
import { Button, Card, Group, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import type { Reward } from './rewardModel';

export function CodeImport({ reward }: { reward: Reward }) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  const [text, setText] = useState('');
  const codes = text.split(/[\s,;]+/).filter(Boolean);
  const run = useMutation({
    mutationFn: () => api.post<{ added: number; duplicates: number; stock: number }>(`/v1/rewards/${reward.id}/codes`, { codes }),
    onSuccess: (r) => {
      setText('');
      void client.invalidateQueries({ queryKey: ['reward', reward.id] });
      void client.invalidateQueries({ queryKey: ['rewards'] });
      notifySuccess(t('rewards.imported', { count: r.added, duplicates: r.duplicates, stock: r.stock }));
    },
    onError: (err) => fieldError(err, 'codes') || notifyError(err),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {t('rewards.importCodes')}
      </Title>
      <Textarea label={t('rewards.codesLabel')} description={t('rewards.codesHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={4} maxRows={12} error={fieldError(run.error, 'codes')} />
      <Group justify="space-between" mt="sm">
        <Text size="sm">{t('rewards.codesCount', { count: codes.length })}</Text>
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={codes.length === 0}>
          {t('rewards.importButton')}
        </Button>
      </Group>
    </Card>
  );
}
