/** CSV imports of accounts, members and purchase events: drop a file, watch its progress, read the lines it refused. */
import { Alert, Group, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileTypeCsv } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, notifyError, notifySuccess } from '../../../shared/feedback';
import { FileDrop } from '../../../shared/FileDrop';
import { formatDateTime, formatNumber } from '../../../shared/format';
import { canWrite, useStaff } from '../../session';
import { Figure, StateBadge } from './common';

type Kind = 'accounts' | 'members' | 'events';

interface Job {
  id: string;
  kind: Kind;
  fileName: string | null;
  state: 'running' | 'finished' | 'failed';
  total: number;
  done: number;
  created: number;
  updated: number;
  replayed: number;
  failed: number;
  errors: Array<{ line: number; code: string; message: string }>;
  errorCount: number;
  failure: { code: string; message: string } | null;
  createdAt: string;
}

const columns: Record<Kind, string> = {
  accounts: 'external_id, name, legal_name, org_number, vat_number, country, segment, tags, parent_external_id, status, key_account_manager',
  members: 'external_id, account_external_id, name, email, phone, role, language, tags, status',
  events: 'id, type, occurred_at, account, member, sku, quantity, amount, original_id',
};

export default function Imports() {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>('accounts');
  const [jobId, setJobId] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return api.upload<Job>(`/v1/imports?kind=${kind}`, form);
    },
    onSuccess: (job) => {
      setJobId(job.id);
      client.setQueryData(['import', job.id], job);
    },
    onError: notifyError,
  });
  const job = useQuery({
    queryKey: ['import', jobId],
    enabled: !!jobId,
    queryFn: async () => {
      const j = await api.get<Job>(`/v1/imports/${jobId}`);
      if (j.state !== 'running') {
        void client.invalidateQueries({ queryKey: ['imports'] });
        if (j.state === 'finished') notifySuccess(t('imports.finishedNote'));
      }
      return j;
    },
    // Poll while the import runs; stop once it has ended.
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 500 : false),
  });
  const recent = useQuery({ queryKey: ['imports'], queryFn: () => api.get<{ data: Job[] }>('/v1/imports?limit=10') });
  const writable = canWrite(staff.role);
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.imports')}
      </Title>
      {writable && (
        <Stack gap="sm" maw={860}>
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as Kind)}
            data={(['accounts', 'members', 'events'] as const).map((k) => ({ value: k, label: t(`imports.kinds.${k}`) }))}
            aria-label={t('imports.kind')}
          />
          <Text size="sm">
            {t('imports.columns')} <code>{columns[kind]}</code>
          </Text>
          <FileDrop
            onDrop={(file) => upload.mutate(file)}
            onReject={() => notifications.show({ color: 'red', message: t('imports.rejected'), closeButtonProps: { 'aria-label': t('web:close') } })}
            accept={['.csv', '.txt', 'text/csv', 'text/plain', 'application/vnd.ms-excel']}
            maxSize={20 * 1024 * 1024}
            loading={upload.isPending}
            label={t('imports.drop')}
            name="file"
          >
            <Group justify="center" gap="md" mih={120} style={{ pointerEvents: 'none' }}>
              <IconFileTypeCsv size={40} stroke={1.5} aria-hidden />
              <div>
                <Text size="lg">{t('imports.drop')}</Text>
                <Text size="sm" c="dimmed">
                  {t('imports.dropHint')}
                </Text>
              </div>
            </Group>
          </FileDrop>
        </Stack>
      )}
      {job.data && <JobView job={job.data} />}
      {job.isError && <ErrorAlert error={job.error} />}
      <Title order={2} size="h3">
        {t('imports.recent')}
      </Title>
      {recent.data && recent.data.data.length > 0 ? (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label={t('imports.recent')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.when')}</Table.Th>
                <Table.Th>{t('imports.kind')}</Table.Th>
                <Table.Th>{t('imports.file')}</Table.Th>
                <Table.Th>{t('imports.rows')}</Table.Th>
                <Table.Th>{t('fields.status')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {recent.data.data.map((j) => (
                <Table.Tr key={j.id} onClick={() => setJobId(j.id)} style={{ cursor: 'pointer' }}>
                  <Table.Td>{formatDateTime(j.createdAt)}</Table.Td>
                  <Table.Td>{t(`imports.kinds.${j.kind}`)}</Table.Td>
                  <Table.Td>{j.fileName ?? '—'}</Table.Td>
                  <Table.Td>
                    {formatNumber(j.done)} / {formatNumber(j.total)}
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={j.state} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : (
        <Text c="dimmed">{t('web:none')}</Text>
      )}
    </Stack>
  );
}

function JobView({ job }: { job: Job }) {
  const { t } = useTranslation('console-people');
  const percent = job.total ? Math.round((job.done / job.total) * 100) : job.state === 'running' ? 0 : 100;
  return (
    <Stack gap="sm" maw={860} component="section" aria-labelledby="job-title">
      <Group justify="space-between">
        <Title order={2} size="h3" id="job-title">
          {t('imports.job', { file: job.fileName ?? t(`imports.kinds.${job.kind}`) })}
        </Title>
        <StateBadge state={job.state} />
      </Group>
      <Progress.Root size="xl">
        <Progress.Section aria-label={t('imports.progress')} value={percent} color={job.state === 'failed' ? 'red' : 'teal'} animated={job.state === 'running'}>
          <Progress.Label>{`${percent} %`}</Progress.Label>
        </Progress.Section>
      </Progress.Root>
      <Text size="sm" role="status" data-testid="import-progress">
        {t('imports.progressText', { done: formatNumber(job.done), total: formatNumber(job.total) })}
      </Text>
      {job.failure && (
        <Alert color="red" title={t('imports.failed')} role="alert">
          {job.failure.message}
        </Alert>
      )}
      {job.state === 'finished' && (
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Figure label={t('imports.created')} value={formatNumber(job.created)} />
          <Figure label={job.kind === 'events' ? t('imports.replayed') : t('imports.updated')} value={formatNumber(job.kind === 'events' ? job.replayed : job.updated)} />
          <Figure label={t('imports.failedRows')} value={formatNumber(job.failed)} />
          <Figure label={t('imports.problems')} value={formatNumber(job.errorCount)} />
        </SimpleGrid>
      )}
      {job.errors.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label={t('imports.errors')} striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.line')}</Table.Th>
                <Table.Th>{t('imports.problem')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {job.errors.map((e, i) => (
                <Table.Tr key={`${e.line}-${i}`}>
                  <Table.Td>{e.line}</Table.Td>
                  <Table.Td>
                    <code>{e.code}</code> {e.message}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
