/** What an account's and a member's pages both show: points, tier, history, claims, reward orders, the adjustment form. */
import { Alert, Button, Group, NumberInput, Progress, Select, SimpleGrid, Skeleton, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, newIdempotencyKey } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { canWrite, useStaff } from '../../session';
import { Figure, PagedTable, SignedPoints, StateBadge, usePaged } from './common';

export type OwnerKind = 'accounts' | 'members';

interface Balance {
  available: number;
  pending: number;
  expiringTotal: number;
  lifetimeEarned: number;
  lifetimeSpent: number;
}

interface Tier {
  level: { code: string; name: string } | null;
  since: string | null;
  qualifying: { basis: 'points' | 'amount'; total: number };
  progress: { nextLevel: { code: string; name: string } | null; missing: number; until: string | null };
}

export function BalanceAndTier({ kind, id }: { kind: OwnerKind; id: string }) {
  const { t } = useTranslation('console-people');
  const { program } = useStaff();
  const balance = useQuery({ queryKey: ['balance', kind, id], queryFn: () => api.get<Balance>(`/v1/${kind}/${id}/balance`) });
  const tier = useQuery({
    queryKey: ['tier', kind, id],
    queryFn: async () => {
      try {
        return await api.get<Tier>(`/v1/${kind}/${id}/tier`);
      } catch (err) {
        // No ladder, or no tiers for this kind of owner: the page says so instead of failing.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) return null;
        throw err;
      }
    },
  });
  if (balance.isError) return <ErrorAlert error={balance.error} />;
  const b = balance.data;
  const tr = tier.data;
  const amount = (n: number) => (tr?.qualifying.basis === 'amount' ? formatMoney(n, program.currency) : t('web:points', { count: n }));
  const progressValue = tr && tr.progress.nextLevel ? (tr.qualifying.total / (tr.qualifying.total + tr.progress.missing)) * 100 : 100;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
      {b ? (
        <>
          <Figure label={t('balance.available')} value={<span data-testid="balance-available">{formatNumber(b.available)}</span>} />
          <Figure label={t('balance.pending')} value={formatNumber(b.pending)} />
          <Figure label={t('balance.expiring')} value={formatNumber(b.expiringTotal)} />
        </>
      ) : (
        [0, 1, 2].map((i) => <Skeleton key={i} h={84} />)
      )}
      {tier.isPending ? (
        <Skeleton h={84} />
      ) : (
        <Figure
          label={t('tier.title')}
          value={tr?.level?.name ?? t('tier.none')}
          hint={
            tr ? (
              <Stack gap={4} component="span">
                {tr.progress.nextLevel ? (
                  <>
                    <Progress value={progressValue} aria-label={t('tier.progress')} size="sm" />
                    <span>{t('tier.missing', { amount: amount(tr.progress.missing), level: tr.progress.nextLevel.name })}</span>
                  </>
                ) : (
                  <span>{tr.level ? t('tier.top') : ''}</span>
                )}
              </Stack>
            ) : (
              t('tier.notConfigured')
            )
          }
        />
      )}
    </SimpleGrid>
  );
}

interface HistoryItem {
  journalId: string;
  kind: string;
  points: number;
  pendingPoints: number;
  occurredAt: string;
  description: string;
  reasonCode: string | null;
  memo: string | null;
}

export function History({ kind, id }: { kind: OwnerKind; id: string }) {
  const { t } = useTranslation('console-people');
  const history = usePaged<HistoryItem>(['history', kind, id], `/v1/${kind}/${id}/history`);
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        {t('history.title')}
      </Title>
      <PagedTable
        query={history}
        caption={t('history.title')}
        head={[t('history.when'), t('history.what'), t('history.points')]}
        row={(h) => (
          <Table.Tr key={h.journalId}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(h.occurredAt)}</Table.Td>
            <Table.Td>
              {h.description}
              {h.memo && (
                <Text size="sm" c="dimmed">
                  {h.memo}
                </Text>
              )}
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <SignedPoints points={h.points} />
            </Table.Td>
          </Table.Tr>
        )}
        empty={t('history.none')}
      />
    </Stack>
  );
}

interface Claim {
  id: string;
  state: string;
  sku: string;
  amount: number;
  saleDate: string;
  invoiceNumber: string;
  points: { proposed: number; posted: number | null };
}

interface Order {
  id: string;
  state: string;
  reward: { name: string };
  quantity: number;
  points: number;
  createdAt: string;
}

export function ClaimsAndOrders({ filter }: { filter: string }) {
  const { t } = useTranslation('console-people');
  const { program } = useStaff();
  const claims = usePaged<Claim>(['claims', filter], `/v1/claims?${filter}`);
  const orders = usePaged<Order>(['orders', filter], `/v1/reward-orders?${filter}`);
  return (
    <SimpleGrid cols={{ base: 1, xl: 2 }}>
      <Stack gap="xs">
        <Title order={2} size="h3">
          {t('claims.title')}
        </Title>
        <PagedTable
          query={claims}
          caption={t('claims.title')}
          head={[t('claims.sale'), t('claims.invoice'), t('claims.amount'), t('history.points'), t('fields.status')]}
          row={(c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{formatDate(c.saleDate)}</Table.Td>
              <Table.Td>
                {c.invoiceNumber} · {c.sku}
              </Table.Td>
              <Table.Td>{formatMoney(c.amount, program.currency)}</Table.Td>
              <Table.Td>{formatNumber(c.points.posted ?? c.points.proposed)}</Table.Td>
              <Table.Td>
                <StateBadge state={c.state} />
              </Table.Td>
            </Table.Tr>
          )}
          empty={t('claims.none')}
        />
      </Stack>
      <Stack gap="xs">
        <Title order={2} size="h3">
          {t('orders.title')}
        </Title>
        <PagedTable
          query={orders}
          caption={t('orders.title')}
          head={[t('orders.date'), t('orders.reward'), t('history.points'), t('fields.status')]}
          row={(o) => (
            <Table.Tr key={o.id}>
              <Table.Td>{formatDate(o.createdAt)}</Table.Td>
              <Table.Td>
                {o.quantity} × {o.reward.name}
              </Table.Td>
              <Table.Td>{formatNumber(o.points)}</Table.Td>
              <Table.Td>
                <StateBadge state={o.state} />
              </Table.Td>
            </Table.Tr>
          )}
          empty={t('orders.none')}
        />
      </Stack>
    </SimpleGrid>
  );
}

interface ControlSettings {
  approvalThreshold: number | null;
  dailyAdjustmentLimit: number | null;
  reasonCodes: Array<{ code: string; label: string }>;
}

interface AdjustmentRequest {
  id: string;
  state: 'pending' | 'approved' | 'rejected';
  points: number;
}

export function useControlSettings() {
  return useQuery({ queryKey: ['control-settings'], queryFn: () => api.get<ControlSettings>('/v1/settings/control') });
}

/**
 * Points added or taken by hand with a reason. At or above the program's approval threshold the server stores a
 * request for a second person instead of posting; the form says so and the balance stays as it is.
 */
export function AdjustPoints({ kind, id }: { kind: OwnerKind; id: string }) {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const control = useControlSettings();
  const [points, setPoints] = useState<number | string>('');
  const [reasonCode, setReasonCode] = useState<string | null>(null);
  const [memo, setMemo] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [requested, setRequested] = useState<AdjustmentRequest | null>(null);
  const adjust = useMutation({
    mutationFn: () =>
      api.post<{ journalId?: string; state?: string; id?: string; points: number }>(`/v1/${kind}/${id}/adjustments`, {
        points: typeof points === 'number' ? points : Number(points),
        reasonCode: reasonCode ?? '',
        ...(memo.trim() && { memo: memo.trim() }),
        idempotencyKey,
      }),
    onSuccess: (result) => {
      setIdempotencyKey(newIdempotencyKey());
      setPoints('');
      setMemo('');
      if (result.state) {
        setRequested(result as AdjustmentRequest);
        notifySuccess(t('adjust.requested'));
      } else {
        setRequested(null);
        notifySuccess(t('adjust.done', { count: result.points }));
        void client.invalidateQueries({ queryKey: ['balance', kind, id] });
        void client.invalidateQueries({ queryKey: ['history', kind, id] });
      }
    },
    onError: (err) => {
      if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
    },
  });
  if (!canWrite(staff.role)) return null;
  const threshold = control.data?.approvalThreshold ?? null;
  const err = adjust.error;
  const amount = typeof points === 'number' ? Math.abs(points) : 0;
  return (
    <Stack gap="xs" component="section" aria-labelledby="adjust-title">
      <Title order={2} size="h3" id="adjust-title">
        {t('adjust.title')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          adjust.mutate();
        }}
      >
        <Stack gap="sm" maw={560}>
          <Group grow align="start">
            <NumberInput
              label={t('adjust.points')}
              description={t('adjust.pointsHelp')}
              value={points}
              onChange={setPoints}
              allowDecimal={false}
              required
              error={fieldError(err, 'points')}
            />
            <Select
              label={t('adjust.reason')}
              data={(control.data?.reasonCodes ?? []).map((r) => ({ value: r.code, label: r.label }))}
              value={reasonCode}
              onChange={setReasonCode}
              required
              error={fieldError(err, 'reasonCode')}
            />
          </Group>
          <Textarea label={t('adjust.note')} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} maxLength={500} autosize minRows={2} error={fieldError(err, 'memo')} />
          {threshold !== null && (
            <Text size="sm" c={amount >= threshold ? 'orange.9' : 'dimmed'}>
              {t('adjust.threshold', { count: threshold })}
            </Text>
          )}
          {err instanceof ApiError && err.errors.length > 0 && !fieldError(err, 'points') && !fieldError(err, 'reasonCode') && <ErrorAlert error={err} />}
          <Group>
            <Button type="submit" loading={adjust.isPending}>
              {t('adjust.submit')}
            </Button>
          </Group>
          {requested && (
            <Alert color="orange" title={t('adjust.requestedTitle')} role="status">
              {t('adjust.requestedText', { count: Math.abs(requested.points) })}
            </Alert>
          )}
        </Stack>
      </form>
    </Stack>
  );
}
