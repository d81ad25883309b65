/**
 * Trainings and members-only content in the console: courses with their ordered modules and members-only
 * articles and files — written in any of the five languages (missing ones marked, and previewed as a
 * member in that language would see them), published, and followed by their completion and read figures.
 */
import { Anchor, Badge, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation, useNavigate } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDate, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { CourseEditor } from './CourseEditor';
import { ContentEditor } from './ContentEditor';
import { pick, type Course, type ContentItem, type Language } from './model';

export default function Training() {
  return (
    <Routes>
      <Route index element={<Lists tab="courses" />} />
      <Route path="content" element={<Lists tab="content" />} />
      <Route path="courses/:id" element={<CourseEditor />} />
      <Route path="content/:id" element={<ContentEditor />} />
    </Routes>
  );
}

const statusColour = { draft: 'gray.7', published: 'teal.9', archived: 'dark.3' } as const;

export function StatusBadge({ status }: { status: keyof typeof statusColour }) {
  const { t } = useTranslation('console-training');
  return (
    <Badge color={statusColour[status]} variant="filled">
      {t(`status.${status}`)}
    </Badge>
  );
}

function Lists({ tab }: { tab: 'courses' | 'content' }) {
  const { t } = useTranslation('console-training');
  const navigate = useNavigate();
  const location = useLocation();
  const base = location.pathname.replace(/\/content$/, '');
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('title')}
      </Title>
      <Tabs value={tab} onChange={(v) => navigate(v === 'content' ? `${base}/content` : base)}>
        <Tabs.List>
          <Tabs.Tab value="courses">{t('tabs.courses')}</Tabs.Tab>
          <Tabs.Tab value="content">{t('tabs.content')}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {tab === 'courses' ? <CourseList /> : <ContentList />}
    </Stack>
  );
}

function CourseList() {
  const { t } = useTranslation('console-training');
  const { staff, program } = useStaff();
  const courses = useQuery({ queryKey: ['courses'], queryFn: () => api.get<{ data: Course[] }>('/v1/courses?limit=500') });
  if (courses.isPending) return <Loading />;
  const lng = program.defaultLanguage as Language;
  return (
    <Stack>
      <ErrorAlert error={courses.error} />
      {canWrite(staff.role) && (
        <Group>
          <Button component={Link} to="courses/new">
            {t('courses.new')}
          </Button>
        </Group>
      )}
      {courses.data?.data.length === 0 ? (
        <Text>{t('courses.empty')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('courses.course')}</Table.Th>
                <Table.Th>{t('status.label')}</Table.Th>
                <Table.Th ta="right">{t('courses.modules')}</Table.Th>
                <Table.Th ta="right">{t('courses.started')}</Table.Th>
                <Table.Th ta="right">{t('courses.completed')}</Table.Th>
                <Table.Th>{t('courses.certificate')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {courses.data?.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`courses/${c.id}`} fw={600}>
                      {pick(c.title, lng, lng).text}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {c.code}
                      {c.missingLanguages.length > 0 && ` · ${t('missing', { languages: c.missingLanguages.join(', ') })}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td ta="right">{c.modules.length}</Table.Td>
                  <Table.Td ta="right">{formatNumber(c.figures.started)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(c.figures.completed)}</Table.Td>
                  <Table.Td>{c.certificate ? (c.certificate.validMonths ? t('courses.validMonths', { count: c.certificate.validMonths }) : t('courses.noExpiry')) : '–'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function ContentList() {
  const { t } = useTranslation('console-training');
  const { staff, program } = useStaff();
  const items = useQuery({ queryKey: ['content'], queryFn: () => api.get<{ data: ContentItem[] }>('/v1/content?limit=500') });
  if (items.isPending) return <Loading />;
  const lng = program.defaultLanguage as Language;
  return (
    <Stack>
      <ErrorAlert error={items.error} />
      {canWrite(staff.role) && (
        <Group>
          <Button component={Link} to="new">
            {t('content.new')}
          </Button>
        </Group>
      )}
      {items.data?.data.length === 0 ? (
        <Text>{t('content.empty')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('content.item')}</Table.Th>
                <Table.Th>{t('status.label')}</Table.Th>
                <Table.Th>{t('content.audience')}</Table.Th>
                <Table.Th ta="right">{t('content.readers')}</Table.Th>
                <Table.Th ta="right">{t('content.reads')}</Table.Th>
                <Table.Th ta="right">{t('content.share')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.data?.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Anchor component={Link} to={c.id} fw={600}>
                      {pick(c.title, lng, lng).text}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {t(`content.kinds.${c.kind}`)}
                      {c.availableAt && ` · ${t('content.opens', { date: formatDate(c.availableAt) })}`}
                      {c.missingLanguages.length > 0 && ` · ${t('missing', { languages: c.missingLanguages.join(', ') })}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{audienceText(t, c)}</Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(c.figures.readers)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(c.figures.reads)}</Table.Td>
                  <Table.Td ta="right">{c.figures.audience ? `${Math.round((100 * c.figures.readers) / c.figures.audience)} %` : '–'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

export function audienceText(t: (k: string, o?: Record<string, unknown>) => string, c: ContentItem): string {
  const parts = [
    c.audience.tiers.length ? t('content.tiersList', { list: c.audience.tiers.join(', ') }) : '',
    c.audience.roles.length ? t('content.rolesList', { list: c.audience.roles.join(', ') }) : '',
    c.audience.segments.length ? t('content.segmentsList', { list: c.audience.segments.join(', ') }) : '',
    c.audience.tags.length ? t('content.tagsList', { list: c.audience.tags.join(', ') }) : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : t('content.everyone');
}
