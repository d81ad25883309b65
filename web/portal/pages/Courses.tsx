/**
 * Trainings: the courses I can take with the points each pays, and the course player — one module at a time,
 * in order, with a big "done" button in thumb reach; finishing the last one shows the points and the certificate.
 */
import { Alert, Anchor, Badge, Button, Card, Group, Progress, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconCertificate, IconCheck, IconDownload, IconExternalLink, IconLock } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router';
import { api } from '../../shared/api';
import { ErrorAlert, notifySuccess } from '../../shared/feedback';
import { formatDate } from '../../shared/format';
import { usePointsChanged } from '../data';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';
import { paragraphs, type Certificate, type Completion, type CourseCard, type CoursePlayer, type PlayerModule } from './training-data';

export default function Courses() {
  return (
    <Routes>
      <Route index element={<CourseList />} />
      <Route path=":id" element={<Player />} />
    </Routes>
  );
}

function CourseList() {
  const { t } = useTranslation('portal-training');
  const courses = useQuery({ queryKey: ['portal', 'courses'], queryFn: () => api.get<{ data: CourseCard[] }>('/portal/v1/courses') });
  const certificates = useQuery({ queryKey: ['portal', 'certificates'], queryFn: () => api.get<{ data: Certificate[] }>('/portal/v1/certificates') });
  return (
    <Stack>
      <PageTitle>{t('courses.title')}</PageTitle>
      <ErrorAlert error={courses.error} />
      {courses.isPending ? (
        <SkeletonList rows={3} height={110} />
      ) : courses.data?.data.length === 0 ? (
        <Empty>{t('courses.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {courses.data?.data.map((c) => (
            <Card key={c.id} withBorder component="li" padding="md" data-testid="course">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Anchor component={Link} to={`/courses/${c.id}`} fw={700} size="lg" lang={c.title.language} style={{ overflowWrap: 'anywhere' }}>
                  {c.title.text}
                </Anchor>
                {c.points > 0 && (
                  <Badge color="teal.9" variant="filled" size="lg" style={{ flexShrink: 0 }}>
                    {c.complete ? t('web:points', { count: c.points }) : `+${t('web:points', { count: c.points })}`}
                  </Badge>
                )}
              </Group>
              {c.summary && (
                <Text size="sm" mt={4}>
                  {c.summary}
                </Text>
              )}
              <Progress value={(100 * c.done) / Math.max(1, c.modules)} mt="sm" aria-label={t('courses.progress', { done: c.done, total: c.modules })} />
              <Group justify="space-between" mt={6}>
                <Text size="sm">{c.complete ? t('courses.completed') : t('courses.progress', { done: c.done, total: c.modules })}</Text>
                {c.certificate && (
                  <Group gap={4}>
                    <IconCertificate size={18} aria-hidden />
                    <Text size="sm">{t('courses.withCertificate')}</Text>
                  </Group>
                )}
              </Group>
            </Card>
          ))}
        </Stack>
      )}
      <Certificates certificates={certificates.data?.data ?? []} />
    </Stack>
  );
}

export function Certificates({ certificates }: { certificates: Certificate[] }) {
  const { t } = useTranslation('portal-training');
  if (certificates.length === 0) return null;
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        {t('certificates.title')}
      </Title>
      {certificates.map((c) => (
        <Card key={c.id} withBorder padding="sm" data-testid="certificate">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <div style={{ minWidth: 0 }}>
              <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
                {c.courseTitle}
              </Text>
              <Text size="sm">
                {c.expiresAt ? t('certificates.validUntil', { date: formatDate(c.expiresAt) }) : t('certificates.noExpiry')} · {t('certificates.code', { code: c.code })}
              </Text>
            </div>
            <Badge color={c.status === 'valid' ? (c.expiresSoon ? 'orange.9' : 'teal.9') : 'gray.7'} variant="filled" style={{ flexShrink: 0 }}>
              {c.expiresSoon ? t('certificates.expiresSoon') : t(`certificates.status.${c.status}`)}
            </Badge>
          </Group>
          <Button component="a" href={c.pdfUrl} target="_blank" variant="default" leftSection={<IconDownload size={18} />} mt="sm" size="md">
            {t('certificates.download')}
          </Button>
        </Card>
      ))}
    </Stack>
  );
}

function Player() {
  const { t } = useTranslation('portal-training');
  const { id } = useParams();
  const client = useQueryClient();
  const pointsChanged = usePointsChanged();
  const course = useQuery({ queryKey: ['portal', 'course', id], queryFn: () => api.get<CoursePlayer>(`/portal/v1/courses/${id}`) });
  const complete = useMutation({
    mutationFn: (moduleId: string) => api.post<Completion>(`/portal/v1/courses/${id}/modules/${moduleId}/complete`),
    onSuccess: async (r) => {
      if (r.course) {
        notifySuccess(t('player.courseDone', { points: t('web:points', { count: r.course.points }) }));
        pointsChanged();
      }
      await client.invalidateQueries({ queryKey: ['portal', 'course', id] });
      await client.invalidateQueries({ queryKey: ['portal', 'courses'] });
      await client.invalidateQueries({ queryKey: ['portal', 'certificates'] });
    },
  });
  if (course.isPending) return <SkeletonList rows={3} height={120} />;
  if (course.isError) return <ErrorAlert error={course.error} />;
  const c = course.data;
  const current = c.modules.find((m) => m.id === c.next);
  return (
    <Stack>
      <Anchor component={Link} to="/courses" py="xs">
        {t('player.back')}
      </Anchor>
      <PageTitle>
        <span lang={c.title.language}>{c.title.text}</span>
      </PageTitle>
      <Progress value={(100 * c.done) / Math.max(1, c.modules.length)} size="lg" aria-label={t('courses.progress', { done: c.done, total: c.modules.length })} />
      <Text size="sm">{t('courses.progress', { done: c.done, total: c.modules.length })}</Text>
      {c.complete && !c.renewal && (
        <Alert color="teal.9" variant="outline" icon={<IconCertificate />} title={t('player.completeTitle')} data-testid="course-complete">
          <Text>{t('player.completeText', { points: t('web:points', { count: c.points }) })}</Text>
          {c.certificateId && (
            <Button component="a" href={`/portal/v1/certificates/${c.certificateId}/pdf`} target="_blank" mt="sm" size="md" leftSection={<IconDownload size={18} />}>
              {t('certificates.download')}
            </Button>
          )}
        </Alert>
      )}
      {c.renewal && <Renewal course={c} renewal={c.renewal} />}
      {current && <ModuleView module={current} busy={complete.isPending} onDone={() => complete.mutate(current.id)} />}
      <ErrorAlert error={complete.error} />
      <Stack component="ol" gap={6} p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('player.modules')}>
        {c.modules.map((m, i) => (
          <Group key={m.id} component="li" gap="sm" wrap="nowrap">
            <ThemeIcon size={28} radius="xl" color={m.state === 'done' ? 'teal.9' : m.state === 'open' ? 'blue.9' : 'gray.7'} variant={m.state === 'locked' ? 'outline' : 'filled'}>
              {m.state === 'done' ? <IconCheck size={16} aria-label={t('player.state.done')} /> : m.state === 'locked' ? <IconLock size={16} aria-label={t('player.state.locked')} /> : <Text size="xs" fw={700}>{i + 1}</Text>}
            </ThemeIcon>
            <Text fw={m.state === 'open' ? 700 : 400} lang={m.title.language}>
              {m.title.text}
            </Text>
          </Group>
        ))}
      </Stack>
    </Stack>
  );
}

/** Renewing the certificate: offered from 30 days before it expires (the reminder leads here), then under way. */
function Renewal({ course, renewal }: { course: CoursePlayer; renewal: NonNullable<CoursePlayer['renewal']> }) {
  const { t } = useTranslation('portal-training');
  const client = useQueryClient();
  const certificates = useQuery({ queryKey: ['portal', 'certificates'], queryFn: () => api.get<{ data: Certificate[] }>('/portal/v1/certificates') });
  const start = useMutation({
    mutationFn: () => api.post(`/portal/v1/courses/${course.id}/renewal`),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['portal', 'course', course.id] });
      await client.invalidateQueries({ queryKey: ['portal', 'courses'] });
    },
  });
  if (renewal.state === 'started') {
    return (
      <Alert color="blue.9" variant="outline" icon={<IconCertificate />} title={t('renew.title')} data-testid="renewal">
        {t('renew.started')}
      </Alert>
    );
  }
  const held = certificates.data?.data.find((x) => x.id === renewal.certificateId);
  const expired = held?.status === 'expired';
  const date = held?.expiresAt ? formatDate(held.expiresAt) : '';
  return (
    <Alert color="orange.9" variant="outline" icon={<IconCertificate />} title={t('renew.title')} data-testid="renewal">
      <Text>{t(`renew.${expired ? 'expired' : 'available'}_${renewal.renewBy}`, { date })}</Text>
      <Button mt="sm" size="lg" fullWidth loading={start.isPending} onClick={() => start.mutate()}>
        {t('renew.start')}
      </Button>
      <ErrorAlert error={start.error} />
    </Alert>
  );
}

function ModuleView({ module: m, busy, onDone }: { module: PlayerModule; busy: boolean; onDone: () => void }) {
  const { t } = useTranslation('portal-training');
  return (
    <Card withBorder padding="md" data-testid="module">
      <Text size="sm" c="dimmed">
        {t(`player.kind.${m.kind}`)}
      </Text>
      <Title order={2} size="h4" lang={m.title.language}>
        {m.title.text}
      </Title>
      {m.body && (
        <Stack gap="xs" mt="sm" lang={m.body.language}>
          {paragraphs(m.body.text).map((p, i) => (
            <Text key={i}>{p}</Text>
          ))}
        </Stack>
      )}
      {m.kind === 'video' && m.url && (
        <Button component="a" href={m.url} target="_blank" rel="noopener noreferrer" variant="default" size="md" mt="sm" leftSection={<IconExternalLink size={18} />}>
          {t('player.watch')}
        </Button>
      )}
      {m.kind === 'file' && m.file && (
        <Button component="a" href={m.file.url} target="_blank" variant="default" size="md" mt="sm" leftSection={<IconDownload size={18} />}>
          {t('player.open', { name: m.file.fileName ?? t('player.kind.file') })}
        </Button>
      )}
      {m.kind === 'quiz' ? (
        <>
          <Text mt="sm" fw={600}>
            {t('player.quizHint')}
          </Text>
          {m.quizId && (
            <Button component={Link} to={`/learn?quiz=${m.quizId}`} fullWidth size="lg" mt="md">
              {t('player.openQuiz')}
            </Button>
          )}
        </>
      ) : (
        <Button fullWidth size="lg" mt="md" loading={busy} onClick={onDone} leftSection={<IconCheck size={20} />}>
          {t('player.done')}
        </Button>
      )}
    </Card>
  );
}
