/** The shop's categories: the list and the form for one, with its name in every language. */
import { useState } from 'react';
import { Anchor, Button, Group, Modal, NumberInput, Skeleton, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { useStaff } from '../../session';
import { canWriteShop } from './common';
import { type Category, useCategories } from './rewardModel';

export function Categories() {
  const { t } = useTranslation('console-shop');
  const { staff } = useStaff();
  const categories = useCategories();
  const [editing, setEditing] = useState<Category | 'new' | null>(null);
  return (
    <Stack maw={960}>
      <Anchor component={Link} to=".." relative="path" size="sm">
        {t('rewards.back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('rewards.categories')}
        </Title>
        {canWriteShop(staff.role) && <Button onClick={() => setEditing('new')}>{t('rewards.newCategory')}</Button>}
      </Group>
      <ErrorAlert error={categories.error} />
      <Table.ScrollContainer minWidth={720}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('rewards.code')}</Table.Th>
              {languages.map((l) => (
                <Table.Th key={l}>{languageNames[l]}</Table.Th>
              ))}
              <Table.Th ta="right">{t('rewards.position')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('orders.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {categories.isPending && (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Skeleton h={20} />
                </Table.Td>
              </Table.Tr>
            )}
            {categories.data?.data.map((c) => (
              <Table.Tr key={c.code}>
                <Table.Td>{c.code}</Table.Td>
                {languages.map((l) => (
                  <Table.Td key={l} lang={l}>
                    {c.names[l] ?? '—'}
                  </Table.Td>
                ))}
                <Table.Td ta="right">{formatNumber(c.position)}</Table.Td>
                <Table.Td>
                  {canWriteShop(staff.role) && (
                    <Button size="compact-sm" variant="subtle" onClick={() => setEditing(c)} aria-label={t('rewards.editCategory', { name: c.name })}>
                      {t('rewards.edit')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {categories.data?.data.length === 0 && <Text c="dimmed">{t('rewards.noCategories')}</Text>}
      {editing && <CategoryForm category={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

export function CategoryForm({ category, onClose }: { category: Category | undefined; onClose: () => void }) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  const [code, setCode] = useState(category?.code ?? '');
  const [names, setNames] = useState<Partial<Record<Language, string>>>(category?.names ?? {});
  const [position, setPosition] = useState<number | string>(category?.position ?? 0);
  const save = useMutation({
    mutationFn: () =>
      api.put<Category>(`/v1/reward-categories/${encodeURIComponent(code.trim())}`, {
        names: Object.fromEntries(Object.entries(names).filter(([, v]) => v?.trim()).map(([k, v]) => [k, v!.trim()])),
        position: Number(position || 0),
      }),
    onSuccess: (c) => {
      void client.invalidateQueries({ queryKey: ['reward-categories'] });
      notifySuccess(t('rewards.categorySaved', { name: c.name }));
      onClose();
    },
    onError: (err) => (err instanceof ApiError && err.errors.length ? undefined : notifyError(err)),
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened onClose={onClose} title={category ? t('rewards.editCategory', { name: category.name }) : t('rewards.newCategory')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput label={t('rewards.code')} description={t('rewards.codeHint')} value={code} onChange={(e) => setCode(e.currentTarget.value)} disabled={!!category} required error={fieldError(save.error, 'code')} />
          {languages.map((l) => (
            <TextInput
              key={l}
              lang={l}
              label={t('rewards.nameIn', { language: languageNames[l] })}
              value={names[l] ?? ''}
              onChange={(e) => setNames({ ...names, [l]: e.currentTarget.value })}
              error={fieldError(save.error, `names.${l}`)}
            />
          ))}
          {fieldError(save.error, 'names') && (
            <Text c="red" size="sm">
              {fieldError(save.error, 'names')}
            </Text>
          )}
          <NumberInput label={t('rewards.position')} value={position} onChange={setPosition} min={0} allowDecimal={false} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.close')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('rewards.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
