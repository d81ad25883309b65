/**
 * The first page after signing in: what I have, what is on its way and what is about to expire, my level and
 * how far the next one is, the getting-started checklist while it is unfinished, and the latest entries.
 */
import { Anchor, Badge, Button, Card, Group, List, Progress, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconCheck, IconCircleDashed } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../shared/api';
import { ErrorAlert } from '../../shared/feedback';
import { formatDate, formatMoney } from '../../shared/format';
import { useBalance, useMe, type Balance, type HistoryEntry, type Onboarding, type Page, type Tier } from '../data';
import { useMember } from '../session';
import { HistoryItem } from './History';
import { Empty, PageSkeleton, SkeletonList } from '../parts/ui';
import { LearnCard, useLearn } from '../parts/LearnCard';
import { OfferList, useOffers, type Offer } from '../parts/Offers';
import { LearnCard as TrainingCard, useLearn as useTraining } from '../parts/learn';

export default function Home() {
  const { t } = useTranslation('portal');
  const member = useMember();
  const balance = useBalance();
  const tier = useQuery({ queryKey: ['portal', 'tier'], queryFn: () => api.get<Tier>('/portal/v1/tier') });
  const onboarding = useQuery({ queryKey: ['portal', 'onboarding'], queryFn: () => api.get<Onboarding>('/portal/v1/onboarding') });
  const learn = useLearn();
  // The cards' sizes depend on all three answers (a company line, release dates, a level, a checklist), so the
  // page appears once they are in rather than growing under the member's thumb.
  const training = useTraining();
  const offers = useOffers();
  const settled = !offers.isPending && !balance.isPending && !tier.isPending && !onboarding.isPending && !learn.isPending && !training.pending;
  const b = balance.data;
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('home.hello', { name: member.name })}
      </Title>
      {!settled ? (
        <PageSkeleton />
      ) : (
        <>
          <ErrorAlert error={balance.error} />
          {b && <Balances balance={b} />}
          {offers.data && offers.data.data.length > 0 && <OffersCard offers={offers.data.data} />}
          {tier.isError ? <ErrorAlert error={tier.error} /> : <TierCard tier={tier.data} />}
          {onboarding.isError ? <ErrorAlert error={onboarding.error} /> : <Checklist onboarding={onboarding.data} />}
          <LearnCard />
          <TrainingCard learn={training} />
          <ServiceCard />
          <PrivacyLink />
          <Latest />
        </>
      )}
    </Stack>
  );
}

/** Campaigns earning the member extra points now (shown only when there are any). */
function OffersCard({ offers }: { offers: Offer[] }) {
  const { t } = useTranslation('portal-offers');
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('homeTitle')}
        </Title>
        <Anchor component={Link} to="/offers" fw={600} py="xs">
          {t('all')}
        </Anchor>
      </Group>
      <OfferList offers={offers} />
    </Stack>
  );
}

/** The way to customer service: requests, complaints, call-backs, special orders and the help centre. */
function ServiceCard() {
  const { t } = useTranslation('portal-service');
  return (
    <Card withBorder>
      <Text fw={700}>{t('homeTitle')}</Text>
      <Text size="sm" c="dimmed" mt={4}>
        {t('homeText')}
      </Text>
      <Group mt="sm">
        <Button component={Link} to="/requests" size="md" variant="default">
          {t('homeOpen')}
        </Button>
      </Group>
    </Card>
  );
}

function Balances({ balance: b }: { balance: Balance }) {
  const { t } = useTranslation('portal');
  return (
    <>
      <Card withBorder padding="lg">
        <Text size="sm" c="dimmed">
          {t('home.available')}
        </Text>
        <Text fz={36} fw={800} lh={1.2} data-testid="balance-available">
          {t('web:points', { count: b.available })}
        </Text>
        {b.company && (
          <Text size="sm" mt={4}>
            {t('home.company', { points: t('web:points', { count: b.company.available }) })}
          </Text>
        )}
        <Group mt="md" gap="sm">
          <Button component={Link} to="/shop" size="md">
            {t('home.toShop')}
          </Button>
          <Button component={Link} to="/orders" size="md" variant="default">
            {t('nav.orders')}
          </Button>
        </Group>
      </Card>
      <SimpleGrid cols={2} spacing="sm">
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('home.pending')}
          </Text>
          <Text fw={700}>{t('web:points', { count: b.pending })}</Text>
          {b.pendingReleases?.slice(0, 2).map((r) => (
            <Text key={r.on} size="sm">
              {t('home.releasedOn', { points: t('web:points', { count: r.points }), date: formatDate(r.on) })}
            </Text>
          ))}
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('home.expiring')}
          </Text>
          {b.expiring.length === 0 ? (
            <Text fw={700}>{t('home.nothingExpiring')}</Text>
          ) : (
            b.expiring.slice(0, 3).map((e) => (
              <div key={e.on}>
                <Text fw={700} c="red.9">
                  {t('web:points', { count: e.points })}
                </Text>
                <Text size="sm">{t('home.on', { date: formatDate(e.on) })}</Text>
              </div>
            ))
          )}
        </Card>
      </SimpleGrid>
    </>
  );
}

function TierCard({ tier }: { tier: Tier | undefined }) {
  const { t } = useTranslation('portal');
  const me = useMe();
  if (!tier) return null;
  const { current, next, progress, periodEnd, basis } = tier;
  if (!current && !next) return null;
  const missing = next
    ? basis === 'amount' && me.data
      ? formatMoney(next.missing, me.data.currency)
      : t('web:points', { count: next.missing })
    : '';
  return (
    <Card withBorder>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" c="dimmed">
          {t('home.level')}
        </Text>
        <Badge size="lg" variant="filled">
          {current?.name ?? t('home.noLevel')}
        </Badge>
      </Group>
      {next ? (
        <>
          <Progress
            value={Math.round(progress * 100)}
            size="lg"
            mt="sm"
            aria-label={t('home.progressLabel', { level: next.name })}
          />
          <Text fw={600} mt="xs">
            {t('home.toNext', { missing, level: next.name })}
          </Text>
        </>
      ) : (
        <Text fw={600} mt="xs">
          {t('home.topLevel')}
        </Text>
      )}
      {periodEnd && (
        <Text size="sm" c="dimmed">
          {t('home.periodEnd', { date: formatDate(periodEnd) })}
        </Text>
      )}
    </Card>
  );
}

function Checklist({ onboarding: o }: { onboarding: Onboarding | undefined }) {
  const { t } = useTranslation('portal');
  if (!o || o.total === 0 || o.done === o.total) return null;
  return (
    <Card withBorder>
      <Title order={2} size="h4">
        {t('home.checklist', { done: o.done, total: o.total })}
      </Title>
      <List spacing="xs" mt="sm" listStyleType="none">
        {o.steps.map((s) => (
          <List.Item
            key={s.code}
            icon={
              <ThemeIcon color={s.done ? 'teal.9' : 'gray.7'} size={24} radius="xl" variant={s.done ? 'filled' : 'outline'}>
                {s.done ? <IconCheck size={16} /> : <IconCircleDashed size={16} />}
              </ThemeIcon>
            }
          >
            <Text span td={s.done ? 'line-through' : undefined}>
              {s.name}
            </Text>{' '}
            {s.points > 0 && (
              <Text span size="sm" fw={600}>
                {signed(t('web:points', { count: s.points }))}
              </Text>
            )}
          </List.Item>
        ))}
      </List>
    </Card>
  );
}

const signed = (text: string) => `+${text}`;

function Latest() {
  const { t } = useTranslation('portal');
  const history = useQuery({
    queryKey: ['portal', 'history', 'latest'],
    queryFn: () => api.get<Page<HistoryEntry>>('/portal/v1/history?limit=5'),
  });
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('home.latest')}
        </Title>
        <Anchor component={Link} to="/history" fw={600} py="xs">
          {t('home.allHistory')}
        </Anchor>
      </Group>
      <ErrorAlert error={history.error} />
      {history.isPending ? (
        <SkeletonList rows={3} />
      ) : history.data?.items.length === 0 ? (
        <Empty>{t('history.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {history.data?.items.map((e) => <HistoryItem key={e.id} entry={e} />)}
        </Stack>
      )}
    </Stack>
  );
}

/** Where a member finds their consents and their data (the page is not in the bottom bar). */
function PrivacyLink() {
  // The portal namespace, loaded with Home: a namespace of its own would suspend Home while it loads.
  const { t } = useTranslation('portal');
  return (
    <Card withBorder padding="sm">
      <Group gap="lg">
        <Anchor component={Link} to="/inbox" fw={700} py={4}>
          {t('nav.inbox')}
        </Anchor>
        <Anchor component={Link} to="/channels" fw={700} py={4}>
          {t('nav.channels')}
        </Anchor>
        <Anchor component={Link} to="/privacy" fw={700} py={4}>
          {t('nav.privacy')}
        </Anchor>
        <Anchor component={Link} to="/referrals" fw={700} py={4}>
          {t('nav.referrals')}
        </Anchor>
      </Group>
    </Card>
  );
}
