/** The rewards catalogue's list, filtered and paged by the server. */
import { useState } from 'react';
import { Anchor, Badge, Button, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { useStaff } from '../../session';
import { canWriteShop, pageSize, useCursor, QueueTable, type Page } from './common';
import { type Reward, rewardTypes, useCategories } from './rewardModel';

export function RewardList() {
  const { t } = useTranslation('console-shop');
  const { staff } = useStaff();
  const categories = useCategories();
  const [category, setCategory] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [active, setActive] = useState<string>('all');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const filters = { category, type, active: active === 'all' ? undefined : active, q };
  const pager = useCursor(JSON.stringify(filters));
  const rewards = useQuery({
    queryKey: ['rewards', filters, pager.cursor],
    queryFn: () => api.get<Page<Reward>>(`/v1/rewards${query({ ...filters, limit: pageSize, cursor: pager.cursor })}`),
    placeholderData: (prev) => prev,
  });
  const categoryName = (code: string | null) => (code ? (categories.data?.data.find((c) => c.code === code)?.name ?? code) : '—');
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('rewards.title')}
        </Title>
        <Group>
          <Button component={Link} to="categories" variant="default">
            {t('rewards.categories')}
          </Button>
          {canWriteShop(staff.role) && (
            <Button component={Link} to="new">
              {t('rewards.new')}
            </Button>
          )}
        </Group>
      </Group>
      <Group align="flex-end">
        <TextInput label={t('rewards.search')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={240} />
        <Select
          label={t('rewards.category')}
          placeholder={t('rewards.all')}
          data={(categories.data?.data ?? []).map((c) => ({ value: c.code, label: c.name }))}
          value={category}
          onChange={setCategory}
          clearable
          w={200}
        />
        <Select
          label={t('rewards.type')}
          placeholder={t('rewards.all')}
          data={rewardTypes.map((v) => ({ value: v, label: t(`rewards.types.${v}`) }))}
          value={type}
          onChange={setType}
          clearable
          w={200}
        />
        <Select
          label={t('rewards.activeFilter')}
          data={[
            { value: 'all', label: t('rewards.all') },
            { value: 'true', label: t('rewards.activeOnly') },
            { value: 'false', label: t('rewards.inactiveOnly') },
          ]}
          value={active}
          onChange={(v) => setActive(v ?? 'all')}
          allowDeselect={false}
          w={180}
        />
      </Group>
      <ErrorAlert error={rewards.error} />
      <QueueTable
        minWidth={820}
        columns={[
          { label: t('rewards.name') },
          { label: t('rewards.code') },
          { label: t('rewards.type') },
          { label: t('rewards.category') },
          { label: t('rewards.price'), right: true },
          { label: t('rewards.stock'), right: true },
          { label: t('rewards.status') },
        ]}
        page={rewards}
        row={(r) => (
          <Table.Tr key={r.id}>
            <Table.Td>
              <Anchor component={Link} to={r.id}>
                {r.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{r.code}</Table.Td>
            <Table.Td>{t(`rewards.types.${r.type}`)}</Table.Td>
            <Table.Td>{categoryName(r.category)}</Table.Td>
            <Table.Td ta="right">{formatNumber(r.pricePoints)}</Table.Td>
            <Table.Td ta="right">{r.stock === null ? t('rewards.unlimited') : formatNumber(r.stock)}</Table.Td>
            <Table.Td>
              <Badge color={r.active ? 'teal' : 'gray'} variant="filled">
                {r.active ? t('rewards.active') : t('rewards.inactive')}
              </Badge>
            </Table.Td>
          </Table.Tr>
        )}
        empty={t('rewards.empty')}
        pager={pager}
      />
    </Stack>
  );
}
