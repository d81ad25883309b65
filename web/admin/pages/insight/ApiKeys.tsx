/** API keys of the program: create one (its secret shown once, to copy), see who holds which, revoke. */
import { useState } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, MultiSelect, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCopy, IconKey, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatDate } from '../../../shared/format';
import { Empty, useActorName, useAuditFacets } from './shared';

/** The scopes a key can hold (src/programs/api-keys.ts); `partner` keys are issued with a partner, elsewhere. */
const scopes = ['read', 'events:write', 'accounts:write', 'catalog:write', 'rules:write', 'ledger:write', 'rewards:write', 'orders:write', 'claims:write', 'claims:review', 'engagement:write', 'training:write', 'admin'] as const;

interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  staffUserId: string | null;
  partnerId: string | null;
}

export function ApiKeys() {
  const { t } = useTranslation('console-insight');
  const client = useQueryClient();
  const actorName = useActorName();
  // The names of the people keys act for come from another query: wait for it, so the columns don't move when it lands.
  const names = useAuditFacets();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api.get<{ data: ApiKey[] }>('/v1/api-keys') });
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(['read']);
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const create = useMutation({
    mutationFn: () => api.post<ApiKey & { key: string }>('/v1/api-keys', { name, scopes: chosen }),
    onSuccess: (k) => {
      setCreating(false);
      setCreated(k);
      setName('');
      setChosen(['read']);
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => api.del<ApiKey>(`/v1/api-keys/${k.id}`),
    onSuccess: (k) => {
      notifySuccess(t('keys.revoked', { name: k.name }));
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: notifyError,
  });
  const rows = [...(keys.data?.data ?? [])].sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || b.createdAt.localeCompare(a.createdAt));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('keys.title')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          {t('keys.create')}
        </Button>
      </Group>
      {keys.isError && <ErrorAlert error={keys.error} />}
      {keys.isPending || names.isPending ? (
        <Skeleton h={160} />
      ) : rows.length === 0 ? (
        <Empty>{t('keys.empty')}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('keys.col.name')}</Table.Th>
                <Table.Th>{t('keys.col.scopes')}</Table.Th>
                <Table.Th>{t('keys.col.created')}</Table.Th>
                <Table.Th>{t('keys.col.status')}</Table.Th>
                <Table.Th>{t('keys.col.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {k.name}
                    </Text>
                    {k.staffUserId && (
                      <Text size="xs" c="dimmed">
                        {t('keys.person', { name: actorName(`staff:${k.staffUserId}`) })}
                      </Text>
                    )}
                    {k.partnerId && (
                      <Text size="xs" c="dimmed">
                        {t('keys.partner')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {k.scopes.map((s) => (
                        <Badge key={s} variant="light" color="gray" size="sm" tt="none" c="dark">
                          {s}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatDate(k.createdAt)}</Table.Td>
                  <Table.Td>
                    {k.revokedAt ? (
                      <Badge color="gray" variant="light" c="dark">
                        {t('keys.revokedOn', { date: formatDate(k.revokedAt) })}
                      </Badge>
                    ) : (
                      <Badge color="teal" variant="filled">
                        {t('keys.active')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!k.revokedAt && (
                      <Button size="xs" color="red" variant="light" c="red.9" onClick={() => setRevoking(k)}>
                        {t('keys.revoke')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={creating} onClose={() => setCreating(false)} title={t('keys.createTitle')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            {create.isError && !fieldError(create.error, 'name') && !fieldError(create.error, 'scopes') && <ErrorAlert error={create.error} />}
            <TextInput
              label={t('keys.name')}
              description={t('keys.nameHint')}
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(create.error, 'name')}
              data-autofocus
            />
            <MultiSelect
              label={t('keys.scopes')}
              description={t('keys.scopesHint')}
              data={scopes.map((s) => ({ value: s, label: `${s} · ${t(`keys.scope.${s.replace(':', '_')}`)}` }))}
              value={chosen}
              onChange={setChosen}
              error={fieldError(create.error, 'scopes')}
              required
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setCreating(false)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending} leftSection={<IconKey size={16} />}>
                {t('keys.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={created !== null} onClose={() => setCreated(null)} title={t('keys.createdTitle', { name: created?.name ?? '' })} closeOnClickOutside={false}>
        {created && <ShownOnce secret={created.key} label={t('keys.theKey')} warning={t('keys.onceWarning')} onDone={() => setCreated(null)} />}
      </Modal>

      <Modal
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={revoking !== null} onClose={() => setRevoking(null)} title={t('keys.revokeTitle', { name: revoking?.name ?? '' })}>
        <Stack>
          <Text>{t('keys.revokeText')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking)}>
              {t('keys.revoke')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** A secret the server shows only once: a warning, the value, a copy button. */
export function ShownOnce({ secret, label, warning, onDone }: { secret: string; label: string; warning: string; onDone: () => void }) {
  const { t } = useTranslation('console-insight');
  return (
    <Stack>
      <Alert color="orange" icon={<IconAlertTriangle size={18} />} c="dark">
        {warning}
      </Alert>
      <div>
        <Text size="sm" fw={500} id="shown-once-label">
          {label}
        </Text>
        <Code block aria-labelledby="shown-once-label" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="shown-once">
          {secret}
        </Code>
      </div>
      <Group justify="flex-end">
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'filled' : 'default'} leftSection={<IconCopy size={16} />} onClick={copy}>
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          )}
        </CopyButton>
        <Button onClick={onDone}>{t('common.done')}</Button>
      </Group>
    </Stack>
  );
}
