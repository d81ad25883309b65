/**
 * Sales claims waiting for the program team: the queue (waiting, flagged for review, decided), and one
 * claim with its evidence, its fraud flags, the points the rules would give, and the decision.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, Group, List, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { useStaff } from '../../session';
import { EvidencePreview, Facts, PartyName, canReview, pageSize, useCursor, QueueTable, type Page } from './common';

const states = ['submitted', 'needs_review', 'approved', 'rejected'] as const;
type ClaimState = (typeof states)[number];
export const rejectionReasons = ['evidence_unreadable', 'invoice_not_found', 'product_not_eligible', 'sale_outside_period', 'duplicate_sale', 'other'] as const;

interface Evidence {
  id: string;
  contentType: string;
  fileName: string | null;
  url: string;
}

interface Claim {
  id: string;
  state: ClaimState;
  accountId: string;
  memberId: string;
  sku: string;
  quantity: number;
  amount: number;
  saleDate: string;
  invoiceNumber: string;
  endCustomer: string;
  flags: Array<{ code: string; message: string }>;
  points: { status: 'pending' | 'posted' | 'void'; proposed: number; proposedPostings: Array<{ ruleId: string; ruleName: string; points: number; reason: string }>; posted: number | null };
  rejection: { code: string; message: string; note: string | null } | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  evidence?: Evidence[];
}

const stateColor: Record<ClaimState, string> = { submitted: 'blue', needs_review: 'grape', approved: 'teal', rejected: 'red' };

export function ClaimState({ state }: { state: ClaimState }) {
  const { t } = useTranslation('console-shop');
  return (
    <Badge color={stateColor[state]} variant="filled">
      {t(`claims.state.${state}`)}
    </Badge>
  );
}

export default function Claims() {
  return (
    <Routes>
      <Route index element={<ClaimQueue />} />
      <Route path=":id" element={<ClaimDetail />} />
    </Routes>
  );
}

function ClaimQueue() {
  const { t } = useTranslation('console-shop');
  const { program } = useStaff();
  const [state, setState] = useState<ClaimState>('submitted');
  const pager = useCursor(state);
  const claims = useQuery({
    queryKey: ['claims', state, pager.cursor],
    queryFn: () => api.get<Page<Claim>>(`/v1/claims${query({ state, limit: pageSize, cursor: pager.cursor })}`),
    placeholderData: (prev) => prev,
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('claims.title')}
      </Title>
      <SegmentedControl
        aria-label={t('claims.filter')}
        value={state}
        onChange={(v) => setState(v as ClaimState)}
        data={states.map((s) => ({ value: s, label: t(`claims.queue.${s}`) }))}
        style={{ alignSelf: 'flex-start' }}
      />
      <ErrorAlert error={claims.error} />
      <QueueTable
        minWidth={760}
        columns={[
          { label: t('claims.invoice') },
          { label: t('claims.member') },
          { label: t('claims.product') },
          { label: t('claims.amount'), right: true },
          { label: t('claims.points'), right: true },
          { label: t('claims.flags') },
          { label: t('claims.submitted') },
        ]}
        page={claims}
        row={(c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Anchor component={Link} to={c.id}>
                {c.invoiceNumber}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <PartyName kind="members" id={c.memberId} />
            </Table.Td>
            <Table.Td>
              {c.sku} × {formatNumber(c.quantity)}
            </Table.Td>
            <Table.Td ta="right">{formatMoney(c.amount, program.currency)}</Table.Td>
            <Table.Td ta="right">{formatNumber(c.points.posted ?? c.points.proposed)}</Table.Td>
            <Table.Td>
              {c.flags.length > 0 && (
                <Stack gap={2}>
                  <Badge color="grape" variant="filled">
                    {t('claims.flagCount', { count: c.flags.length })}
                  </Badge>
                  <Text size="xs" lineClamp={2} title={c.flags.map((f) => f.message).join('\n')}>
                    {c.flags.map((f) => f.message).join(' · ')}
                  </Text>
                </Stack>
              )}
            </Table.Td>
            <Table.Td>{formatDate(c.createdAt)}</Table.Td>
          </Table.Tr>
        )}
        empty={t('claims.empty')}
        pager={pager}
      />
    </Stack>
  );
}

function ClaimDetail() {
  const { t } = useTranslation('console-shop');
  const { id } = useParams();
  const { staff, program } = useStaff();
  const client = useQueryClient();
  const claim = useQuery({ queryKey: ['claim', id], queryFn: () => api.get<Claim>(`/v1/claims/${id}`) });
  const [reason, setReason] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const done = (c: Claim) => {
    client.setQueryData(['claim', id], c);
    void client.invalidateQueries({ queryKey: ['claims'] });
  };
  const approve = useMutation({
    mutationFn: () => api.post<Claim>(`/v1/claims/${id}/approve`),
    onSuccess: (c) => {
      done(c);
      notifySuccess(t('claims.approved', { count: c.points.posted ?? 0 }));
    },
    onError: notifyError,
  });
  const reject = useMutation({
    mutationFn: () => api.post<Claim>(`/v1/claims/${id}/reject`, { reason, ...(note.trim() && { note: note.trim() }) }),
    onSuccess: (c) => {
      done(c);
      notifySuccess(t('claims.rejected'));
    },
    onError: (err) => {
      if (!fieldError(err, 'note') && !fieldError(err, 'reason')) notifyError(err);
    },
  });
  if (claim.isPending) return <Loading />;
  if (claim.isError) return <ErrorAlert error={claim.error} />;
  const c = claim.data;
  const open = c.state === 'submitted' || c.state === 'needs_review';
  return (
    <Stack>
      <Anchor component={Link} to=".." relative="path" size="sm">
        {t('claims.back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('claims.detailTitle', { invoice: c.invoiceNumber })}
        </Title>
        <ClaimState state={c.state} />
      </Group>
      {c.flags.length > 0 && (
        <Alert variant="outline" color="grape" title={t('claims.flagsTitle')}>
          <List size="sm">
            {c.flags.map((f, i) => (
              <List.Item key={i}>{f.message}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('claims.sale')}
          </Title>
          <Facts
            rows={[
              [t('claims.member'), <PartyName key="m" kind="members" id={c.memberId} />],
              [t('claims.account'), <PartyName key="a" kind="accounts" id={c.accountId} />],
              [t('claims.product'), `${c.sku} × ${formatNumber(c.quantity)}`],
              [t('claims.amount'), formatMoney(c.amount, program.currency)],
              [t('claims.saleDate'), formatDate(c.saleDate)],
              [t('claims.invoice'), c.invoiceNumber],
              [t('claims.endCustomer'), c.endCustomer],
              [t('claims.submitted'), formatDateTime(c.createdAt)],
            ]}
          />
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('claims.pointsTitle')}
          </Title>
          <Text fz={28} fw={800} data-testid="claim-points">
            {t('claims.pointsValue', { count: c.points.posted ?? c.points.proposed })}
          </Text>
          <Text size="sm" c="dimmed" mb="xs">
            {t(`claims.pointsStatus.${c.points.status}`)}
          </Text>
          <List size="sm">
            {c.points.proposedPostings.map((p) => (
              <List.Item key={p.ruleId}>
                {p.ruleName}: {formatNumber(p.points)} — {p.reason}
              </List.Item>
            ))}
          </List>
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
          {t('claims.evidence')}
        </Title>
        {c.evidence?.length ? (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {c.evidence.map((e, i) => (
              <EvidencePreview key={e.id} url={e.url} contentType={e.contentType} name={e.fileName ?? t('claims.file', { n: i + 1 })} />
            ))}
          </SimpleGrid>
        ) : (
          <Text c="dimmed">{t('claims.noEvidence')}</Text>
        )}
      </Card>
      {open && canReview(staff.role) && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('claims.decide')}
          </Title>
          <Stack>
            <Group>
              <Button onClick={() => approve.mutate()} loading={approve.isPending} disabled={reject.isPending}>
                {t('claims.approve', { count: c.points.proposed })}
              </Button>
            </Group>
            <Group align="flex-end" wrap="wrap">
              <Select
                label={t('claims.reason')}
                placeholder={t('claims.chooseReason')}
                data={rejectionReasons.map((r) => ({ value: r, label: t(`claims.reasons.${r}`) }))}
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
      {!open && c.decidedAt && (
        <Text size="sm" c="dimmed">
          {t('claims.decidedAt', { date: formatDateTime(c.decidedAt) })}
        </Text>
      )}
    </Stack>
  );
}
