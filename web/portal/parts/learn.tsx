/** Home's card for learning: courses to take (with their points), new members-only content, and a certificate about to expire. */
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../shared/api';
import { formatDate } from '../../shared/format';
import type { Certificate, ContentCard, CourseCard } from '../pages/training-data';

/** What the card shows; Home waits for it with its other cards, so nothing moves when it arrives. */
export function useLearn() {
  const courses = useQuery({ queryKey: ['portal', 'courses'], queryFn: () => api.get<{ data: CourseCard[] }>('/portal/v1/courses') });
  const content = useQuery({ queryKey: ['portal', 'content'], queryFn: () => api.get<{ data: ContentCard[] }>('/portal/v1/content') });
  const certificates = useQuery({ queryKey: ['portal', 'certificates'], queryFn: () => api.get<{ data: Certificate[] }>('/portal/v1/certificates') });
  return { courses, content, certificates, pending: courses.isPending || content.isPending || certificates.isPending };
}

export function LearnCard({ learn: { courses, content, certificates } }: { learn: ReturnType<typeof useLearn> }) {
  const { t } = useTranslation('portal-training');
  const open = courses.data?.data.filter((c) => !c.complete) ?? [];
  const unread = content.data?.data.filter((c) => !c.read).length ?? 0;
  const expiring = certificates.data?.data.filter((c) => c.expiresSoon) ?? [];
  if (open.length === 0 && (content.data?.data.length ?? 0) === 0 && expiring.length === 0) return null;
  return (
    <Card withBorder data-testid="learn-card">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('home.title')}
        </Title>
        {expiring.map((c) => (
          <Alert key={c.id} color="orange.9" variant="outline" icon={<IconAlertTriangle />} p="sm">
            {t('home.expiring', { course: c.courseTitle, date: formatDate(c.expiresAt!) })}
            <Button component={Link} to={`/courses/${c.courseId}`} size="md" mt="xs" display="block" w="fit-content">
              {t('renew.home')}
            </Button>
          </Alert>
        ))}
        {open.slice(0, 2).map((c) => (
          <Group key={c.id} justify="space-between" wrap="nowrap">
            <Text lang={c.title.language} style={{ overflowWrap: 'anywhere' }}>
              {c.title.text}
            </Text>
            {c.points > 0 && (
              <Text fw={700} style={{ flexShrink: 0 }}>
                +{t('web:points', { count: c.points })}
              </Text>
            )}
          </Group>
        ))}
        <Group gap="sm">
          <Button component={Link} to="/courses" size="md">
            {t('home.courses')}
          </Button>
          <Button component={Link} to="/content" size="md" variant="default">
            {unread > 0 ? t('home.contentNew', { count: unread }) : t('home.content')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
