/**
 * Co-op claims: dealers asking for a share of an ad's cost from their marketing fund. The queue, one claim
 * with its proof, the computed share against the fund's balance, the decision; and the payouts for the ERP.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, SegmentedControl, Select, SimpleGrid, Skeleton, Stack, Table, Tabs, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { useStaff } from '../../session';
import { EvidencePreview, Facts, PartyName, canReview, pageSize, useCursor, QueueTable, type Page } from './common';

const states = ['submitted', 'approved', 'rejected'] as const;
type CoopState = (typeof states)[number];
const rejectionReasons = ['proof_unreadable', 'ad_not_eligible', 'cost_not_documented', 'duplicate_ad', 'other'] as const;

interface CoopClaim {
  id: string;
  state: CoopState;
  accountId: string;
  memberId: string | null;
  cost: number;
  adDate: string;
  medium: string;
  description: string | null;
  otherBrands: number;
  proofEvidenceId: string;
  proofUrl: string;
  share: number;
  sharePercent: number;
  approvedAmount: number | null;
  currency: string;
  rejection: { code: string; message: string; note: string | null } | null;
  decidedAt: string | null;
  createdAt: string;
}

interface Payout {
  id: string;
  claimId: string;
  accountName: string;
  accountExternalId: string | null;
  amount: number;
  currency: string;
  adDate: string;
  medium: string;
  approvedAt: string;
  exportBatchId: string | null;
  exportedAt: string | null;
}

const stateColor: Record<CoopState, string> = { submitted: 'blue', approved: 'teal', rejected: 'red' };

export default function Coop() {
  return (
    <Routes>
      <Route index element={<CoopHome />} />
      <Route path="payouts" element={<CoopHome tab="payouts" />} />
      <Route path=":id" element={<CoopDetail />} />
    </Routes>
  );
}

function CoopHome({ tab = 'claims' }: { tab?: 'claims' | 'payouts' }) {
  const { t } = useTranslation('console-shop');
  const navigate = useNavigate();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('coop.title')}
      </Title>
      <Tabs value={tab} onChange={(v) => navigate(v === 'payouts' ? '/coop/payouts' : '/coop')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="claims">{t('coop.claims')}</Tabs.Tab>
          <Tabs.Tab value="payouts">{t('coop.payouts')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="claims" pt="md">
          <CoopQueue />
        </Tabs.Panel>
        <Tabs.Panel value="payouts" pt="md">
          <Payouts />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function CoopQueue() {
  const { t } = useTranslation('console-shop');
  const [state, setState] = useState<CoopState>('submitted');
  const pager = useCursor(state);
  const claims = useQuery({
    queryKey: ['coop-claims', state, pager.cursor],
    queryFn: () => api.get<Page<CoopClaim>>(`/v1/coop/claims${query({ state, limit: pageSize, cursor: pager.cursor })}`),
    placeholderData: (prev) => prev,
  });
  return (
    <Stack>
      <SegmentedControl
        aria-label={t('claims.filter')}
        value={state}
        onChange={(v) => setState(v as CoopState)}
        data={states.map((s) => ({ value: s, label: t(`coop.state.${s}`) }))}
        style={{ alignSelf: 'flex-start' }}
      />
      <ErrorAlert error={claims.error} />
      <QueueTable
        minWidth={720}
        columns={[
          { label: t('coop.account') },
          { label: t('coop.medium') },
          { label: t('coop.adDate') },
          { label: t('coop.cost'), right: true },
          { label: t('coop.share'), right: true },
          { label: t('coop.submitted') },
        ]}
        page={claims}
        row={(c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Anchor component={Link} to={c.id}>
                <PartyName kind="accounts" id={c.accountId} />
              </Anchor>
            </Table.Td>
            <Table.Td>{t(`coop.media.${c.medium}`)}</Table.Td>
            <Table.Td>{formatDate(c.adDate)}</Table.Td>
            <Table.Td ta="right">{formatMoney(c.cost, c.currency)}</Table.Td>
            <Table.Td ta="right">{formatMoney(c.approvedAmount ?? c.share, c.currency)}</Table.Td>
            <Table.Td>{formatDate(c.createdAt)}</Table.Td>
          </Table.Tr>
        )}
        empty={t('coop.empty')}
        pager={pager}
      />
    </Stack>
  );
}

function CoopDetail() {
  const { t } = useTranslation('console-shop');
  const { id } = useParams();
  const { staff } = useStaff();
  const client = useQueryClient();
  const claim = useQuery({ queryKey: ['coop-claim', id], queryFn: () => api.get<CoopClaim>(`/v1/coop/claims/${id}`) });
  const accountId = claim.data?.accountId;
  const fund = useQuery({
    queryKey: ['coop-fund', accountId],
    queryFn: () => api.get<{ balance: number; accrued: number; reimbursed: number; currency: string }>(`/v1/accounts/${accountId}/coop-fund`),
    enabled: !!accountId,
  });
  const proof = useQuery({
    queryKey: ['evidence', claim.data?.proofEvidenceId],
    queryFn: () => api.get<{ contentType: string; fileName: string | null }>(`/v1/evidence/${claim.data!.proofEvidenceId}`),
    enabled: !!claim.data,
  });
  const [reason, setReason] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const done = (c: CoopClaim) => {
    client.setQueryData(['coop-claim', id], c);
    void client.invalidateQueries({ queryKey: ['coop-claims'] });
    void client.invalidateQueries({ queryKey: ['coop-fund', c.accountId] });
    void client.invalidateQueries({ queryKey: ['coop-payouts'] });
  };
  const approve = useMutation({
    mutationFn: () => api.post<CoopClaim>(`/v1/coop/claims/${id}/approve`),
    onSuccess: (c) => {
      done(c);
      notifySuccess(t('coop.approved', { amount: formatMoney(c.approvedAmount ?? 0, c.currency) }));
    },
    onError: notifyError,
  });
  const reject = useMutation({
    mutationFn: () => api.post<CoopClaim>(`/v1/coop/claims/${id}/reject`, { reason, ...(note.trim() && { note: note.trim() }) }),
    onSuccess: (c) => {
      done(c);
      notifySuccess(t('coop.rejected'));
    },
    onError: (err) => {
      if (!fieldError(err, 'note') && !fieldError(err, 'reason')) notifyError(err);
    },
  });
  if (claim.isPending) return <Loading />;
  if (claim.isError) return <ErrorAlert error={claim.error} />;
  const c = claim.data;
  const payable = fund.data ? Math.min(c.share, fund.data.balance) : undefined;
  return (
    <Stack>
      <Anchor component={Link} to=".." relative="path" size="sm">
        {t('coop.back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('coop.detailTitle', { medium: t(`coop.media.${c.medium}`), date: formatDate(c.adDate) })}
        </Title>
        <Badge color={stateColor[c.state]} variant="filled">
          {t(`coop.state.${c.state}`)}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('coop.ad')}
          </Title>
          <Facts
            rows={[
              [t('coop.account'), <PartyName key="a" kind="accounts" id={c.accountId} />],
              [t('coop.sender'), <PartyName key="m" kind="members" id={c.memberId} />],
              [t('coop.medium'), t(`coop.media.${c.medium}`)],
              [t('coop.adDate'), formatDate(c.adDate)],
              [t('coop.description'), c.description ?? '—'],
              [t('coop.cost'), formatMoney(c.cost, c.currency)],
              [t('coop.otherBrands'), formatNumber(c.otherBrands)],
              [t('coop.submitted'), formatDateTime(c.createdAt)],
            ]}
          />
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('coop.money')}
          </Title>
          <Facts
            rows={[
              [t('coop.shareRule'), t('coop.shareRuleValue', { percent: c.sharePercent, brands: c.otherBrands + 1 })],
              [t('coop.share'), formatMoney(c.share, c.currency)],
              [t('coop.fundBalance'), fund.data ? formatMoney(fund.data.balance, c.currency) : <Skeleton key="f" h={18} w={100} />],
              ...(c.state === 'approved'
                ? [[t('coop.paid'), formatMoney(c.approvedAmount ?? 0, c.currency)] as [string, string]]
                : payable !== undefined
                  ? [[t('coop.payable'), formatMoney(payable, c.currency)] as [string, string]]
                  : []),
            ]}
          />
          {c.state === 'submitted' && payable !== undefined && payable < c.share && (
            <Alert variant="outline" color="grape" mt="sm">
              {t('coop.capped')}
            </Alert>
          )}
          {c.rejection && (
            <Alert variant="outline" color="red" mt="sm" title={t('claims.rejectionTitle')}>
              {c.rejection.message}
              {c.rejection.note && <Text size="sm">{c.rejection.note}</Text>}
            </Alert>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('coop.proof')}
        </Title>
        {proof.data ? <EvidencePreview url={c.proofUrl} contentType={proof.data.contentType} name={proof.data.fileName ?? t('coop.proof')} /> : <Skeleton h={280} />}
      </Card>
      {c.state === 'submitted' && canReview(staff.role) && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('claims.decide')}
          </Title>
          <Stack>
            <Group>
              <Button onClick={() => approve.mutate()} loading={approve.isPending} disabled={reject.isPending}>
                {t('coop.approve')}
              </Button>
            </Group>
            <Group align="flex-end" wrap="wrap">
              <Select
                label={t('claims.reason')}
                placeholder={t('claims.chooseReason')}
                data={rejectionReasons.map((r) => ({ value: r, label: t(`coop.reasons.${r}`) }))}
                value={reason}
                onChange={setReason}
                error={fieldError(reject.error, 'reason')}
                w={280}
              />
              <Textarea label={t('claims.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldError(reject.error, 'note')} autosize minRows={1} w={320} />
              <Button color="red" variant="outline" onClick={() => reject.mutate()} loading={reject.isPending} disabled={!reason || approve.isPending}>
                {t('claims.reject')}
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

function Payouts() {
  const { t } = useTranslation('console-shop');
  const { staff } = useStaff();
  const client = useQueryClient();
  const [state, setState] = useState<'unexported' | 'exported'>('unexported');
  const pager = useCursor(state);
  // One key per intended export: a retry after a lost answer marks the same batch, not a second one.
  const [exportKey, setExportKey] = useState(newIdempotencyKey);
  const [lastBatch, setLastBatch] = useState<{ id: string; payouts: number; total: number; currency: string } | null>(null);
  const payouts = useQuery({
    queryKey: ['coop-payouts', state, pager.cursor],
    queryFn: () => api.get<Page<Payout>>(`/v1/coop/payouts${query({ state, limit: pageSize, cursor: pager.cursor })}`),
    placeholderData: (prev) => prev,
  });
  const exportAll = useMutation({
    mutationFn: () => api.post<{ id: string; payouts: number; total: number; currency: string }>('/v1/coop/payouts/export', { idempotencyKey: exportKey }),
    onSuccess: (batch) => {
      setLastBatch(batch);
      setExportKey(newIdempotencyKey());
      void client.invalidateQueries({ queryKey: ['coop-payouts'] });
      notifySuccess(t('coop.exported', { count: batch.payouts, total: formatMoney(batch.total, batch.currency) }));
    },
    onError: notifyError,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label={t('coop.payoutFilter')}
          value={state}
          onChange={(v) => setState(v as 'unexported' | 'exported')}
          data={[
            { value: 'unexported', label: t('coop.unexported') },
            { value: 'exported', label: t('coop.exportedFilter') },
          ]}
        />
        <Group>
          <Button component="a" variant="default" href={`/v1/coop/payouts${query({ state, format: 'csv' })}`} download>
            {t('coop.csv')}
          </Button>
          {canReview(staff.role) && (
            <Button onClick={() => exportAll.mutate()} loading={exportAll.isPending}>
              {t('coop.export')}
            </Button>
          )}
        </Group>
      </Group>
      {lastBatch && (
        <Alert variant="outline" color="teal">
          {t('coop.exported', { count: lastBatch.payouts, total: formatMoney(lastBatch.total, lastBatch.currency) })}{' '}
          <Anchor href={`/v1/coop/payouts${query({ state: 'all', batchId: lastBatch.id, format: 'csv' })}`} download>
            {t('coop.batchCsv')}
          </Anchor>
        </Alert>
      )}
      <ErrorAlert error={payouts.error} />
      <QueueTable
        minWidth={720}
        columns={[
          { label: t('coop.account') },
          { label: t('coop.medium') },
          { label: t('coop.adDate') },
          { label: t('coop.amount'), right: true },
          { label: t('coop.approvedAt') },
          { label: t('coop.exportedAt') },
        ]}
        page={payouts}
        row={(p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Anchor component={Link} to={`../${p.claimId}`} relative="path">
                {p.accountName}
              </Anchor>
            </Table.Td>
            <Table.Td>{t(`coop.media.${p.medium}`)}</Table.Td>
            <Table.Td>{formatDate(p.adDate)}</Table.Td>
            <Table.Td ta="right">{formatMoney(p.amount, p.currency)}</Table.Td>
            <Table.Td>{formatDate(p.approvedAt)}</Table.Td>
            <Table.Td>{p.exportedAt ? formatDateTime(p.exportedAt) : '—'}</Table.Td>
          </Table.Tr>
        )}
        empty={t('coop.noPayouts')}
        pager={pager}
        highlightOnHover={false}
      />
    </Stack>
  );
}
