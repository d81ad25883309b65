/**
 * One members-only article or file: texts per language (with a preview as a member in that language sees
 * it), who may read it (tiers, roles, segments, tags), early access per tier and the opening date, publishing,
 * and its read figures.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, FileInput, Group, MultiSelect, NumberInput, SegmentedControl, SimpleGrid, Stack, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { StatusBadge } from './index';
import { LanguageTabs } from './LanguageTabs';
import { cleanTexts, languages, paragraphs, pick, uploadTrainingFile, type ContentItem, type Language, type Texts } from './model';

interface Draft {
  kind: 'article' | 'file';
  title: Texts;
  summary: Texts;
  body: Texts;
  fileId: string;
  tiers: string[];
  roles: string[];
  segments: string[];
  tags: string[];
  earlyAccess: Record<string, number>;
  availableAt: string;
}

/** `2026-12-01T08:00` as the browser's datetime-local field holds it, from an ISO instant (and back). */
const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

const draftOf = (c: ContentItem | undefined): Draft => ({
  kind: c?.kind ?? 'article',
  title: c?.title ?? {},
  summary: c?.summary ?? {},
  body: c?.body ?? {},
  fileId: c?.fileId ?? '',
  tiers: c?.audience.tiers ?? [],
  roles: c?.audience.roles ?? [],
  segments: c?.audience.segments ?? [],
  tags: c?.audience.tags ?? [],
  earlyAccess: c?.earlyAccess ?? {},
  availableAt: toLocalInput(c?.availableAt ?? null),
});

const bodyOf = (d: Draft) => ({
  kind: d.kind,
  title: cleanTexts(d.title),
  summary: cleanTexts(d.summary),
  body: cleanTexts(d.body),
  fileId: d.kind === 'file' ? d.fileId || null : null,
  audience: { tiers: d.tiers, roles: d.roles, segments: d.segments, tags: d.tags },
  earlyAccess: Object.fromEntries(Object.entries(d.earlyAccess).filter(([, v]) => v > 0)),
  availableAt: d.availableAt ? new Date(d.availableAt).toISOString() : null,
});

interface TierLevel {
  code: string;
  names: Record<string, string>;
}

export function ContentEditor() {
  const { id } = useParams();
  const item = useQuery({ queryKey: ['content', id], queryFn: () => api.get<ContentItem>(`/v1/content/${id}`), enabled: id !== 'new' });
  if (id !== 'new' && item.isPending) return <Loading />;
  if (item.isError) return <ErrorAlert error={item.error} />;
  return <ContentForm key={item.data ? `${item.data.id}:${item.data.status}` : 'new'} item={item.data} />;
}

function ContentForm({ item }: { item: ContentItem | undefined }) {
  const { t } = useTranslation('console-training');
  const { staff, program } = useStaff();
  const navigate = useNavigate();
  const client = useQueryClient();
  const creating = !item;
  const write = canWrite(staff.role) && item?.status !== 'archived';
  const def = program.defaultLanguage as Language;
  const [d, setD] = useState<Draft>(() => draftOf(item));
  const [lng, setLng] = useState<Language>(def);
  const [preview, setPreview] = useState<Language>(def);
  const tiers = useQuery({ queryKey: ['tiers'], queryFn: () => api.get<{ levels: TierLevel[] }>('/v1/tiers'), retry: false });
  const levels = tiers.data?.levels ?? [];
  const refresh = (c: ContentItem) => {
    client.setQueryData(['content', c.id], c);
    void client.invalidateQueries({ queryKey: ['content'], exact: true });
  };
  const save = useMutation({
    mutationFn: () => (creating ? api.post<ContentItem>('/v1/content', bodyOf(d)) : api.put<ContentItem>(`/v1/content/${item.id}`, bodyOf(d))),
    onSuccess: (c) => {
      refresh(c);
      notifySuccess(t('content.saved'));
      if (creating) navigate(`../${c.id}`, { relative: 'path', replace: true });
    },
    onError: (err) => {
      if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
    },
  });
  const status = useMutation({
    mutationFn: (action: 'publish' | 'archive') => api.post<ContentItem>(`/v1/content/${item!.id}/${action}`),
    onSuccess: (c) => {
      refresh(c);
      notifySuccess(t(`content.${c.status}`));
    },
    onError: notifyError,
  });
  const upload = useMutation({ mutationFn: (file: File) => uploadTrainingFile(file, api.upload), onSuccess: (fileId) => setD((p) => ({ ...p, fileId })), onError: notifyError });
  const fe = (field: string) => fieldError(save.error, field);
  const missing = languages.filter((l) => !d.title[l]?.trim());
  const title = pick(d.title, preview, def);
  const body = pick(d.body, preview, def);
  return (
    <Stack maw={1100}>
      <Anchor component={Link} to=".." relative="path" size="sm">
        {t('back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {creating ? t('content.new') : pick(item.title, def, def).text}
        </Title>
        {item && <StatusBadge status={item.status} />}
      </Group>
      {save.error instanceof ApiError && save.error.errors.length > 0 && (
        <Alert variant="outline" color="red" title={t('fixErrors')}>
          {save.error.detail}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Stack>
            <Card withBorder>
              <Stack>
                <SegmentedControl aria-label={t('content.kind')} value={d.kind} onChange={(v) => setD({ ...d, kind: v as Draft['kind'] })} data={[{ value: 'article', label: t('content.kinds.article') }, { value: 'file', label: t('content.kinds.file') }]} disabled={!write} />
                <LanguageTabs label={t('writing')} value={lng} onChange={setLng} missing={missing} />
                <TextInput label={`${t('content.titleField')} (${lng})`} value={d.title[lng] ?? ''} onChange={(e) => setD({ ...d, title: { ...d.title, [lng]: e.currentTarget.value } })} error={fe('title')} disabled={!write} />
                <Textarea label={`${t('content.summary')} (${lng})`} value={d.summary[lng] ?? ''} onChange={(e) => setD({ ...d, summary: { ...d.summary, [lng]: e.currentTarget.value } })} autosize minRows={2} disabled={!write} />
                <Textarea label={`${t('content.body')} (${lng})`} description={t('modules.bodyHint')} value={d.body[lng] ?? ''} onChange={(e) => setD({ ...d, body: { ...d.body, [lng]: e.currentTarget.value } })} autosize minRows={6} error={fe('body')} disabled={!write} />
                {d.kind === 'file' && (
                  <FileInput label={t('modules.file')} description={d.fileId ? t('modules.fileSet') : t('modules.fileHint')} accept="application/pdf,image/*" onChange={(f) => f && upload.mutate(f)} error={fe('fileId')} disabled={!write} />
                )}
              </Stack>
            </Card>
            <Card withBorder>
              <Stack>
                <Title order={2} size="h4">
                  {t('content.audience')}
                </Title>
                <Text size="sm">{t('content.audienceHint')}</Text>
                <MultiSelect label={t('content.tiers')} data={levels.map((l) => ({ value: l.code, label: l.names[def] ?? l.code }))} value={d.tiers} onChange={(v) => setD({ ...d, tiers: v })} error={fe('audience.tiers')} disabled={!write} />
                <TagsInput label={t('content.roles')} value={d.roles} onChange={(v) => setD({ ...d, roles: v })} disabled={!write} />
                <TagsInput label={t('content.segments')} value={d.segments} onChange={(v) => setD({ ...d, segments: v })} disabled={!write} />
                <TagsInput label={t('content.tags')} value={d.tags} onChange={(v) => setD({ ...d, tags: v })} disabled={!write} />
                <TextInput type="datetime-local" label={t('content.availableAt')} description={t('content.availableAtHint')} value={d.availableAt} onChange={(e) => setD({ ...d, availableAt: e.currentTarget.value })} error={fe('availableAt')} disabled={!write} />
                {levels.length > 0 && (
                  <SimpleGrid cols={{ base: 2, sm: 3 }}>
                    {levels.map((l) => (
                      <NumberInput
                        key={l.code}
                        label={t('content.earlyDays', { level: l.names[def] ?? l.code })}
                        min={0}
                        max={365}
                        value={d.earlyAccess[l.code] ?? 0}
                        onChange={(v) => setD({ ...d, earlyAccess: { ...d.earlyAccess, [l.code]: Number(v) || 0 } })}
                        error={fe(`earlyAccess.${l.code}`)}
                        disabled={!write}
                      />
                    ))}
                  </SimpleGrid>
                )}
              </Stack>
            </Card>
            {write && (
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {t('save')}
                </Button>
                {item?.status === 'draft' && (
                  <Button color="teal" onClick={() => status.mutate('publish')} loading={status.isPending}>
                    {t('publish')}
                  </Button>
                )}
                {item?.status === 'published' && (
                  <Button color="gray" variant="outline" onClick={() => status.mutate('archive')} loading={status.isPending}>
                    {t('archive')}
                  </Button>
                )}
              </Group>
            )}
            {item && (
              <Text size="sm">
                {t('content.figures', { readers: formatNumber(item.figures.readers), reads: formatNumber(item.figures.reads), accounts: formatNumber(item.figures.accounts), audience: formatNumber(item.figures.audience) })}
              </Text>
            )}
          </Stack>
        </form>
        <Card withBorder>
          <Stack>
            <LanguageTabs label={t('preview')} value={preview} onChange={setPreview} missing={[]} />
            <Group gap="xs">
              <Title order={2} size="h3" lang={title.language}>
                {title.text || '—'}
              </Title>
              {title.fallback && (
                <Badge color="orange.9" variant="filled" size="sm">
                  {t('fallback', { language: title.language.toUpperCase() })}
                </Badge>
              )}
            </Group>
            <Stack gap="xs" lang={body.language}>
              {paragraphs(body.text).map((p, i) => (
                <Text key={i}>{p}</Text>
              ))}
            </Stack>
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
