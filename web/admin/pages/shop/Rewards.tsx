/**
 * The rewards catalogue: the list (filtered and paged by the server), one reward's editor with its texts in
 * every language, its kind's own fields, stock and who may order it; and the shop's categories.
 */
import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Image,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Tabs,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, ApiError, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatMoney, formatNumber, parseMoney } from '../../../shared/format';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import { useStaff } from '../../session';
import { canWriteShop, pageSize, useCursor, QueueTable, type Page } from './common';

const rewardTypes = ['physical', 'experience', 'code', 'charity', 'cashback', 'content'] as const;
type RewardType = (typeof rewardTypes)[number];
const periods = ['day', 'week', 'month', 'quarter', 'year', 'lifetime'] as const;

interface Reward {
  id: string;
  code: string;
  type: RewardType;
  category: string | null;
  name: string;
  texts: Partial<Record<Language, { name: string; description: string }>>;
  images: string[];
  pricePoints: number;
  stock: number | null;
  active: boolean;
  validFrom: string | null;
  validUntil: string | null;
  eligibility: { minTier: string | null; tierTags: string[]; segments: string[]; roles: string[]; countries: string[] };
  limits: { perMember: number | null; perAccount: number | null; period: (typeof periods)[number] };
  codeSource: 'pool' | 'generated' | null;
  cashValueMinor: number | null;
  eventAt: string | null;
}

interface Category {
  code: string;
  name: string;
  names: Partial<Record<Language, string>>;
  position: number;
}

const useCategories = () => useQuery({ queryKey: ['reward-categories'], queryFn: () => api.get<{ data: Category[] }>('/v1/reward-categories') });

export default function Rewards() {
  return (
    <Routes>
      <Route index element={<RewardList />} />
      <Route path="categories" element={<Categories />} />
      <Route path="new" element={<RewardEditor />} />
      <Route path=":id" element={<RewardEditor />} />
    </Routes>
  );
}

function RewardList() {
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

/** The form's state: texts per language, numbers as typed, lists as lists. */
interface Draft {
  code: string;
  type: RewardType;
  codeSource: 'pool' | 'generated';
  category: string | null;
  texts: Record<Language, { name: string; description: string }>;
  images: string;
  pricePoints: number | string;
  unlimited: boolean;
  stock: number | string;
  active: boolean;
  validFrom: string;
  validUntil: string;
  minTier: string;
  tierTags: string[];
  segments: string[];
  roles: string[];
  countries: string[];
  perMember: number | string;
  perAccount: number | string;
  period: (typeof periods)[number];
  cashValue: string;
  eventAt: string;
}

/** An instant as the datetime-local input shows it, in the browser's time zone. */
const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string): string | null => (v ? new Date(v).toISOString() : null);
const numberOrNull = (v: number | string): number | null => (v === '' || v === null ? null : Number(v));

function draftOf(r: Reward | undefined, currency: string): Draft {
  const empty = { name: '', description: '' };
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return {
    code: r?.code ?? '',
    type: r?.type ?? 'physical',
    codeSource: r?.codeSource ?? 'pool',
    category: r?.category ?? null,
    texts: Object.fromEntries(languages.map((l) => [l, { ...empty, ...r?.texts[l] }])) as Draft['texts'],
    images: (r?.images ?? []).join('\n'),
    pricePoints: r?.pricePoints ?? '',
    unlimited: r ? r.stock === null : true,
    stock: r?.stock ?? 0,
    active: r?.active ?? true,
    validFrom: toLocalInput(r?.validFrom ?? null),
    validUntil: toLocalInput(r?.validUntil ?? null),
    minTier: r?.eligibility.minTier ?? '',
    tierTags: r?.eligibility.tierTags ?? [],
    segments: r?.eligibility.segments ?? [],
    roles: r?.eligibility.roles ?? [],
    countries: r?.eligibility.countries ?? [],
    perMember: r?.limits.perMember ?? '',
    perAccount: r?.limits.perAccount ?? '',
    period: r?.limits.period ?? 'lifetime',
    cashValue: r?.cashValueMinor != null ? (r.cashValueMinor / 10 ** digits).toFixed(digits) : '',
    eventAt: toLocalInput(r?.eventAt ?? null),
  };
}

function bodyOf(d: Draft, creating: boolean, currency: string, pool: boolean): Record<string, unknown> {
  const texts = Object.fromEntries(
    languages.filter((l) => d.texts[l].name.trim() !== '').map((l) => [l, { name: d.texts[l].name.trim(), description: d.texts[l].description.trim() }]),
  );
  const cash = d.cashValue.trim() === '' ? null : (parseMoney(d.cashValue, currency) ?? Number.NaN);
  return {
    ...(creating && { code: d.code.trim(), type: d.type, ...(d.type === 'code' && { codeSource: d.codeSource }) }),
    category: d.category,
    texts,
    images: d.images.split(/\s+/).filter(Boolean),
    pricePoints: d.pricePoints === '' ? undefined : Number(d.pricePoints),
    // A pool's stock is the codes in it: it grows by importing, never by typing.
    ...(!pool && { stock: d.unlimited ? null : Number(d.stock) }),
    active: d.active,
    validFrom: fromLocalInput(d.validFrom),
    validUntil: fromLocalInput(d.validUntil),
    eligibility: {
      minTier: d.minTier.trim() || null,
      tierTags: d.tierTags,
      segments: d.segments,
      roles: d.roles,
      countries: d.countries.map((c) => c.toUpperCase()),
    },
    limits: { perMember: numberOrNull(d.perMember), perAccount: numberOrNull(d.perAccount), period: d.period },
    cashValueMinor: d.type === 'cashback' || d.type === 'charity' ? cash : null,
    eventAt: d.type === 'experience' ? fromLocalInput(d.eventAt) : null,
  };
}

function RewardEditor() {
  const { id } = useParams();
  const reward = useQuery({ queryKey: ['reward', id], queryFn: () => api.get<Reward>(`/v1/rewards/${id}`), enabled: !!id });
  if (id && reward.isPending) return <Loading />;
  if (reward.isError) return <ErrorAlert error={reward.error} />;
  // Keyed by the reward's version, so a saved reward's answer refills the form.
  return <RewardForm key={reward.data ? `${reward.data.id}` : 'new'} reward={reward.data} />;
}

function RewardForm({ reward }: { reward: Reward | undefined }) {
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

function TypeFields({ d, set, fe, creating, currency }: { d: Draft; set: <K extends keyof Draft>(k: K, v: Draft[K]) => void; fe: (f: string) => string | undefined; creating: boolean; currency: string }) {
  const { t } = useTranslation('console-shop');
  if (d.type === 'code') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('rewards.types.code')}
        </Title>
        <SegmentedControl
          aria-label={t('rewards.codeSource')}
          value={d.codeSource}
          onChange={(v) => set('codeSource', v as Draft['codeSource'])}
          disabled={!creating}
          data={[
            { value: 'pool', label: t('rewards.codePool') },
            { value: 'generated', label: t('rewards.codeGenerated') },
          ]}
        />
        {fe('codeSource') && <Text c="red" size="sm">{fe('codeSource')}</Text>}
      </Card>
    );
  }
  if (d.type === 'experience') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('rewards.types.experience')}
        </Title>
        <TextInput type="datetime-local" label={t('rewards.eventAt')} value={d.eventAt} onChange={(e) => set('eventAt', e.currentTarget.value)} error={fe('eventAt')} w={280} />
      </Card>
    );
  }
  if (d.type === 'cashback' || d.type === 'charity') {
    return (
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t(`rewards.types.${d.type}`)}
        </Title>
        <TextInput
          label={t(d.type === 'cashback' ? 'rewards.cashValue' : 'rewards.donation', { currency })}
          description={t(d.type === 'cashback' ? 'rewards.cashValueHint' : 'rewards.donationHint')}
          value={d.cashValue}
          onChange={(e) => set('cashValue', e.currentTarget.value)}
          inputMode="decimal"
          required={d.type === 'cashback'}
          error={fe('cashValueMinor') ?? (d.cashValue.trim() && parseMoney(d.cashValue, currency) === undefined ? t('rewards.badAmount') : undefined)}
          w={280}
        />
        {d.cashValue.trim() && parseMoney(d.cashValue, currency) !== undefined && (
          <Text size="sm" mt={4}>
            {formatMoney(parseMoney(d.cashValue, currency)!, currency)}
          </Text>
        )}
      </Card>
    );
  }
  return null;
}

function CodeImport({ reward }: { reward: Reward }) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  const [text, setText] = useState('');
  const codes = text.split(/[\s,;]+/).filter(Boolean);
  const run = useMutation({
    mutationFn: () => api.post<{ added: number; duplicates: number; stock: number }>(`/v1/rewards/${reward.id}/codes`, { codes }),
    onSuccess: (r) => {
      setText('');
      void client.invalidateQueries({ queryKey: ['reward', reward.id] });
      void client.invalidateQueries({ queryKey: ['rewards'] });
      notifySuccess(t('rewards.imported', { count: r.added, duplicates: r.duplicates, stock: r.stock }));
    },
    onError: (err) => fieldError(err, 'codes') || notifyError(err),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {t('rewards.importCodes')}
      </Title>
      <Textarea label={t('rewards.codesLabel')} description={t('rewards.codesHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={4} maxRows={12} error={fieldError(run.error, 'codes')} />
      <Group justify="space-between" mt="sm">
        <Text size="sm">{t('rewards.codesCount', { count: codes.length })}</Text>
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={codes.length === 0}>
          {t('rewards.importButton')}
        </Button>
      </Group>
    </Card>
  );
}

function StockAdjust({ reward }: { reward: Reward }) {
  const { t } = useTranslation('console-shop');
  const client = useQueryClient();
  const [delta, setDelta] = useState<number | string>('');
  const next = (reward.stock ?? 0) + Number(delta || 0);
  const run = useMutation({
    mutationFn: () => api.patch<Reward>(`/v1/rewards/${reward.id}`, { stock: next }),
    onSuccess: (r) => {
      setDelta('');
      client.setQueryData(['reward', r.id], r);
      void client.invalidateQueries({ queryKey: ['rewards'] });
      notifySuccess(t('rewards.stockAdjusted', { stock: formatNumber(r.stock ?? 0) }));
    },
    onError: notifyError,
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {t('rewards.adjustStock')}
      </Title>
      <Group align="flex-end">
        <NumberInput label={t('rewards.adjustBy')} description={t('rewards.adjustHint', { stock: formatNumber(reward.stock ?? 0) })} value={delta} onChange={setDelta} allowDecimal={false} w={220} />
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!delta || next < 0}>
          {t('rewards.adjustButton', { stock: formatNumber(next) })}
        </Button>
      </Group>
    </Card>
  );
}

function Categories() {
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

function CategoryForm({ category, onClose }: { category: Category | undefined; onClose: () => void }) {
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
