/**
 * The tier ladder: levels (names in the five languages, thresholds, earn multipliers, discounts, reward tags,
 * benefits), the settings that decide how levels are earned and kept, and how many accounts and members hold
 * each level now. Owners edit the whole ladder at once (the API replaces it whole); the server validates and
 * its message for a field appears next to that field.
 */
import { useState } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatMoney, formatNumber } from '../../../shared/format';
import { currentLanguage, languageNames, languages, type Language } from '../../../shared/i18n';
import { isAdmin, useStaff } from '../../session';
import { readableErrors } from '../rules/contrast';
import { issuesAt, moneyText } from '../rules/model';

type Localized<T> = Record<Language, T>;

interface Settings {
  basis: 'points' | 'amount';
  windowKind: 'rolling' | 'calendar_year';
  windowMonths: number;
  scope: 'account' | 'member' | 'both';
  downgradeMaxLevels: number;
  graceDays: number;
}

interface Level {
  code: string;
  rank: number;
  names: Localized<string>;
  threshold: number;
  multiplierHundredths: number;
  discountBasisPoints: number;
  rewardTags: string[];
  benefits: Partial<Localized<string[]>>;
}

interface TierConfig {
  settings: Settings;
  levels: Level[];
}

interface Distribution {
  accounts: Array<{ level: string | null; count: number }>;
  members: Array<{ level: string | null; count: number }>;
}

export default function TiersArea() {
  const { t } = useTranslation('console-rules');
  const staff = useStaff();
  const [editing, setEditing] = useState(false);
  const config = useQuery({
    queryKey: ['tiers'],
    queryFn: async () => {
      try {
        return await api.get<TierConfig>('/v1/tiers');
      } catch (err) {
        if (err instanceof ApiError && err.code === 'tiers_not_configured') return null;
        throw err;
      }
    },
  });
  const distribution = useQuery({
    queryKey: ['tiers', 'distribution'],
    queryFn: () => api.get<Distribution>('/v1/tiers/distribution'),
    enabled: !!config.data,
  });
  const owner = isAdmin(staff.staff.role);

  return (
    <Stack style={readableErrors}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('tiers.title')}
        </Title>
        {owner && config.data !== undefined && !editing && (
          <Button onClick={() => setEditing(true)}>{config.data ? t('tiers.edit') : t('tiers.create')}</Button>
        )}
      </Group>
      <ErrorAlert error={config.error} />
      {config.isPending && <Skeleton h={320} />}
      {config.data === null && !editing && (
        <Alert color="blue" variant="light">
          {owner ? t('tiers.noneOwner') : t('tiers.none')}
        </Alert>
      )}
      {!owner && config.data !== undefined && (
        <Text size="sm" c="dimmed">
          {t('tiers.ownersEdit')}
        </Text>
      )}
      {editing && config.data !== undefined ? (
        <LadderEditor config={config.data} onDone={() => setEditing(false)} />
      ) : (
        config.data && (
          <>
            <Ladder config={config.data} />
            <SettingsView settings={config.data.settings} />
            <DistributionView config={config.data} distribution={distribution.data} error={distribution.error} />
          </>
        )
      )}
    </Stack>
  );
}

function useThreshold() {
  const { program } = useStaff();
  return (basis: Settings['basis'], value: number) => (basis === 'amount' ? formatMoney(value, program.currency) : formatNumber(value));
}

function Ladder({ config }: { config: TierConfig }) {
  const { t } = useTranslation('console-rules');
  const lng = currentLanguage();
  const threshold = useThreshold();
  return (
    <Card withBorder component="section" aria-labelledby="ladder-title">
      <Title order={2} size="h4" id="ladder-title" mb="sm">
        {t('tiers.ladder')}
      </Title>
      <Table.ScrollContainer minWidth={760}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('tiers.rank')}</Table.Th>
              <Table.Th>{t('tiers.level')}</Table.Th>
              <Table.Th ta="right">{t(`tiers.threshold.${config.settings.basis}`)}</Table.Th>
              <Table.Th ta="right">{t('tiers.multiplier')}</Table.Th>
              <Table.Th ta="right">{t('tiers.discount')}</Table.Th>
              <Table.Th>{t('tiers.rewardTags')}</Table.Th>
              <Table.Th>{t('tiers.benefits')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {config.levels.map((l) => (
              <Table.Tr key={l.code}>
                <Table.Td>{l.rank}</Table.Td>
                <Table.Td>
                  <Text fw={600}>{l.names[lng]}</Text>
                  <Text size="xs" c="dimmed">
                    {l.code}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{threshold(config.settings.basis, l.threshold)}</Table.Td>
                <Table.Td ta="right">×{formatNumber(l.multiplierHundredths / 100)}</Table.Td>
                <Table.Td ta="right">{formatNumber(l.discountBasisPoints / 100)} %</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {l.rewardTags.map((tag) => (
                      <Badge key={tag} variant="outline" color="dark">
                        {tag}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{(l.benefits[lng] ?? []).join(' · ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function SettingsView({ settings: s }: { settings: Settings }) {
  const { t } = useTranslation('console-rules');
  const rows: Array<[string, string]> = [
    [t('tiers.basis'), t(`tiers.basisValue.${s.basis}`)],
    [t('tiers.window'), s.windowKind === 'rolling' ? t('tiers.rollingMonths', { count: s.windowMonths }) : t('tiers.windowKind.calendar_year')],
    [t('tiers.scope'), t(`tiers.scopeValue.${s.scope}`)],
    [t('tiers.downgradeMaxLevels'), formatNumber(s.downgradeMaxLevels)],
    [t('tiers.graceDays'), t('tiers.days', { count: s.graceDays })],
  ];
  return (
    <Card withBorder component="section" aria-labelledby="tier-settings-title">
      <Title order={2} size="h4" id="tier-settings-title" mb="sm">
        {t('tiers.settings')}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 5 }}>
        {rows.map(([label, value]) => (
          <div key={label}>
            <Text size="sm" c="dimmed">
              {label}
            </Text>
            <Text fw={600}>{value}</Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}

function DistributionView({ config, distribution, error }: { config: TierConfig; distribution: Distribution | undefined; error: unknown }) {
  const { t } = useTranslation('console-rules');
  const lng = currentLanguage();
  const nameOf = (code: string | null) => (code === null ? t('tiers.noLevel') : (config.levels.find((l) => l.code === code)?.names[lng] ?? code));
  const rows = distribution
    ? distribution.accounts.map((a, i) => ({ level: a.level, accounts: a.count, members: distribution.members[i]?.count ?? 0 }))
    : config.levels.map((l) => ({ level: l.code as string | null, accounts: null, members: null }));
  return (
    <Card withBorder component="section" aria-labelledby="tier-distribution-title">
      <Title order={2} size="h4" id="tier-distribution-title" mb="sm">
        {t('tiers.distribution')}
      </Title>
      <ErrorAlert error={error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('tiers.level')}</Table.Th>
            <Table.Th ta="right">{t('tiers.accounts')}</Table.Th>
            <Table.Th ta="right">{t('tiers.members')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.level ?? '-'}>
              <Table.Td>{nameOf(r.level)}</Table.Td>
              <Table.Td ta="right">{r.accounts === null ? <Skeleton h={16} w={40} ml="auto" /> : formatNumber(r.accounts)}</Table.Td>
              <Table.Td ta="right">{r.members === null ? <Skeleton h={16} w={40} ml="auto" /> : formatNumber(r.members)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="xs">
        {t('tiers.distributionHelp')}
      </Text>
    </Card>
  );
}

/** A level as the form holds it: multiplier and discount as a person reads them, thresholds as typed. */
interface LevelForm {
  key: number;
  code: string;
  rank: number | string;
  threshold: string;
  multiplier: number | string;
  discount: number | string;
  rewardTags: string[];
  names: Localized<string>;
  benefits: Localized<string>;
}

let nextKey = 1;
const blankNames = (): Localized<string> => ({ en: '', sv: '', nb: '', pl: '', de: '' });

function toForm(l: Level, basis: Settings['basis'], currency: string): LevelForm {
  const benefits = blankNames();
  for (const lng of languages) benefits[lng] = (l.benefits[lng] ?? []).join('\n');
  return {
    key: nextKey++,
    code: l.code,
    rank: l.rank,
    threshold: basis === 'amount' ? moneyText(l.threshold, currency) : String(l.threshold),
    multiplier: l.multiplierHundredths / 100,
    discount: l.discountBasisPoints / 100,
    rewardTags: l.rewardTags,
    names: { ...l.names },
    benefits,
  };
}

const numberOr = (v: number | string): number | string => (typeof v === 'number' ? v : v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);

function thresholdOut(text: string, basis: Settings['basis'], currency: string): number | string {
  const clean = text.replace(/[\s\u00a0']/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(clean)) return text;
  if (basis === 'points') return Number(clean);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return Math.round(Number(clean) * 10 ** digits);
}

const defaultSettings: Settings = { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'account', downgradeMaxLevels: 1, graceDays: 0 };

function LadderEditor({ config, onDone }: { config: TierConfig | null; onDone: () => void }) {
  const { t } = useTranslation('console-rules');
  const { program } = useStaff();
  const client = useQueryClient();
  const [settings, setSettings] = useState<Settings>(config?.settings ?? defaultSettings);
  const [levels, setLevels] = useState<LevelForm[]>(() =>
    config
      ? config.levels.map((l) => toForm(l, config.settings.basis, program.currency))
      : [{ key: nextKey++, code: '', rank: 1, threshold: '', multiplier: 1, discount: 0, rewardTags: [], names: blankNames(), benefits: blankNames() }],
  );
  const setLevel = (key: number, change: Partial<LevelForm>) => setLevels((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));

  const save = useMutation({
    mutationFn: () =>
      api.put<TierConfig>('/v1/tiers', {
        settings: { ...settings, windowMonths: numberOr(settings.windowMonths), downgradeMaxLevels: numberOr(settings.downgradeMaxLevels), graceDays: numberOr(settings.graceDays) },
        levels: levels.map((l) => {
          const multiplier = numberOr(l.multiplier);
          const discount = numberOr(l.discount);
          return {
            code: l.code,
            rank: numberOr(l.rank),
            names: l.names,
            threshold: thresholdOut(l.threshold, settings.basis, program.currency),
            multiplierHundredths: typeof multiplier === 'number' ? Math.round(multiplier * 100) : multiplier,
            discountBasisPoints: typeof discount === 'number' ? Math.round(discount * 100) : discount,
            rewardTags: l.rewardTags,
            benefits: Object.fromEntries(languages.map((lng) => [lng, l.benefits[lng].split('\n').map((s) => s.trim()).filter(Boolean)])),
          };
        }),
      }),
    onSuccess: async () => {
      notifySuccess(t('tiers.saved'));
      await client.invalidateQueries({ queryKey: ['tiers'] });
      onDone();
    },
  });
  const err = save.error;
  const opts = (values: string[], prefix: string) => values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
    >
      <Stack>
        <ErrorAlert error={err} />
        <Fieldset legend={t('tiers.settings')}>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
            <Select
              label={t('tiers.basis')}
              data={opts(['points', 'amount'], 'tiers.basisValue')}
              value={settings.basis}
              onChange={(v) => v && setSettings({ ...settings, basis: v as Settings['basis'] })}
              allowDeselect={false}
              error={issuesAt(err, 'settings.basis')}
            />
            <Select
              label={t('tiers.window')}
              data={opts(['rolling', 'calendar_year'], 'tiers.windowKind')}
              value={settings.windowKind}
              onChange={(v) => v && setSettings({ ...settings, windowKind: v as Settings['windowKind'] })}
              allowDeselect={false}
              error={issuesAt(err, 'settings.windowKind')}
            />
            {settings.windowKind === 'rolling' && (
              <NumberInput
                label={t('tiers.windowMonths')}
                value={settings.windowMonths}
                onChange={(v) => setSettings({ ...settings, windowMonths: v as number })}
                allowDecimal={false}
                error={issuesAt(err, 'settings.windowMonths')}
              />
            )}
            <Select
              label={t('tiers.scope')}
              data={opts(['account', 'member', 'both'], 'tiers.scopeValue')}
              value={settings.scope}
              onChange={(v) => v && setSettings({ ...settings, scope: v as Settings['scope'] })}
              allowDeselect={false}
              error={issuesAt(err, 'settings.scope')}
            />
            <NumberInput
              label={t('tiers.downgradeMaxLevels')}
              description={t('tiers.downgradeHelp')}
              value={settings.downgradeMaxLevels}
              onChange={(v) => setSettings({ ...settings, downgradeMaxLevels: v as number })}
              allowDecimal={false}
              error={issuesAt(err, 'settings.downgradeMaxLevels')}
            />
            <NumberInput
              label={t('tiers.graceDays')}
              description={t('tiers.graceHelp')}
              value={settings.graceDays}
              onChange={(v) => setSettings({ ...settings, graceDays: v as number })}
              allowDecimal={false}
              error={issuesAt(err, 'settings.graceDays')}
            />
          </SimpleGrid>
        </Fieldset>
        {issuesAt(err, 'levels', true) && (
          <Text c="red.9" size="sm" role="alert">
            {issuesAt(err, 'levels', true)}
          </Text>
        )}
        {levels.map((l, i) => {
          const at = (field: string) => issuesAt(err, `levels.${i}.${field}`);
          const n = i + 1;
          return (
            <Fieldset key={l.key} legend={t('tiers.levelN', { n, name: l.names[currentLanguage()] || l.code })}>
              <Stack>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 5 }}>
                  <TextInput label={t('tiers.code')} value={l.code} onChange={(e) => setLevel(l.key, { code: e.currentTarget.value })} error={at('code')} />
                  <NumberInput label={t('tiers.rank')} value={l.rank} onChange={(v) => setLevel(l.key, { rank: v })} allowDecimal={false} error={at('rank')} />
                  <TextInput
                    label={t(`tiers.threshold.${settings.basis}`)}
                    description={settings.basis === 'amount' ? program.currency : undefined}
                    inputMode="decimal"
                    value={l.threshold}
                    onChange={(e) => setLevel(l.key, { threshold: e.currentTarget.value })}
                    error={at('threshold')}
                  />
                  <NumberInput
                    label={t('tiers.multiplier')}
                    prefix="×"
                    decimalScale={2}
                    step={0.05}
                    value={l.multiplier}
                    onChange={(v) => setLevel(l.key, { multiplier: v })}
                    error={at('multiplierHundredths')}
                  />
                  <NumberInput
                    label={t('tiers.discount')}
                    suffix=" %"
                    decimalScale={2}
                    value={l.discount}
                    onChange={(v) => setLevel(l.key, { discount: v })}
                    error={at('discountBasisPoints')}
                  />
                </SimpleGrid>
                <TagsInput label={t('tiers.rewardTags')} value={l.rewardTags} onChange={(v) => setLevel(l.key, { rewardTags: v })} error={at('rewardTags')} />
                <SimpleGrid cols={{ base: 1, sm: 2, md: 5 }}>
                  {languages.map((lng) => (
                    <TextInput
                      key={lng}
                      label={t('tiers.nameIn', { language: languageNames[lng] })}
                      lang={lng}
                      value={l.names[lng]}
                      onChange={(e) => setLevel(l.key, { names: { ...l.names, [lng]: e.currentTarget.value } })}
                      error={at(`names.${lng}`)}
                    />
                  ))}
                </SimpleGrid>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 5 }}>
                  {languages.map((lng) => (
                    <Textarea
                      key={lng}
                      label={t('tiers.benefitsIn', { language: languageNames[lng] })}
                      description={t('tiers.onePerLine')}
                      lang={lng}
                      autosize
                      minRows={2}
                      value={l.benefits[lng]}
                      onChange={(e) => setLevel(l.key, { benefits: { ...l.benefits, [lng]: e.currentTarget.value } })}
                      error={at(`benefits.${lng}`)}
                    />
                  ))}
                </SimpleGrid>
                <Group justify="flex-end">
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('tiers.removeLevel', { n })}
                    disabled={levels.length === 1}
                    onClick={() => setLevels((ls) => ls.filter((x) => x.key !== l.key))}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              </Stack>
            </Fieldset>
          );
        })}
        <Group>
          <Button
            variant="subtle"
            leftSection={<IconPlus size={16} />}
            onClick={() =>
              setLevels((ls) => [
                ...ls,
                {
                  key: nextKey++,
                  code: '',
                  rank: Math.max(0, ...ls.map((x) => (typeof x.rank === 'number' ? x.rank : 0))) + 1,
                  threshold: '',
                  multiplier: 1,
                  discount: 0,
                  rewardTags: [],
                  names: blankNames(),
                  benefits: blankNames(),
                },
              ])
            }
          >
            {t('tiers.addLevel')}
          </Button>
        </Group>
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t('tiers.save')}
          </Button>
          <Button variant="default" onClick={onDone} disabled={save.isPending}>
            {t('tiers.cancel')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
