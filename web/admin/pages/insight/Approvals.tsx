/**
 * Four-eyes approvals: manual adjustments at or above the program's threshold wait here until an owner or
 * manager other than the requester approves or rejects them. The server decides who may; its refusal (e.g.
 * approving your own request) is shown as it answers.
 */
import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, SegmentedControl, Skeleton, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, query } from '../../../shared/api';
import { ErrorAlert, fieldError, messageOf, notifySuccess } from '../../../shared/feedback';
import { formatDateTime, formatNumber } from '../../../shared/format';
import { canWrite, useStaff } from '../../session';
import { Empty, useActorName, useAuditFacets } from './shared';

type State = 'pending' | 'approved' | 'rejected';

interface AdjustmentRequest {
  id: string;
  walletId: string;
  points: number;
  reasonCode: string;
  memo: string | null;
  state: State;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

interface ControlSettings {
  reasonCodes: Array<{ code: string; label: string }>;
}

/** The account or member a request would credit or debit (a wallet's id is its owner's). */
const walletOwnerQuery = (id: string) => ({
    queryKey: ['wallet-owner', id],
    queryFn: async (): Promise<{ kind: 'account' | 'member'; name: string }> => {
      try {
        return { kind: 'account', name: (await api.get<{ name: string }>(`/v1/accounts/${id}`)).name };
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        return { kind: 'member', name: (await api.get<{ name: string }>(`/v1/members/${id}`)).name };
      }
    },
    staleTime: 5 * 60_000,
});

function useWalletOwner(id: string) {
  return useQuery(walletOwnerQuery(id));
}

function WalletOwner({ id }: { id: string }) {
  const { t } = useTranslation('console-insight');
  const owner = useWalletOwner(id);
  if (owner.isPending) return <Skeleton h={16} w={120} />;
  if (owner.isError) return <Text size="sm">{id}</Text>;
  return (
    <Text size="sm">
      {owner.data.name}{' '}
      <Text span size="xs" c="dimmed">
        ({t(`approvals.owner.${owner.data.kind}`)})
      </Text>
    </Text>
  );
}

export default function Approvals() {
  const { t } = useTranslation('console-insight');
  const me = useStaff();
  const client = useQueryClient();
  const actorName = useActorName();
  const [state, setState] = useState<State>('pending');
  const [rejecting, setRejecting] = useState<AdjustmentRequest | null>(null);
  const [reason, setReason] = useState('');
  const [refusal, setRefusal] = useState<{ id: string; message: string } | null>(null);
  const settings = useQuery({ queryKey: ['control-settings'], queryFn: () => api.get<ControlSettings>('/v1/settings/control') });
  const reasonLabel = (code: string) => settings.data?.reasonCodes.find((r) => r.code === code)?.label ?? code;
  const list = useInfiniteQuery({
    queryKey: ['adjustment-requests', state],
    queryFn: ({ pageParam }) =>
      api.get<{ data: AdjustmentRequest[]; nextCursor: string | null }>(`/v1/adjustment-requests${query({ state, limit: 25, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const decided = () => {
    void client.invalidateQueries({ queryKey: ['adjustment-requests'] });
    void client.invalidateQueries({ queryKey: ['audit'] });
  };
  const approve = useMutation({
    mutationFn: (r: AdjustmentRequest) => api.post<AdjustmentRequest>(`/v1/adjustment-requests/${r.id}/approve`),
    onMutate: () => setRefusal(null),
    onSuccess: () => {
      notifySuccess(t('approvals.approved'));
      decided();
    },
    onError: (err, r) => setRefusal({ id: r.id, message: messageOf(err) }),
  });
  const reject = useMutation({
    mutationFn: (r: AdjustmentRequest) => api.post<AdjustmentRequest>(`/v1/adjustment-requests/${r.id}/reject`, { reason }),
    onSuccess: (_, r) => {
      notifySuccess(r.requestedBy === `staff:${me.staff.id}` ? t('approvals.withdrawn') : t('approvals.rejected'));
      setRejecting(null);
      setReason('');
      decided();
    },
  });
  const mayDecide = me.staff.role === 'owner' || me.staff.role === 'manager';
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const own = (r: AdjustmentRequest) => r.requestedBy === `staff:${me.staff.id}`;
  // The table waits for the names of whom the requests credit, of who asked (until they come, an id stands in for a
  // name) and for the reason labels, so its columns do not change width under the reader as they land (layout
  // shifts seen by the browser test on a loaded machine).
  const owners = useQueries({ queries: [...new Set(rows.map((r) => r.walletId))].map(walletOwnerQuery) });
  const actors = useAuditFacets();
  const waiting = list.isPending || settings.isPending || actors.isPending || owners.some((o) => o.isPending);

  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.approvals')}
      </Title>
      <Text c="dimmed">{t('approvals.intro')}</Text>
      <SegmentedControl
        aria-label={t('approvals.stateLabel')}
        value={state}
        onChange={(v) => setState(v as State)}
        data={(['pending', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t(`approvals.state.${s}`) }))}
        w="fit-content"
      />
      {list.isError && <ErrorAlert error={list.error} />}
      {waiting ? (
        <Skeleton h={200} />
      ) : rows.length === 0 ? (
        <Empty>{t(`approvals.empty.${state}`)}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('approvals.col.requested')}</Table.Th>
                <Table.Th>{t('approvals.col.wallet')}</Table.Th>
                <Table.Th ta="right">{t('approvals.col.points')}</Table.Th>
                <Table.Th>{t('approvals.col.reason')}</Table.Th>
                <Table.Th>{state === 'pending' ? t('approvals.col.actions') : t('approvals.col.decision')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(r.requestedAt)}</Text>
                    <Text size="xs" c="dimmed">
                      {t('approvals.by', { name: actorName(r.requestedBy) })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <WalletOwner id={r.walletId} />
                  </Table.Td>
                  <Table.Td ta="right" fw={600}>
                    {r.points > 0 ? '+' : ''}
                    {formatNumber(r.points)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{reasonLabel(r.reasonCode)}</Text>
                    {r.memo && (
                      <Text size="xs" c="dimmed">
                        {r.memo}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {state === 'pending' ? (
                      <Stack gap={6}>
                        {own(r) && (
                          <Badge color="yellow" variant="light" c="dark">
                            {t('approvals.ownRequest')}
                          </Badge>
                        )}
                        <Group gap="xs" wrap="nowrap">
                          {mayDecide && (
                            <Button
                              size="xs"
                              leftSection={<IconCheck size={14} />}
                              loading={approve.isPending && approve.variables?.id === r.id}
                              onClick={() => approve.mutate(r)}
                            >
                              {t('approvals.approve')}
                            </Button>
                          )}
                          {(mayDecide || (own(r) && canWrite(me.staff.role))) && (
                            <Button size="xs" variant="default" leftSection={<IconX size={14} />} onClick={() => setRejecting(r)}>
                              {own(r) ? t('approvals.withdraw') : t('approvals.reject')}
                            </Button>
                          )}
                        </Group>
                        {refusal?.id === r.id && (
                          <Alert color="red" role="alert" p="xs">
                            {refusal.message}
                          </Alert>
                        )}
                      </Stack>
                    ) : (
                      <>
                        <Text size="sm">{t('approvals.decidedBy', { name: actorName(r.decidedBy), at: r.decidedAt ? formatDateTime(r.decidedAt) : '' })}</Text>
                        {r.decisionReason && (
                          <Text size="xs" c="dimmed">
                            {r.decisionReason}
                          </Text>
                        )}
                      </>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.hasNextPage && (
        <Button variant="default" w="fit-content" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('common.more')}
        </Button>
      )}

      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={rejecting !== null}
        onClose={() => setRejecting(null)}
        title={rejecting && own(rejecting) ? t('approvals.withdrawTitle') : t('approvals.rejectTitle')}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (rejecting) reject.mutate(rejecting);
          }}
        >
          <Stack>
            {reject.isError && !fieldError(reject.error, 'reason') && <ErrorAlert error={reject.error} />}
            <Textarea
              label={t('approvals.reason')}
              description={t('approvals.reasonHint')}
              required
              autosize
              minRows={3}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={fieldError(reject.error, 'reason')}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRejecting(null)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" color="red" loading={reject.isPending}>
                {rejecting && own(rejecting) ? t('approvals.withdraw') : t('approvals.reject')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
