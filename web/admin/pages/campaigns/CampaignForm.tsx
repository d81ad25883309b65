/**
 * Planning a campaign: name, the days it runs, the segments it reaches, what it adds to a purchase, its budget and
 * the share held out to measure it. The server checks everything (a negative budget, an end before the start)
 * and its message appears here.
 */
import { useState } from 'react';
import { ActionIcon, Anchor, Button, Card, Group, MultiSelect, NumberInput, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { moneyError, parseMoney } from '../../../shared/format';
import { useStaff } from '../../session';
import { endAfterDay, startOfDay, type Campaign, type Effect } from './model';

interface EffectRow { type: Effect['type']; factor: number | string; category: string; brand: string; points: number | string; per: string }

const newRow = (): EffectRow => ({ type: 'multiplier', factor: 2, category: '', brand: '', points: 10, per: '100' });

function effectOf(row: EffectRow, currency: string): Effect {
  if (row.type === 'multiplier') return { type: 'multiplier', factor: Number(row.factor) };
  if (row.type === 'fixed') return { type: 'fixed', points: Number(row.points) };
  return {
    type: 'lineBonus',
    ...(row.category.trim() && { category: row.category.trim() }),
    ...(row.brand.trim() && { brand: row.brand.trim() }),
    points: Number(row.points),
    per: parseMoney(row.per, currency) ?? Number.NaN,
  };
}

export function CampaignForm() {
  const { t } = useTranslation('console-campaigns');
  const { program } = useStaff();
  const navigate = useNavigate();
  const client = useQueryClient();
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<{ data: Array<{ key: string; name: string }> }>('/v1/segments') });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [firstDay, setFirstDay] = useState('');
  const [lastDay, setLastDay] = useState('');
  const [segmentKeys, setSegmentKeys] = useState<string[]>([]);
  const [rows, setRows] = useState<EffectRow[]>([newRow()]);
  const [budget, setBudget] = useState<number | string>(10_000);
  const [control, setControl] = useState<number | string>(10);
  const update = (i: number, patch: Partial<EffectRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = useMutation({
    mutationFn: () =>
      api.post<Campaign>('/v1/campaigns', {
        name,
        description: description.trim() || null,
        segmentKeys,
        startsAt: firstDay ? startOfDay(firstDay) : '',
        endsAt: lastDay ? endAfterDay(lastDay) : '',
        effects: rows.map((r) => effectOf(r, program.currency)),
        budgetPoints: Number(budget),
        controlPercent: Number(control),
      }),
    onSuccess: (c) => {
      notifySuccess(t('form.saved', { name: c.name }));
      void client.invalidateQueries({ queryKey: ['campaigns'] });
      void navigate(`../${c.id}`);
    },
  });
  const fe = (f: string) => fieldError(save.error, f);

  return (
    <Stack maw={900}>
      <Anchor component={Link} to="..">
        {t('back')}
      </Anchor>
      <Title order={2}>{t('form.title')}</Title>
      <Card withBorder>
        <Stack>
          <TextInput label={t('form.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fe('name')} />
          <Textarea label={t('form.description')} autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Group grow>
            <TextInput type="date" label={t('form.firstDay')} required value={firstDay} onChange={(e) => setFirstDay(e.currentTarget.value)} error={fe('startsAt')} />
            <TextInput type="date" label={t('form.lastDay')} required value={lastDay} onChange={(e) => setLastDay(e.currentTarget.value)} error={fe('endsAt')} />
          </Group>
          <MultiSelect
            label={t('form.segments')}
            description={t('form.segmentsHint')}
            searchable
            data={(segments.data?.data ?? []).map((s) => ({ value: s.key, label: `${s.name} (${s.key})` }))}
            value={segmentKeys}
            onChange={setSegmentKeys}
          />
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Title order={3} size="h4">
            {t('form.effects')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('form.effectsHint')}
          </Text>
          {rows.map((row, i) => (
            <Group key={i} align="end" gap="xs" wrap="wrap">
              <Select
                label={t('form.effectType', { n: i + 1 })}
                w={220}
                allowDeselect={false}
                value={row.type}
                data={(['multiplier', 'lineBonus', 'fixed'] as const).map((v) => ({ value: v, label: t(`effect.${v}`) }))}
                onChange={(v) => v && update(i, { type: v as Effect['type'] })}
              />
              {row.type === 'multiplier' && (
                <NumberInput label={t('form.factor')} description={t('form.factorHint')} w={160} min={1.01} max={10} step={0.5} decimalScale={2} value={row.factor} onChange={(v) => update(i, { factor: v })} error={fe(`effects.${i}.factor`)} />
              )}
              {row.type === 'lineBonus' && (
                <>
                  <TextInput label={t('form.category')} w={140} value={row.category} onChange={(e) => update(i, { category: e.currentTarget.value })} />
                  <TextInput label={t('form.brand')} w={140} value={row.brand} onChange={(e) => update(i, { brand: e.currentTarget.value })} />
                  <NumberInput label={t('form.points')} w={110} min={1} allowDecimal={false} value={row.points} onChange={(v) => update(i, { points: v })} error={fe(`effects.${i}.points`)} />
                  <TextInput label={t('form.per', { currency: program.currency })} w={140} value={row.per} onChange={(e) => update(i, { per: e.currentTarget.value })} error={(row.per.trim() ? moneyError(row.per, program.currency) : undefined) ?? fe(`effects.${i}.per`) ?? fe(`effects.${i}`)} />
                </>
              )}
              {row.type === 'fixed' && <NumberInput label={t('form.points')} w={120} min={1} allowDecimal={false} value={row.points} onChange={(v) => update(i, { points: v })} error={fe(`effects.${i}.points`)} />}
              <ActionIcon variant="subtle" color="red" size="lg" aria-label={t('form.removeEffect', { n: i + 1 })} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                <IconTrash size={18} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => setRows((rs) => [...rs, newRow()])}>
              {t('form.addEffect')}
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder>
        <Group grow align="start">
          <NumberInput label={t('form.budget')} description={t('form.budgetHint')} allowDecimal={false} thousandSeparator=" " value={budget} onChange={setBudget} error={fe('budgetPoints')} />
          <NumberInput label={t('form.control')} description={t('form.controlHint')} min={0} max={50} allowDecimal={false} suffix=" %" value={control} onChange={setControl} error={fe('controlPercent')} />
        </Group>
      </Card>
      <ErrorAlert error={save.error} />
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!name.trim() || !firstDay || !lastDay}>
          {t('form.save')}
        </Button>
      </Group>
    </Stack>
  );
}
