/**
 * The text of each message kind in each language: the program's own or the built-in one, edited with a live
 * preview on sample data (the plural forms of the language shown by changing the sample count). A variable the
 * kind does not have is refused by the preview at once, under the field that names it, and again on saving.
 */
import { Badge, Button, Card, Code, Group, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import type { Preview, SmsLength, Template } from './model';

interface Draft {
  subject: string;
  body: string;
  sms: string;
}

export function Templates({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['message-templates'], queryFn: () => api.get<{ data: Template[]; variables: Record<string, string[]> }>('/v1/message-templates') });
  const [kind, setKind] = useState('earn_notice');
  const [language, setLanguage] = useState<Language>('en');
  const current = list.data?.data.find((x) => x.kind === kind && x.language === language);
  const [draft, setDraft] = useState<Draft>({ subject: '', body: '', sms: '' });
  useEffect(() => {
    if (current) setDraft({ subject: current.subject, body: current.body, sms: current.sms ?? '' });
  }, [current]);
  const [points, setPoints] = useState<number | string>(122);
  const [stepsLeft, setStepsLeft] = useState<number | string>(3);
  const payload = { subject: draft.subject, body: draft.body, sms: draft.sms.trim() === '' ? null : draft.sms };
  const sample = kind === 'earn_notice' ? { points: Number(points) || 0 } : kind === 'checklist_reminder' ? { stepsLeft: Number(stepsLeft) || 0 } : {};
  const [debounced] = useDebouncedValue({ kind, language, payload, sample }, 300);
  const ready = debounced.payload.subject.trim() !== '' && debounced.payload.body.trim() !== '';
  const preview = useQuery({
    queryKey: ['message-template-preview', debounced],
    queryFn: () => api.post<Preview>(`/v1/message-templates/${debounced.kind}/${debounced.language}/preview`, { ...debounced.payload, sample: debounced.sample }),
    enabled: ready && !!current,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const smsLength = useQuery({
    queryKey: ['sms-length', preview.data?.sms],
    queryFn: () => api.post<SmsLength>('/v1/sms/length', { message: preview.data!.sms }),
    enabled: !!preview.data && !preview.isError,
    placeholderData: keepPreviousData,
  });
  const save = useMutation({
    mutationFn: () => api.put<Template>(`/v1/message-templates/${kind}/${language}`, payload),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['message-templates'] });
      notifySuccess(t('templates.saved'));
    },
  });
  const reset = useMutation({
    mutationFn: () => api.del<Template>(`/v1/message-templates/${kind}/${language}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['message-templates'] });
      notifySuccess(t('templates.resetDone'));
    },
  });
  // A refused save's message stays until the text changes again.
  const edit = (d: Draft) => {
    setDraft(d);
    if (save.isError) save.reset();
  };
  // The preview's refusal shows under the field at once; a refused save the same way.
  const problem = save.error ?? (preview.isError ? preview.error : null);
  const fe = (field: string) => fieldError(problem, field);
  const variables = list.data?.variables[kind] ?? [];

  if (list.isPending) return <Loading />;
  return (
    <Stack>
      <ErrorAlert error={list.error} />
      <Group align="flex-end">
        <Select
          label={t('templates.kind')}
          data={Object.keys(list.data?.variables ?? {}).map((k) => ({ value: k, label: t(`kind.${k}`) }))}
          value={kind}
          onChange={(v) => v && setKind(v)}
          allowDeselect={false}
          w={280}
        />
        <Select
          label={t('templates.language')}
          data={languages.map((l) => ({ value: l, label: languageNames[l] }))}
          value={language}
          onChange={(v) => v && setLanguage(v as Language)}
          allowDeselect={false}
          w={200}
        />
        {current && <Badge color={current.custom ? 'blue' : 'gray'}>{current.custom ? t('templates.custom') : t('templates.builtIn')}</Badge>}
      </Group>
      <Text size="sm">
        {t('templates.variables')}{' '}
        {variables.map((v) => (
          <Code key={v} mr={4}>{`{{${v}}}`}</Code>
        ))}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder component="section" aria-labelledby="template-edit-title">
          <Title order={2} size="h4" id="template-edit-title">
            {t('templates.text')}
          </Title>
          <Stack gap="xs" mt="xs">
            <TextInput label={t('templates.subject')} value={draft.subject} onChange={(e) => edit({ ...draft, subject: e.currentTarget.value })} error={fe('subject')} disabled={!admin} />
            <Textarea label={t('templates.body')} autosize minRows={4} value={draft.body} onChange={(e) => edit({ ...draft, body: e.currentTarget.value })} error={fe('body')} disabled={!admin} />
            <Textarea
              label={t('templates.sms')}
              description={t('templates.smsHelp')}
              autosize
              minRows={2}
              value={draft.sms}
              onChange={(e) => edit({ ...draft, sms: e.currentTarget.value })}
              error={fe('sms')}
              disabled={!admin}
            />
            {admin && (
              <Group>
                <Button onClick={() => save.mutate()} loading={save.isPending}>
                  {t('save')}
                </Button>
                {current?.custom && (
                  <Button variant="default" onClick={() => reset.mutate()} loading={reset.isPending}>
                    {t('templates.reset')}
                  </Button>
                )}
              </Group>
            )}
            <ErrorAlert error={reset.error} />
          </Stack>
        </Card>
        <Card withBorder component="section" aria-labelledby="template-preview-title">
          <Title order={2} size="h4" id="template-preview-title">
            {t('templates.preview')}
          </Title>
          <Group mt="xs">
            {kind === 'earn_notice' && <NumberInput label={t('templates.samplePoints')} min={0} max={1000000} value={points} onChange={setPoints} w={200} />}
            {kind === 'checklist_reminder' && <NumberInput label={t('templates.sampleSteps')} min={0} max={100} value={stepsLeft} onChange={setStepsLeft} w={200} />}
          </Group>
          {preview.isError ? (
            <Text c="red.9" size="sm" mt="sm" role="status">
              {t('templates.previewRefused')}
            </Text>
          ) : preview.data ? (
            <Stack gap={6} mt="sm" aria-live="polite" data-testid="template-preview">
              <Text fw={700}>{preview.data.subject}</Text>
              <Text style={{ whiteSpace: 'pre-wrap' }}>{preview.data.body}</Text>
              <Text size="sm" c="dimmed" mt="xs">
                {t('templates.smsPreview')}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="template-preview-sms">
                {preview.data.sms}
              </Text>
              {smsLength.data && (
                <Text size="xs" c="dimmed">
                  {t('templates.smsParts', { parts: smsLength.data.segments, encoding: smsLength.data.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2', units: smsLength.data.units })}
                </Text>
              )}
            </Stack>
          ) : null}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
