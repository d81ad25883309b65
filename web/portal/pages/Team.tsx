/**
 * For managers: what each person of the team earned, spent and holds in a period; giving them company points;
 * and their sales claims waiting for a decision.
 */
import { useRef, useState } from 'react';
import { Badge, Button, Card, Group, Modal, NativeSelect, NumberInput, Select, SimpleGrid, Skeleton, Stack, Tabs, Text, Textarea, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, query } from '../../shared/api';
import { ErrorAlert, fieldError, messageOf, notifySuccess } from '../../shared/feedback';
import { useBalance, useMe, usePointsChanged, type Claim, type Page, type TeamMember } from '../data';
import { useMember } from '../session';
import { Empty, LoadMore, PageTitle, SkeletonList } from '../parts/ui';
import { ClaimEvidence, ClaimSummary } from './Claims';

type Period = 'month' | 'year' | 'twelve';

function periodRange(p: Period, now = new Date()): { from: string; to: string } {
  const from =
    p === 'month'
      ? new Date(now.getFullYear(), now.getMonth(), 1)
      : p === 'year'
        ? new Date(now.getFullYear(), 0, 1)
        : new Date(now.getFullYear() - 1, now.getMonth(), now.getDate());
  return { from: from.toISOString(), to: now.toISOString() };
}

const rejectionReasons = ['evidence_unreadable', 'invoice_not_found', 'product_not_eligible', 'sale_outside_period', 'duplicate_sale', 'other'] as const;

export default function Team() {
  const { t } = useTranslation('portal');
  const balance = useBalance();
  const [tab, setTab] = useState<string | null>('people');
  const [period, setPeriod] = useState<Period>('year');
  // The period's end is fixed when it is chosen, so the query key (and the cache) stays the same while the page is open.
  const [range, setRange] = useState(() => periodRange('year'));
  const team = useInfiniteQuery({
    queryKey: ['portal', 'team', 'people', range.from, range.to],
    queryFn: ({ pageParam }) => api.get<Page<TeamMember>>(`/portal/v1/team${query({ ...range, cursor: pageParam, limit: 50 })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
  const people = team.data?.pages.flatMap((p) => p.items) ?? [];
  const self = useMember();
  const [giveTo, setGiveTo] = useState<TeamMember>();
  return (
    <Stack>
      <PageTitle>{t('team.title')}</PageTitle>
      {/* Only managers open this page, and a manager's company has a wallet: the card is there from the start and
          its figure fills in, so the tabs below never move. */}
      <Card withBorder>
        <Text size="sm" c="dimmed">
          {t('team.companyPoints')}
        </Text>
        <Skeleton visible={balance.isPending} width={balance.isPending ? '60%' : undefined}>
          <Text fz={28} fw={800} data-testid={balance.data ? 'company-available' : undefined}>
            {t('web:points', { count: balance.data?.company?.available ?? 0 })}
          </Text>
        </Skeleton>
      </Card>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List grow>
          <Tabs.Tab value="people" fz="md" py="md">
            {t('team.people')}
          </Tabs.Tab>
          <Tabs.Tab value="claims" fz="md" py="md">
            {t('team.claims')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="people" pt="md">
          <Stack>
            <NativeSelect
              size="md"
              label={t('team.period')}
              value={period}
              onChange={(e) => {
                const v = e.currentTarget.value as Period;
                setPeriod(v);
                setRange(periodRange(v));
              }}
              data={[
                { value: 'month', label: t('team.thisMonth') },
                { value: 'year', label: t('team.thisYear') },
                { value: 'twelve', label: t('team.twelveMonths') },
              ]}
            />
            <ErrorAlert error={team.error} />
            {team.isPending ? (
              <SkeletonList rows={4} height={120} />
            ) : people.length === 0 ? (
              <Empty>{t('team.empty')}</Empty>
            ) : (
              <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
                {people.map((p) => (
                  <Card key={p.memberId} withBorder padding="sm" component="li" data-testid="team-member">
                    <Group justify="space-between" wrap="nowrap" gap="xs">
                      <div style={{ minWidth: 0 }}>
                        <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
                          {p.name}
                        </Text>
                        {p.role && (
                          <Text size="sm" c="dimmed">
                            {/* A program may give its members roles of its own; those have no translation and show as named. */}
                            {t(`web:memberRoles.${p.role}`, { defaultValue: p.role })}
                          </Text>
                        )}
                      </div>
                      {p.memberId !== self.id && (
                        <Button size="md" variant="outline" onClick={() => setGiveTo(p)} disabled={!balance.data?.company?.available} style={{ flexShrink: 0 }}>
                          {t('team.give')}
                        </Button>
                      )}
                    </Group>
                    <SimpleGrid cols={3} spacing="xs" mt="xs">
                      <Figure label={t('team.earned')} points={p.earned} />
                      <Figure label={t('team.spent')} points={p.spent} />
                      <Figure label={t('team.balance')} points={p.available} testId="team-available" />
                    </SimpleGrid>
                    {p.received > 0 && (
                      <Text size="sm" mt={4}>
                        {t('team.received', { points: t('web:points', { count: p.received }) })}
                      </Text>
                    )}
                  </Card>
                ))}
              </Stack>
            )}
            <LoadMore hasMore={team.hasNextPage} loading={team.isFetchingNextPage} onMore={() => void team.fetchNextPage()} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="claims" pt="md">
          {tab === 'claims' && <TeamClaims names={new Map(people.map((p) => [p.memberId, p.name]))} />}
        </Tabs.Panel>
      </Tabs>
      {giveTo && <Allocate member={giveTo} companyAvailable={balance.data?.company?.available ?? 0} onClose={() => setGiveTo(undefined)} />}
    </Stack>
  );
}

function Figure({ label, points, testId }: { label: string; points: number; testId?: string }) {
  const { t } = useTranslation('portal');
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={700} data-testid={testId}>
        {t('web:points', { count: points })}
      </Text>
    </div>
  );
}

function Allocate({ member, companyAvailable, onClose }: { member: TeamMember; companyAvailable: number; onClose: () => void }) {
  const { t } = useTranslation('portal');
  const pointsChanged = usePointsChanged();
  const [points, setPoints] = useState<number | string>('');
  const [note, setNote] = useState('');
  // Made once when the dialog opens: a double tap or a retry gives the points once.
  const [key] = useState(newIdempotencyKey);
  // A second tap lands before the button shows it is busy; the key makes it harmless, this makes it silent.
  const sent = useRef(false);
  const give = useMutation({
    mutationFn: () => api.post('/portal/v1/team/allocate', { memberId: member.memberId, points: Number(points), note: note.trim() || undefined, idempotencyKey: key }),
    onSettled: () => {
      sent.current = false;
    },
    onSuccess: async () => {
      notifySuccess(t('team.given', { points: t('web:points', { count: Number(points) }), name: member.name }));
      await pointsChanged();
      onClose();
    },
  });
  const valid = typeof points === 'number' && points >= 1 && points <= companyAvailable;
  return (
    <Modal opened onClose={() => !give.isPending && onClose()} title={t('team.giveTo', { name: member.name })} centered>
      <Stack
        component="form"
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          if (!valid || sent.current) return;
          sent.current = true;
          give.mutate();
        }}
      >
        <Text size="sm">{t('team.companyHas', { points: t('web:points', { count: companyAvailable }) })}</Text>
        <NumberInput
          size="md"
          label={t('team.points')}
          required
          min={1}
          max={companyAvailable}
          allowDecimal={false}
          allowNegative={false}
          value={points}
          onChange={setPoints}
          error={fieldError(give.error, 'points')}
          data-autofocus
        />
        <Textarea size="md" label={t('team.note')} description={t('team.noteHint')} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} autosize minRows={2} />
        {give.error && !fieldError(give.error, 'points') && (
          <Text c="red.9" role="alert">
            {messageOf(give.error)}
          </Text>
        )}
        <Group grow>
          <Button variant="default" size="md" onClick={onClose} disabled={give.isPending}>
            {t('web:cancel')}
          </Button>
          <Button type="submit" size="md" loading={give.isPending} disabled={!valid}>
            {t('team.giveConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TeamClaims({ names }: { names: Map<string, string> }) {
  const { t } = useTranslation('portal');
  const me = useMe();
  const self = useMember();
  const claims = useInfiniteQuery({
    queryKey: ['portal', 'team', 'claims'],
    queryFn: ({ pageParam }) => api.get<Page<Claim>>(`/portal/v1/team/claims${query({ state: 'pending', cursor: pageParam, limit: 20 })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [rejecting, setRejecting] = useState<Claim>();
  const pointsChanged = usePointsChanged();
  const approve = useMutation({
    mutationFn: (id: string) => api.post<Claim>(`/portal/v1/team/claims/${id}/approve`),
    onSuccess: async () => {
      notifySuccess(t('team.approved'));
      await Promise.all([claims.refetch(), pointsChanged()]);
    },
    onError: () => undefined,
  });
  const items = claims.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <ErrorAlert error={claims.error} />
      {approve.error && <ErrorAlert error={approve.error} />}
      {claims.isPending ? (
        <SkeletonList rows={3} height={140} />
      ) : items.length === 0 ? (
        <Empty>{t('team.noClaims')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {items.map((c) => {
            const own = c.memberId === self.id;
            return (
              <Card key={c.id} withBorder padding="sm" component="li" data-testid="team-claim">
                <Text fw={700} mb={4}>
                  {names.get(c.memberId) ?? (own ? self.name : t('team.someone'))}
                </Text>
                <ClaimSummary claim={c} currency={me.data?.currency} />
                <ClaimEvidence claimId={c.id} />
                {c.state === 'needs_review' ? (
                  <Badge variant="outline" color="gray.7" mt="xs">
                    {t('team.withProgram')}
                  </Badge>
                ) : own ? (
                  <Text size="sm" c="dimmed" mt="xs">
                    {t('team.ownClaim')}
                  </Text>
                ) : (
                  <Group grow mt="sm">
                    <Button size="md" loading={approve.isPending && approve.variables === c.id} onClick={() => approve.mutate(c.id)}>
                      {t('team.approve')}
                    </Button>
                    <Button size="md" variant="default" color="red" onClick={() => setRejecting(c)}>
                      {t('team.reject')}
                    </Button>
                  </Group>
                )}
              </Card>
            );
          })}
        </Stack>
      )}
      <LoadMore hasMore={claims.hasNextPage} loading={claims.isFetchingNextPage} onMore={() => void claims.fetchNextPage()} />
      {rejecting && (
        <Reject
          claim={rejecting}
          onClose={() => setRejecting(undefined)}
          onDone={async () => {
            setRejecting(undefined);
            await claims.refetch();
          }}
        />
      )}
    </Stack>
  );
}

function Reject({ claim, onClose, onDone }: { claim: Claim; onClose: () => void; onDone: () => Promise<void> }) {
  const { t } = useTranslation('portal');
  const [reasonCode, setReasonCode] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const reject = useMutation({
    mutationFn: () => api.post<Claim>(`/portal/v1/team/claims/${claim.id}/reject`, { reasonCode, note: note.trim() || undefined }),
    onSuccess: async () => {
      notifySuccess(t('team.rejected'));
      await onDone();
    },
  });
  const valid = reasonCode !== null && (reasonCode !== 'other' || note.trim().length > 0);
  return (
    <Modal opened onClose={() => !reject.isPending && onClose()} title={t('team.rejectTitle')} centered>
      <Stack
        component="form"
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          if (valid && !reject.isPending) reject.mutate();
        }}
      >
        <Title order={2} size="h5">
          {claim.quantity} × {claim.sku} · {claim.invoiceNumber}
        </Title>
        <Select
          size="md"
          label={t('team.reason')}
          required
          data={rejectionReasons.map((r) => ({ value: r, label: t(`team.reasons.${r}`) }))}
          value={reasonCode}
          onChange={setReasonCode}
          error={fieldError(reject.error, 'reasonCode')}
          comboboxProps={{ withinPortal: true }}
        />
        <Textarea
          size="md"
          label={t('team.rejectNote')}
          description={t('team.rejectNoteHint')}
          required={reasonCode === 'other'}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={fieldError(reject.error, 'note')}
          autosize
          minRows={2}
          maxLength={1000}
        />
        {reject.error && !fieldError(reject.error, 'note') && !fieldError(reject.error, 'reasonCode') && (
          <Text c="red.9" role="alert">
            {messageOf(reject.error)}
          </Text>
        )}
        <Group grow>
          <Button variant="default" size="md" onClick={onClose} disabled={reject.isPending}>
            {t('web:cancel')}
          </Button>
          <Button type="submit" size="md" color="red.9" loading={reject.isPending} disabled={!valid}>
            {t('team.reject')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
