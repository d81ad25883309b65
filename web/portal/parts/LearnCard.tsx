/** Home's way into "Do and learn": how many surveys and quizzes are waiting, and the points they give. */
import { Button, Card, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../shared/api';

interface Item {
  points: number;
  answered?: boolean;
  passed?: boolean;
}

/** The open surveys and quizzes; Home waits for them with its other cards, so the card does not push the page. */
export const useLearn = () => useQuery({ queryKey: ['portal', 'learn'], queryFn: () => api.get<{ surveys: Item[]; quizzes: Item[] }>('/portal/v1/learn') });

export function LearnCard() {
  const { t } = useTranslation('portal-learn');
  const learn = useLearn();
  if (!learn.data) return null;
  const waiting = [...learn.data.surveys.filter((s) => !s.answered), ...learn.data.quizzes.filter((q) => !q.passed)];
  if (waiting.length === 0) return null;
  const points = waiting.reduce((sum, i) => sum + i.points, 0);
  return (
    <Card withBorder>
      <Text fw={700}>{t('title')}</Text>
      <Text size="sm">{points > 0 ? t('homeWaitingPoints', { count: waiting.length, points }) : t('homeWaiting', { count: waiting.length })}</Text>
      <Button component={Link} to="/learn" mt="sm" size="md" variant="light">
        {t('homeOpen')}
      </Button>
    </Card>
  );
}
