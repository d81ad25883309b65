/**
 * The instance's programs, for an instance administrator: the ones this person works in (switch to any), and
 * a form for a new one, which they own as soon as it exists (POST /v1/programs).
 */
import { Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { languageNames, languages } from '../../../shared/i18n';
import { fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { sessionKey, useStaff, useSwitchProgram } from '../../session';

interface CreatedProgram {
  id: string;
  name: string;
}

export default function Programs() {
  const { t } = useTranslation('console');
  const me = useStaff();
  const client = useQueryClient();
  const switchTo = useSwitchProgram();
  const [form, setForm] = useState({ name: '', currency: me.program.currency, defaultLanguage: me.program.defaultLanguage, timeZone: 'Europe/Stockholm', pointsName: '' });
  const create = useMutation({
    mutationFn: () =>
      api.post<CreatedProgram>('/v1/programs', {
        name: form.name,
        currency: form.currency.trim().toUpperCase(),
        defaultLanguage: form.defaultLanguage,
        timeZone: form.timeZone.trim(),
        ...(form.pointsName.trim() && { pointsName: form.pointsName.trim() }),
      }),
    onSuccess: (p) => {
      notifySuccess(t('programs.created', { name: p.name }));
      setForm((f) => ({ ...f, name: '', pointsName: '' }));
      void client.invalidateQueries({ queryKey: sessionKey });
    },
    onError: notifyError,
  });
  const err = (field: string) => fieldError(create.error, `body.${field}`);
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.programs')}
      </Title>
      <Text c="dimmed">{t('programs.intro')}</Text>
      <Table striped>
        <Table.Caption>{t('programs.yours')}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('programs.name')}</Table.Th>
            <Table.Th>{t('programs.role')}</Table.Th>
            <Table.Th>{t('programs.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {me.programs.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.name}</Table.Td>
              <Table.Td>{t(`roles.${p.role}`, { defaultValue: p.role })}</Table.Td>
              <Table.Td>
                {p.id === me.program.id ? (
                  <Text size="sm" fw={600}>{t('programs.current')}</Text>
                ) : (
                  <Button size="xs" variant="default" loading={switchTo.isPending} onClick={() => switchTo.mutate(p.id)}>
                    {t('programs.switch')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Card withBorder component="form" onSubmit={(e: React.FormEvent) => (e.preventDefault(), create.mutate())} maw={560}>
        <Stack>
          <Title order={2} size="h4">
            {t('programs.new')}
          </Title>
          <TextInput label={t('programs.name')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={err('name')} />
          <Group grow align="flex-start">
            <TextInput label={t('programs.currency')} description={t('programs.currencyHint')} required maxLength={3} value={form.currency} onChange={(e) => setForm({ ...form, currency: e.currentTarget.value })} error={err('currency')} />
            <Select
              label={t('programs.language')}
              data={languages.map((l) => ({ value: l, label: languageNames[l] }))}
              value={form.defaultLanguage}
              onChange={(v) => v && setForm({ ...form, defaultLanguage: v })}
              allowDeselect={false}
              error={err('defaultLanguage')}
            />
          </Group>
          <TextInput label={t('programs.timeZone')} description={t('programs.timeZoneHint')} value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.currentTarget.value })} error={err('timeZone')} />
          <TextInput label={t('programs.pointsName')} placeholder={t('programs.pointsNameHint')} value={form.pointsName} onChange={(e) => setForm({ ...form, pointsName: e.currentTarget.value })} error={err('pointsName')} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              {t('programs.create')}
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
