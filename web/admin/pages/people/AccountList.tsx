/** The accounts (and members) of the program, searched and filtered on the server. */
import { Anchor, Button, CloseButton, Group, Select, Stack, Table, Tabs, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, query } from '../../../shared/api';
import { PagedTable, StateBadge, usePaged } from './common';

interface Account {
  id: string;
  externalId: string | null;
  name: string;
  segment: string | null;
  tier: string | null;
  status: string;
  country: string | null;
  parentId: string | null;
}

interface Member {
  id: string;
  accountId: string;
  externalId: string | null;
  name: string;
  email: string | null;
  role: string | null;
  status: string;
  tier: string | null;
}

interface TierConfig {
  levels: Array<{ code: string; names: Record<string, string> }>;
}

/** Tier codes for the filter; a program without a ladder has none (the filter is then left out). */
export function useTierLevels() {
  return useQuery({
    queryKey: ['tiers'],
    queryFn: async () => {
      try {
        return (await api.get<TierConfig>('/v1/tiers')).levels;
      } catch {
        return [];
      }
    },
  });
}

export default function AccountList() {
  const { t, i18n } = useTranslation('console-people');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'members' ? 'members' : 'accounts';
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const tiers = useTierLevels();
  const tierOptions = (tiers.data ?? []).map((l) => ({ value: l.code, label: l.names[i18n.resolvedLanguage ?? 'en'] ?? l.code }));
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.accounts')}
      </Title>
      <Tabs value={tab} onChange={(v) => set('tab', v === 'members' ? 'members' : null)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="accounts">{t('accounts.tab')}</Tabs.Tab>
          <Tabs.Tab value="members">{t('members.tab')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="accounts" pt="md">
          <Accounts params={params} set={set} tierOptions={tierOptions} />
        </Tabs.Panel>
        <Tabs.Panel value="members" pt="md">
          <Members params={params} set={set} tierOptions={tierOptions} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

interface ListProps {
  params: URLSearchParams;
  set: (key: string, value: string | null) => void;
  tierOptions: Array<{ value: string; label: string }>;
}

function Filters({ params, set, tierOptions, statuses }: ListProps & { statuses: string[] }) {
  const { t } = useTranslation('console-people');
  return (
    <>
      <Select
        label={t('filters.status')}
        placeholder={t('filters.any')}
        data={statuses.map((s) => ({ value: s, label: t(`states.${s}`) }))}
        value={params.get('status')}
        onChange={(v) => set('status', v)}
        clearable
        w={170}
      />
      {tierOptions.length > 0 && (
        <Select
          label={t('filters.tier')}
          placeholder={t('filters.any')}
          data={tierOptions}
          value={params.get('tier')}
          onChange={(v) => set('tier', v)}
          clearable
          w={170}
        />
      )}
    </>
  );
}

/** The search box keeps its own text and tells the URL a moment after typing stops. */
function SearchBox({ value, onChange, label }: { value: string; onChange: (v: string) => void; label: string }) {
  return (
    <TextInput
      label={label}
      type="search"
      defaultValue={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      style={{ flex: 1, minWidth: 220 }}
    />
  );
}

function useDebouncedSearch(params: URLSearchParams, set: ListProps['set']) {
  const q = params.get('q') ?? '';
  return { q, onChange: (v: string) => set('q', v.trim() || null) };
}

function Accounts({ params, set, tierOptions }: ListProps) {
  const { t } = useTranslation('console-people');
  const { q, onChange } = useDebouncedSearch(params, set);
  const [debounced] = useDebouncedValue(q, 250);
  const parentId = params.get('parentId');
  const parent = useQuery({
    queryKey: ['account', parentId],
    enabled: !!parentId,
    queryFn: () => api.get<Account>(`/v1/accounts/${parentId}`),
  });
  const filters = { q: debounced, status: params.get('status'), tier: params.get('tier'), segment: params.get('segment'), parentId };
  const list = usePaged<Account>(['accounts', filters], `/v1/accounts${query(filters)}`);
  return (
    <Stack>
      <Group align="end" wrap="wrap">
        <SearchBox label={t('accounts.search')} value={q} onChange={onChange} />
        <TextInput
          label={t('filters.segment')}
          defaultValue={params.get('segment') ?? ''}
          onBlur={(e) => set('segment', e.currentTarget.value.trim() || null)}
          onKeyDown={(e) => e.key === 'Enter' && set('segment', e.currentTarget.value.trim() || null)}
          w={170}
        />
        <Filters params={params} set={set} tierOptions={tierOptions} statuses={['active', 'invited', 'suspended', 'closed']} />
      </Group>
      {parentId && (
        <Group gap="xs">
          <Button variant="light" size="compact-sm" component="span">
            {t('filters.branchesOf', { name: parent.data?.name ?? '…' })}
          </Button>
          <CloseButton aria-label={t('filters.clearParent')} onClick={() => set('parentId', null)} />
        </Group>
      )}
      <PagedTable
        query={list}
        caption={t('accounts.tab')}
        head={[t('fields.name'), t('fields.externalId'), t('fields.segment'), t('fields.tier'), t('fields.status')]}
        row={(a) => (
          <Table.Tr key={a.id}>
            <Table.Td>
              <Anchor component={Link} to={`/accounts/${a.id}`}>
                {a.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{a.externalId ?? '—'}</Table.Td>
            <Table.Td>{a.segment ?? '—'}</Table.Td>
            <Table.Td>{a.tier ?? '—'}</Table.Td>
            <Table.Td>
              <StateBadge state={a.status} />
            </Table.Td>
          </Table.Tr>
        )}
        empty={t('accounts.none')}
      />
    </Stack>
  );
}

function Members({ params, set, tierOptions }: ListProps) {
  const { t } = useTranslation('console-people');
  const { q, onChange } = useDebouncedSearch(params, set);
  const [debounced] = useDebouncedValue(q, 250);
  const filters = { q: debounced, status: params.get('status'), tier: params.get('tier') };
  const list = usePaged<Member>(['members', filters], `/v1/members${query(filters)}`);
  return (
    <Stack>
      <Group align="end" wrap="wrap">
        <SearchBox label={t('members.search')} value={q} onChange={onChange} />
        <Filters params={params} set={set} tierOptions={tierOptions} statuses={['active', 'invited', 'pending', 'suspended', 'closed']} />
      </Group>
      <PagedTable
        query={list}
        caption={t('members.tab')}
        head={[t('fields.name'), t('fields.email'), t('fields.role'), t('fields.tier'), t('fields.status')]}
        row={(m) => (
          <Table.Tr key={m.id}>
            <Table.Td>
              <Anchor component={Link} to={`/accounts/members/${m.id}`}>
                {m.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{m.email ?? '—'}</Table.Td>
            <Table.Td>{m.role ?? '—'}</Table.Td>
            <Table.Td>{m.tier ?? '—'}</Table.Td>
            <Table.Td>
              <StateBadge state={m.status} />
            </Table.Td>
          </Table.Tr>
        )}
        empty={t('members.none')}
      />
    </Stack>
  );
}
