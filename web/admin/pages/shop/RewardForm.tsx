/** One reward's editor: its texts in every language, its kind's own fields, stock and who may order it. */
import { useState } from 'react';
import { Alert, Anchor, Button, Card, Group, Image, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Tabs, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import { useStaff } from '../../session';
import { canWriteShop } from './common';
import { CodeImport } from './RewardCodeImport';
import { StockAdjust } from './RewardStockAdjust';
import { TypeFields } from './RewardTypeFields';
import { type Draft, bodyOf, draftOf } from './rewardDraft';
import { type Reward, type RewardType, periods, rewardTypes, useCategories } from './rewardModel';

export function RewardEditor() {
  const { id } = useParams();
  const reward = useQuery({ queryKey: ['reward', id], queryFn: () => api.get<Reward>(`/v1/rewards/${id}`), enabled: !!id });
  if (id && reward.isPending) return <Loading />;
  if (reward.isError) return <ErrorAlert error={reward.error} />;
  // Keyed by the reward's version, so a saved reward's answer refills the form.
  return <RewardForm key={reward.data ? `${reward.data.id}` : 'new'} reward={reward.data} />;
}

export function RewardForm({ reward }: { reward: Reward | undefined }) {
  const { t } = useTranslation('console-shop');
  const { staff, program } = useStaff();
  const navigate = useNavigate();
  const client = useQueryClient();
  const categories = useCategories();
  const creating = !reward;
  const [d, setD] = useState<Draft>(() => draftOf(reward, program.currency));
  const [lng, setLng] = useState<Language>(program.defaultLanguage as Language);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const setText = (l: Language, k: 'name' | 'description', v: string) => setD((prev) => ({ ...prev, texts: { ...prev.texts, [l]: { ...prev.texts[l], [k]: v } } }));
  const pool = (reward?.codeSource ?? (d.type === 'code' ? d.codeSource : null)) === 'pool';
  const save = useMutation({
    mutationFn: () => {
      const body = bodyOf(d, creating, program.currency, pool);
      return creating ? api.post<Reward>('/v1/rewards', body) : api.patch<Reward>(`/v1/rewards/${reward.id}`, body);
    },
    onSuccess: (r) => {
      client.setQueryData(['reward', r.id], r);
      void client.invalidateQueries({ queryKey: ['rewards'] });
      notifySuccess(creating ? t('rewards.created', { name: r.name }) : t('rewards.saved', { name: r.name }));
      if (creating) navigate(`../${r.id}`, { relative: 'path', replace: true });
    },
    onError: (err) => {
      if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
    },
  });
  const err = save.error;
  const fe = (field: string) => fieldError(err, field);
  const write = canWriteShop(staff.role);
  const textErrors = languages.filter((l) => fe(`texts.${l}.name`) || fe(`texts.${l}.description`));
  return (
    <Stack maw={960}>
      <Anchor component={Link} to=".." relative="path" size="sm">
        {t('rewards.back')}
      </Anchor>
      <Title order={1} size="h2">
        {creating ? t('rewards.new') : t('rewards.editTitle', { name: reward.name })}
      </Title>
      {err instanceof ApiError && err.errors.length > 0 && (
        <Alert variant="outline" color="red" title={t('rewards.fixErrors')}>
          {err.detail}
        </Alert>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.basics')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput label={t('rewards.code')} description={t('rewards.codeHint')} value={d.code} onChange={(e) => set('code', e.currentTarget.value)} disabled={!creating} required error={fe('code')} />
              <Select
                label={t('rewards.type')}
                data={rewardTypes.map((v) => ({ value: v, label: t(`rewards.types.${v}`) }))}
                value={d.type}
                onChange={(v) => v && set('type', v as RewardType)}
                disabled={!creating}
                allowDeselect={false}
                error={fe('type')}
              />
              <Select
                label={t('rewards.category')}
                placeholder={t('rewards.noCategory')}
                data={(categories.data?.data ?? []).map((c) => ({ value: c.code, label: c.name }))}
                value={d.category}
                onChange={(v) => set('category', v)}
                clearable
                error={fe('category')}
              />
              <NumberInput label={t('rewards.price')} value={d.pricePoints} onChange={(v) => set('pricePoints', v)} min={1} allowDecimal={false} thousandSeparator=" " required error={fe('pricePoints')} />
              <Switch label={t('rewards.activeSwitch')} checked={d.active} onChange={(e) => set('active', e.currentTarget.checked)} mt="xl" />
            </SimpleGrid>
          </Card>

          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.texts')}
            </Title>
            {textErrors.length > 0 && (
              <Text c="red" size="sm" mb="xs">
                {t('rewards.textErrorsIn', { languages: textErrors.map((l) => languageNames[l]).join(', ') })}
              </Text>
            )}
            {fe('texts') && (
              <Text c="red" size="sm" mb="xs">
                {fe('texts')}
              </Text>
            )}
            <Tabs value={lng} onChange={(v) => v && setLng(v as Language)}>
              <Tabs.List>
                {languages.map((l) => (
                  <Tabs.Tab key={l} value={l} lang={l}>
                    {languageNames[l]}
                    {d.texts[l].name.trim() === '' ? ' ·' : ''}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              {languages.map((l) => (
                <Tabs.Panel key={l} value={l} pt="sm">
                  <Stack>
                    <TextInput
                      lang={l}
                      label={t('rewards.nameIn', { language: languageNames[l] })}
                      value={d.texts[l].name}
                      onChange={(e) => setText(l, 'name', e.currentTarget.value)}
                      maxLength={120}
                      error={fe(`texts.${l}.name`)}
                    />
                    <Textarea
                      lang={l}
                      label={t('rewards.descriptionIn', { language: languageNames[l] })}
                      value={d.texts[l].description}
                      onChange={(e) => setText(l, 'description', e.currentTarget.value)}
                      autosize
                      minRows={3}
                      maxLength={2000}
                      error={fe(`texts.${l}.description`)}
                    />
                  </Stack>
                </Tabs.Panel>
              ))}
            </Tabs>
          </Card>

          <TypeFields d={d} set={set} fe={fe} creating={creating} currency={program.currency} />

          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.stockTitle')}
            </Title>
            {pool ? (
              <Text>{reward ? t('rewards.poolStock', { count: reward.stock ?? 0 }) : t('rewards.poolStockNew')}</Text>
            ) : (
              <Group align="flex-end">
                <SegmentedControl
                  aria-label={t('rewards.stock')}
                  value={d.unlimited ? 'unlimited' : 'count'}
                  onChange={(v) => set('unlimited', v === 'unlimited')}
                  data={[
                    { value: 'unlimited', label: t('rewards.unlimited') },
                    { value: 'count', label: t('rewards.counted') },
                  ]}
                />
                {!d.unlimited && (
                  <NumberInput label={t('rewards.stockCount')} value={d.stock} onChange={(v) => set('stock', v)} min={0} allowDecimal={false} w={160} error={fe('stock')} />
                )}
              </Group>
            )}
          </Card>

          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.images')}
            </Title>
            <Textarea label={t('rewards.imageUrls')} description={t('rewards.imageHint')} value={d.images} onChange={(e) => set('images', e.currentTarget.value)} autosize minRows={2} error={fe('images')} />
            <Group mt="xs">
              {d.images
                .split(/\s+/)
                .filter((u) => /^(https?:\/\/|\/)\S+$/.test(u))
                .map((u, i) => (
                  <Image key={u} src={u} alt={t('rewards.imageAlt', { n: i + 1 })} h={80} w={80} fit="cover" radius="sm" bg="gray.1" />
                ))}
            </Group>
          </Card>

          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.eligibility')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('rewards.minTier')} description={t('rewards.minTierHint')} value={d.minTier} onChange={(e) => set('minTier', e.currentTarget.value)} error={fe('eligibility.minTier')} />
              <TagsInput label={t('rewards.tierTags')} description={t('rewards.listHint')} value={d.tierTags} onChange={(v) => set('tierTags', v)} error={fe('eligibility.tierTags')} />
              <TagsInput label={t('rewards.roles')} description={t('rewards.listHint')} value={d.roles} onChange={(v) => set('roles', v)} error={fe('eligibility.roles')} />
              <TagsInput label={t('rewards.countries')} description={t('rewards.countriesHint')} value={d.countries} onChange={(v) => set('countries', v)} error={fe('eligibility.countries')} />
              <TagsInput label={t('rewards.segments')} description={t('rewards.listHint')} value={d.segments} onChange={(v) => set('segments', v)} error={fe('eligibility.segments')} />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
              <TextInput type="datetime-local" label={t('rewards.validFrom')} value={d.validFrom} onChange={(e) => set('validFrom', e.currentTarget.value)} error={fe('validFrom')} />
              <TextInput type="datetime-local" label={t('rewards.validUntil')} value={d.validUntil} onChange={(e) => set('validUntil', e.currentTarget.value)} error={fe('validUntil')} />
            </SimpleGrid>
          </Card>

          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('rewards.limits')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput label={t('rewards.perMember')} description={t('rewards.noLimitHint')} value={d.perMember} onChange={(v) => set('perMember', v)} min={1} allowDecimal={false} error={fe('limits.perMember')} />
              <NumberInput label={t('rewards.perAccount')} description={t('rewards.noLimitHint')} value={d.perAccount} onChange={(v) => set('perAccount', v)} min={1} allowDecimal={false} error={fe('limits.perAccount')} />
              <Select
                label={t('rewards.period')}
                data={periods.map((p) => ({ value: p, label: t(`rewards.periods.${p}`) }))}
                value={d.period}
                onChange={(v) => v && set('period', v as Draft['period'])}
                allowDeselect={false}
              />
            </SimpleGrid>
          </Card>

          {write && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>
                {creating ? t('rewards.create') : t('rewards.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
      {reward && write && pool && <CodeImport reward={reward} />}
      {reward && write && !pool && reward.stock !== null && <StockAdjust reward={reward} />}
    </Stack>
  );
}
