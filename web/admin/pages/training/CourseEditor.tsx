/**
 * One course: its texts in each language, its ordered modules (text, video link, file, quiz), the certificate,
 * a preview in any language as a member sees it (a missing text shows its fallback, marked), publishing, and
 * the figures per module.
 */
import { useState } from 'react';
import { ActionIcon, Alert, Anchor, Badge, Button, Card, FileInput, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react';
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
import { cleanTexts, languages, paragraphs, pick, uploadTrainingFile, type Course, type Language, type ModuleKind, type Texts } from './model';

interface DraftModule {
  key: string;
  kind: ModuleKind;
  title: Texts;
  body: Texts;
  url: string;
  fileId: string;
  quizId: string;
  completions: number;
}
interface Draft {
  code: string;
  title: Texts;
  summary: Texts;
  certificate: boolean;
  validMonths: number | '';
  renewBy: 'course' | 'quiz';
  modules: DraftModule[];
}

let keys = 0;
const newModule = (kind: ModuleKind = 'text'): DraftModule => ({ key: `m${++keys}`, kind, title: {}, body: {}, url: '', fileId: '', quizId: '', completions: 0 });

const draftOf = (c: Course | undefined): Draft =>
  c
    ? {
        code: c.code,
        title: c.title,
        summary: c.summary,
        certificate: c.certificate !== null,
        validMonths: c.certificate?.validMonths ?? '',
        renewBy: c.certificate?.renewBy ?? 'course',
        modules: c.modules.map((m) => ({ key: m.id, kind: m.kind, title: m.title, body: m.body, url: m.url ?? '', fileId: m.fileId ?? '', quizId: m.quizId ?? '', completions: m.completions })),
      }
    : { code: '', title: {}, summary: {}, certificate: true, validMonths: 24, renewBy: 'course', modules: [newModule()] };

const bodyOf = (d: Draft) => ({
  code: d.code.trim(),
  title: cleanTexts(d.title),
  summary: cleanTexts(d.summary),
  certificate: d.certificate ? { validMonths: d.validMonths === '' ? null : d.validMonths, renewBy: d.renewBy } : null,
  modules: d.modules.map((m) => ({
    kind: m.kind,
    title: cleanTexts(m.title),
    body: cleanTexts(m.body),
    ...(m.kind === 'video' && { url: m.url.trim() }),
    ...(m.kind === 'file' && { fileId: m.fileId }),
    ...(m.kind === 'quiz' && { quizId: m.quizId.trim() }),
  })),
});

export function CourseEditor() {
  const { id } = useParams();
  const course = useQuery({ queryKey: ['course', id], queryFn: () => api.get<Course>(`/v1/courses/${id}`), enabled: id !== 'new' });
  if (id !== 'new' && course.isPending) return <Loading />;
  if (course.isError) return <ErrorAlert error={course.error} />;
  return <CourseForm key={course.data ? `${course.data.id}:${course.data.status}` : 'new'} course={course.data} />;
}

function CourseForm({ course }: { course: Course | undefined }) {
  const { t } = useTranslation('console-training');
  const { staff, program } = useStaff();
  const navigate = useNavigate();
  const client = useQueryClient();
  const creating = !course;
  const locked = course?.status === 'published' || course?.status === 'archived';
  const write = canWrite(staff.role) && course?.status !== 'archived';
  const [d, setD] = useState<Draft>(() => draftOf(course));
  const [lng, setLng] = useState<Language>(program.defaultLanguage as Language);
  const [preview, setPreview] = useState<Language>(program.defaultLanguage as Language);
  const setModule = (i: number, patch: Partial<DraftModule>) => setD((p) => ({ ...p, modules: p.modules.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));
  const move = (i: number, by: number) =>
    setD((p) => {
      const ms = [...p.modules];
      const [m] = ms.splice(i, 1);
      ms.splice(i + by, 0, m!);
      return { ...p, modules: ms };
    });
  const refresh = (c: Course) => {
    client.setQueryData(['course', c.id], c);
    void client.invalidateQueries({ queryKey: ['courses'] });
  };
  const save = useMutation({
    mutationFn: () => (creating ? api.post<Course>('/v1/courses', bodyOf(d)) : api.put<Course>(`/v1/courses/${course.id}`, bodyOf(d))),
    onSuccess: (c) => {
      refresh(c);
      notifySuccess(t('courses.saved'));
      if (creating) navigate(`../${c.id}`, { relative: 'path', replace: true });
    },
    onError: (err) => {
      if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
    },
  });
  const status = useMutation({
    mutationFn: (action: 'publish' | 'archive') => api.post<Course>(`/v1/courses/${course!.id}/${action}`),
    onSuccess: (c) => {
      refresh(c);
      notifySuccess(t(`courses.${c.status}`));
    },
    onError: notifyError,
  });
  const upload = useMutation({
    mutationFn: ({ file }: { i: number; file: File }) => uploadTrainingFile(file, api.upload),
    onSuccess: (fileId, { i }) => setModule(i, { fileId }),
    onError: notifyError,
  });
  const fe = (field: string) => fieldError(save.error, field);
  const missing = (texts: Texts) => languages.filter((l) => !texts[l]?.trim());
  const allMissing = [...new Set([...missing(d.title), ...d.modules.flatMap((m) => missing(m.title))])];
  const def = program.defaultLanguage as Language;
  return (
    <Stack maw={1100}>
      <Anchor component={Link} to="../.." relative="path" size="sm">
        {t('back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {creating ? t('courses.new') : pick(course.title, def, def).text}
        </Title>
        {course && <StatusBadge status={course.status} />}
      </Group>
      {locked && <Alert color="blue.9" variant="outline">{t('courses.lockedHint')}</Alert>}
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
                <LanguageTabs label={t('writing')} value={lng} onChange={setLng} missing={allMissing} />
                <TextInput label={t('courses.code')} description={t('courses.codeHint')} value={d.code} onChange={(e) => setD({ ...d, code: e.currentTarget.value })} required error={fe('code')} disabled={!write} />
                <TextInput label={`${t('courses.titleField')} (${lng})`} value={d.title[lng] ?? ''} onChange={(e) => setD({ ...d, title: { ...d.title, [lng]: e.currentTarget.value } })} error={fe('title')} disabled={!write} />
                <Textarea label={`${t('courses.summary')} (${lng})`} value={d.summary[lng] ?? ''} onChange={(e) => setD({ ...d, summary: { ...d.summary, [lng]: e.currentTarget.value } })} autosize minRows={2} disabled={!write} />
                <Group align="flex-end">
                  <Switch label={t('courses.withCertificate')} checked={d.certificate} onChange={(e) => setD({ ...d, certificate: e.currentTarget.checked })} disabled={!write || locked} />
                  {d.certificate && (
                    <NumberInput label={t('courses.validFor')} description={t('courses.validForHint')} min={1} max={120} value={d.validMonths} onChange={(v) => setD({ ...d, validMonths: v === '' ? '' : Number(v) })} w={200} disabled={!write} />
                  )}
                  {d.certificate && d.validMonths !== '' && (
                    <Select
                      label={t('courses.renewBy')}
                      description={t('courses.renewByHint')}
                      data={(['course', 'quiz'] as const).map((v) => ({ value: v, label: t(`courses.renewByOptions.${v}`), disabled: v === 'quiz' && !d.modules.some((m) => m.kind === 'quiz') }))}
                      value={d.renewBy}
                      onChange={(v) => setD({ ...d, renewBy: v === 'quiz' ? 'quiz' : 'course' })}
                      allowDeselect={false}
                      w={260}
                      disabled={!write}
                    />
                  )}
                </Group>
              </Stack>
            </Card>
            {d.modules.map((m, i) => (
              <Card withBorder key={m.key} data-testid="module-editor">
                <Group justify="space-between" mb="xs">
                  <Group gap="xs">
                    <Badge color="blue.9" variant="filled">{i + 1}</Badge>
                    <Select
                      aria-label={t('modules.kind')}
                      data={(['text', 'video', 'file', 'quiz'] as const).map((k) => ({ value: k, label: t(`modules.kinds.${k}`) }))}
                      value={m.kind}
                      onChange={(v) => v && setModule(i, { kind: v as ModuleKind })}
                      allowDeselect={false}
                      disabled={!write || locked}
                      w={160}
                    />
                    {course && <Text size="sm">{t('modules.completions', { count: m.completions })}</Text>}
                  </Group>
                  {write && !locked && (
                    <Group gap={4}>
                      <ActionIcon variant="default" aria-label={t('modules.up')} disabled={i === 0} onClick={() => move(i, -1)}>
                        <IconArrowUp size={16} />
                      </ActionIcon>
                      <ActionIcon variant="default" aria-label={t('modules.down')} disabled={i === d.modules.length - 1} onClick={() => move(i, 1)}>
                        <IconArrowDown size={16} />
                      </ActionIcon>
                      <ActionIcon variant="default" color="red" aria-label={t('modules.remove')} disabled={d.modules.length === 1} onClick={() => setD({ ...d, modules: d.modules.filter((_, j) => j !== i) })}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  )}
                </Group>
                <Stack gap="xs">
                  <TextInput label={`${t('modules.title')} (${lng})`} value={m.title[lng] ?? ''} onChange={(e) => setModule(i, { title: { ...m.title, [lng]: e.currentTarget.value } })} error={fe(`modules.${i}.title`)} disabled={!write} />
                  <Textarea label={`${t('modules.body')} (${lng})`} description={t('modules.bodyHint')} value={m.body[lng] ?? ''} onChange={(e) => setModule(i, { body: { ...m.body, [lng]: e.currentTarget.value } })} autosize minRows={m.kind === 'text' ? 4 : 2} error={fe(`modules.${i}.body`)} disabled={!write} />
                  {m.kind === 'video' && <TextInput label={t('modules.url')} placeholder="https://" value={m.url} onChange={(e) => setModule(i, { url: e.currentTarget.value })} error={fe(`modules.${i}.url`)} disabled={!write || locked} />}
                  {m.kind === 'file' && (
                    <FileInput
                      label={t('modules.file')}
                      description={m.fileId ? t('modules.fileSet') : t('modules.fileHint')}
                      accept="application/pdf,image/*"
                      onChange={(f) => f && upload.mutate({ i, file: f })}
                      error={fe(`modules.${i}.fileId`)}
                      disabled={!write || locked}
                    />
                  )}
                  {m.kind === 'quiz' && <TextInput label={t('modules.quiz')} description={t('modules.quizHint')} value={m.quizId} onChange={(e) => setModule(i, { quizId: e.currentTarget.value })} error={fe(`modules.${i}.quizId`)} disabled={!write || locked} />}
                </Stack>
              </Card>
            ))}
            {write && (
              <Group>
                {!locked && (
                  <Button variant="default" onClick={() => setD({ ...d, modules: [...d.modules, newModule()] })}>
                    {t('modules.add')}
                  </Button>
                )}
                <Button type="submit" loading={save.isPending}>
                  {t('save')}
                </Button>
                {course?.status === 'draft' && (
                  <Button color="teal" onClick={() => status.mutate('publish')} loading={status.isPending}>
                    {t('publish')}
                  </Button>
                )}
                {course?.status === 'published' && (
                  <Button color="gray" variant="outline" onClick={() => status.mutate('archive')} loading={status.isPending}>
                    {t('archive')}
                  </Button>
                )}
              </Group>
            )}
            {course && (
              <Text size="sm">
                {t('courses.figures', { started: formatNumber(course.figures.started), completed: formatNumber(course.figures.completed) })}
              </Text>
            )}
          </Stack>
        </form>
        <Card withBorder data-testid="course-preview">
          <Stack>
            <LanguageTabs label={t('preview')} value={preview} onChange={setPreview} missing={[]} />
            <Preview d={d} lng={preview} def={def} />
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

function Fallback({ shown }: { shown: { language: Language; fallback: boolean } }) {
  const { t } = useTranslation('console-training');
  if (!shown.fallback) return null;
  return (
    <Badge color="orange.9" variant="filled" size="sm">
      {t('fallback', { language: shown.language.toUpperCase() })}
    </Badge>
  );
}

function Preview({ d, lng, def }: { d: Draft; lng: Language; def: Language }) {
  const { t } = useTranslation('console-training');
  const title = pick(d.title, lng, def);
  return (
    <Stack gap="sm" lang={lng}>
      <Group gap="xs">
        <Title order={2} size="h3" lang={title.language}>
          {title.text || '—'}
        </Title>
        <Fallback shown={title} />
      </Group>
      {d.modules.map((m, i) => {
        const mt = pick(m.title, lng, def);
        const mb = pick(m.body, lng, def);
        return (
          <Card key={m.key} withBorder padding="sm">
            <Text size="xs" c="dimmed">
              {i + 1} · {t(`modules.kinds.${m.kind}`)}
            </Text>
            <Group gap="xs">
              <Text fw={700} lang={mt.language}>
                {mt.text || '—'}
              </Text>
              <Fallback shown={mt} />
            </Group>
            {mb.text && (
              <Stack gap={4} mt={4} lang={mb.language}>
                {mb.fallback && <Fallback shown={mb} />}
                {paragraphs(mb.text).slice(0, 3).map((p, j) => (
                  <Text key={j} size="sm">
                    {p}
                  </Text>
                ))}
              </Stack>
            )}
          </Card>
        );
      })}
    </Stack>
  );
}
