/**
 * The member's campaign offers: the campaigns that reach their company now, what they earn and until when. The
 * server leaves out campaigns the company is held out of (the control group is never told) and spent budgets.
 */
import { Badge, Card, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconDiscount } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { formatDate } from '../../shared/format';

export interface Offer {
  id: string;
  name: string;
  description: string | null;
  startsAt: string;
  endsAt: string;
  earn: string[];
}

export const useOffers = () => useQuery({ queryKey: ['portal', 'campaigns'], queryFn: () => api.get<{ data: Offer[] }>('/portal/v1/campaigns') });

/** The last day a purchase earns the extra points: the campaign's end is exclusive. */
const lastDay = (endsAt: string) => new Date(new Date(endsAt).getTime() - 1);

export function OfferCard({ offer }: { offer: Offer }) {
  const { t } = useTranslation('portal-offers');
  return (
    <Card withBorder component="li" padding="md">
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <ThemeIcon variant="light" color="grape" size="lg" aria-hidden>
          <IconDiscount size={20} />
        </ThemeIcon>
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Title order={3} size="h5">
            {offer.name}
          </Title>
          {offer.earn.map((sentence, i) => (
            <Text key={i} fw={600}>
              {sentence}
            </Text>
          ))}
          {offer.description && (
            <Text size="sm" c="dimmed">
              {offer.description}
            </Text>
          )}
          <Badge variant="light" color="grape.9">
            {t('until', { date: formatDate(lastDay(offer.endsAt)) })}
          </Badge>
        </Stack>
      </Group>
    </Card>
  );
}

/** The offers as a list; nothing at all when there are none (the home page then shows no card). */
export function OfferList({ offers }: { offers: Offer[] }) {
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
      {offers.map((o) => (
        <OfferCard key={o.id} offer={o} />
      ))}
    </Stack>
  );
}
