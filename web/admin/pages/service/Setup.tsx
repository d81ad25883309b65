/**
 * The service desk's setup: request types with their own fields and texts in the five languages, service levels
 * per type and account tier, the working calendar the SLA clocks count in (days, hours, holidays in the program's
 * time zone), quick replies per language, and the help centre's articles with a preview of what members read.
 * Types, levels and the calendar need the owner's `admin` scope; replies and articles anyone who answers requests.
 */
import { useEffect, useState } from 'react';
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  CloseButton,
  Group,
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
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, query } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { formatNumber } from '../../../shared/format';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { canWrite, isAdmin, useStaff } from '../../session';

type Texts = Partial<Record<Language, string>>;
const typeKinds = ['question', 'complaint', 'callback', 'special_order', 'custom'] as const;
const fieldKinds = ['text', 'textarea', 'number', 'date', 'phone', 'choice'] as const;
type FieldKind = (typeof fieldKinds)[number];
interface TypeField { key: string; kind: FieldKind; required: boolean; labels: Texts; options?: string[] }
interface ServiceType { id: string; code: string; kind: (typeof typeKinds)[number]; names: Texts; descriptions: Texts; fields: TypeField[]; active: boolean; position: number }
interface Level { typeCode: string | null; tier: string | null; firstResponseMinutes: number; resolutionMinutes: number }
interface Settings { reopenDays: number; workingDays: number[]; dayStart: string; dayEnd: string; holidays: string[]; nearBreachPercent: number }
interface QuickReply { id: string; language: Language; title: string; body: string }
interface Article { id: string; language: Language; category: string; title: string; body: string; published: boolean; helpful: number; notHelpful: number; views: number }

const sections = ['types', 'levels', 'calendar', 'replies', 'articles'] as const;
type Section = (typeof sections)[number];

/** Texts with the empty ones left out (a missing language reads as English). */
const cleanTexts = (t: Texts): Texts => Object.fromEntries(Object.entries(t).filter(([, v]) => v?.trim()).map(([k, v]) => [k, v!.trim()]));
const missingIn = (t: Texts): Language[] => languages.filter((l) => !t[l]?.trim());

export default function Setup() {
  const { t } = useTranslation('console-service');
  const { section } = useParams();
  const navigate = useNavigate();
  const current: Section = (sections as readonly string[]).includes(section ?? '') ? (section as Section) : 'types';
  return (
    <Tabs value={current} onChange={(v) => void navigate(`/service/setup/${v ?? 'types'}`)} keepMounted={false}>
      <Tabs.List>
        {sections.map((s) => <Tabs.Tab key={s} value={s}>{t(`setup.tabs.${s}`)}</Tabs.Tab>)}
      </Tabs.List>
      <Tabs.Panel value="types" pt="md"><Types /></Tabs.Panel>
      <Tabs.Panel value="levels" pt="md"><Levels /></Tabs.Panel>
      <Tabs.Panel value="calendar" pt="md"><Calendar /></Tabs.Panel>
      <Tabs.Panel value="replies" pt="md"><QuickReplies /></Tabs.Panel>
      <Tabs.Panel value="articles" pt="md"><Articles /></Tabs.Panel>
    </Tabs>
  );
}

/** Which language's texts the form shows; languages still without a text are marked. */
function LanguagePicker({ value, onChange, missing }: { value: Language; onChange: (l: Language) => void; missing: Language[] }) {
  const { t } = useTranslation('console-service');
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600} id="setup-texts-in">{t('setup.textsIn')}</Text>
      <SegmentedControl
        aria-labelledby="setup-texts-in"
        value={value}
        onChange={(v) => onChange(v as Language)}
        data={languages.map((l) => ({ value: l, label: missing.includes(l) ? `${l.toUpperCase()} ⚠` : l.toUpperCase() }))}
      />
      {missing.length > 0 && <Text size="xs" c="orange.9">{t('setup.missing', { languages: missing.map((l) => languageNames[l]).join(', ') })}</Text>}
    </Stack>
  );
}

// ---------------------------------------------------------------- request types

const useTypes = () => useQuery({ queryKey: ['service', 'types'], queryFn: () => api.get<{ data: ServiceType[] }>('/v1/service/types') });

function Types() {
  const { t, i18n } = useTranslation('console-service');
  const { staff } = useStaff();
  const types = useTypes();
  const [editing, setEditing] = useState<ServiceType | 'new' | null>(null);
  const lng = i18n.language.slice(0, 2) as Language;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">{t('setup.types.title')}</Title>
        {isAdmin(staff.role) && <Button onClick={() => setEditing('new')}>{t('setup.types.new')}</Button>}
      </Group>
      <Text size="sm" c="dimmed">{t('setup.types.intro')}</Text>
      <ErrorAlert error={types.error} />
      {types.isPending ? <Skeleton h={120} /> : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('setup.types.name')}</Table.Th>
                <Table.Th>{t('setup.types.code')}</Table.Th>
                <Table.Th>{t('setup.types.kind')}</Table.Th>
                <Table.Th>{t('setup.types.fields')}</Table.Th>
                <Table.Th>{t('setup.types.languages')}</Table.Th>
                <Table.Th>{t('setup.types.shown')}</Table.Th>
                <Table.Th><VisuallyHidden>{t('setup.actions')}</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(types.data?.data ?? []).map((x) => (
                <Table.Tr key={x.id} data-testid="type-row">
                  <Table.Td>{x.names[lng] ?? x.names.en}</Table.Td>
                  <Table.Td><code>{x.code}</code></Table.Td>
                  <Table.Td>{t(`setup.kinds.${x.kind}`)}</Table.Td>
                  <Table.Td>{x.fields.length ? x.fields.map((f) => f.labels[lng] ?? f.labels.en).join(', ') : '—'}</Table.Td>
                  <Table.Td>{missingIn(x.names).length ? <Text size="sm" c="orange.9">{t('setup.missingShort', { count: missingIn(x.names).length })}</Text> : t('setup.allLanguages')}</Table.Td>
                  <Table.Td>{x.active ? t('setup.yes') : <Badge color="gray.8" variant="filled">{t('setup.types.hidden')}</Badge>}</Table.Td>
                  <Table.Td>
                    {isAdmin(staff.role) && (
                      <Button size="compact-sm" variant="subtle" onClick={() => setEditing(x)} aria-label={t('setup.editNamed', { name: x.names[lng] ?? x.names.en })}>{t('setup.edit')}</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {types.data?.data.length === 0 && <Text c="dimmed">{t('setup.types.none')}</Text>}
      {editing && <TypeForm type={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function TypeForm({ type, onClose }: { type: ServiceType | undefined; onClose: () => void }) {
  const { t } = useTranslation('console-service');
  const qc = useQueryClient();
  const [lng, setLng] = useState<Language>('en');
  const [code, setCode] = useState(type?.code ?? '');
  const [kind, setKind] = useState<ServiceType['kind']>(type?.kind ?? 'custom');
  const [names, setNames] = useState<Texts>(type?.names ?? {});
  const [descriptions, setDescriptions] = useState<Texts>(type?.descriptions ?? {});
  const [fields, setFields] = useState<TypeField[]>(type?.fields ?? []);
  const [active, setActive] = useState(type?.active ?? true);
  const [position, setPosition] = useState<number | string>(type?.position ?? 0);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        code: code.trim(),
        kind,
        names: cleanTexts(names),
        descriptions: cleanTexts(descriptions),
        fields: fields.map((f) => ({ key: f.key.trim(), kind: f.kind, required: f.required, labels: cleanTexts(f.labels), ...(f.kind === 'choice' && { options: f.options ?? [] }) })),
        active,
        position: Number(position || 0),
      };
      return type ? api.put<ServiceType>(`/v1/service/types/${type.id}`, body) : api.post<ServiceType>('/v1/service/types', body);
    },
    onSuccess: (x) => {
      void qc.invalidateQueries({ queryKey: ['service', 'types'] });
      notifySuccess(t('setup.types.saved', { name: x.names.en }));
      onClose();
    },
  });
  const setField = (i: number, f: Partial<TypeField>) => setFields(fields.map((x, j) => (j === i ? { ...x, ...f } : x)));
  const missing = [...new Set([...missingIn(names), ...fields.flatMap((f) => missingIn(f.labels))])];
  return (
    <Modal opened onClose={onClose} size="xl" title={type ? t('setup.types.edit') : t('setup.types.new')} closeButtonProps={{ 'aria-label': t('setup.close') }}>
      <Stack component="form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('setup.types.code')} description={t('setup.types.codeHint')} value={code} onChange={(e) => setCode(e.currentTarget.value)} required error={fieldError(save.error, 'code')} />
          <Select label={t('setup.types.kind')} value={kind} onChange={(v) => setKind((v ?? 'custom') as ServiceType['kind'])} allowDeselect={false} data={typeKinds.map((k) => ({ value: k, label: t(`setup.kinds.${k}`) }))} />
        </SimpleGrid>
        {(kind === 'callback' || kind === 'special_order') && <Text size="sm" c="dimmed">{t(`setup.types.builtIn.${kind}`)}</Text>}
        <LanguagePicker value={lng} onChange={setLng} missing={missing} />
        <TextInput lang={lng} label={t('setup.types.nameIn', { language: languageNames[lng] })} value={names[lng] ?? ''} onChange={(e) => setNames({ ...names, [lng]: e.currentTarget.value })} required={lng === 'en'} error={fieldError(save.error, `names.${lng}`) ?? (lng === 'en' ? fieldError(save.error, 'names') : undefined)} />
        <Textarea lang={lng} label={t('setup.types.descriptionIn', { language: languageNames[lng] })} value={descriptions[lng] ?? ''} onChange={(e) => setDescriptions({ ...descriptions, [lng]: e.currentTarget.value })} autosize minRows={2} />
        <Text fw={600} size="sm">{t('setup.types.ownFields')}</Text>
        {fields.length === 0 && <Text size="sm" c="dimmed">{t('setup.types.noFields')}</Text>}
        {fields.map((f, i) => (
          <Card key={i} withBorder padding="sm" data-testid="field-editor">
            <Group align="flex-end" wrap="wrap">
              <TextInput label={t('setup.field.key')} value={f.key} onChange={(e) => setField(i, { key: e.currentTarget.value })} required w={160} error={fieldError(save.error, `fields.${i}.key`)} />
              <Select label={t('setup.field.kind')} value={f.kind} onChange={(v) => setField(i, { kind: (v ?? 'text') as FieldKind })} allowDeselect={false} w={150} data={fieldKinds.map((k) => ({ value: k, label: t(`setup.fieldKinds.${k}`) }))} />
              <TextInput lang={lng} label={t('setup.field.labelIn', { language: languageNames[lng] })} value={f.labels[lng] ?? ''} onChange={(e) => setField(i, { labels: { ...f.labels, [lng]: e.currentTarget.value } })} required={lng === 'en'} style={{ flex: 1, minWidth: 180 }} error={fieldError(save.error, `fields.${i}.labels.${lng}`)} />
              <Checkbox label={t('setup.field.required')} checked={f.required} onChange={(e) => setField(i, { required: e.currentTarget.checked })} mb={8} />
              <ActionIcon variant="subtle" color="red.9" size="lg" mb={4} aria-label={t('setup.field.remove', { key: f.key || i + 1 })} onClick={() => setFields(fields.filter((_, j) => j !== i))}>
                <IconTrash size={18} aria-hidden />
              </ActionIcon>
            </Group>
            {f.kind === 'choice' && (
              <TextInput mt="xs" label={t('setup.field.options')} description={t('setup.field.optionsHint')} value={(f.options ?? []).join(', ')}
                onChange={(e) => setField(i, { options: e.currentTarget.value.split(',').map((o) => o.trim()).filter(Boolean) })} error={fieldError(save.error, `fields.${i}.options`)} />
            )}
          </Card>
        ))}
        <Group>
          <Button variant="default" onClick={() => setFields([...fields, { key: '', kind: 'text', required: false, labels: {} }])}>{t('setup.types.addField')}</Button>
        </Group>
        <Group>
          <NumberInput label={t('setup.types.position')} value={position} onChange={setPosition} min={0} max={1000} allowDecimal={false} w={160} />
          <Switch label={t('setup.types.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} mt="lg" />
        </Group>
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('setup.close')}</Button>
          <Button type="submit" loading={save.isPending}>{t('setup.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// ---------------------------------------------------------------- service levels

interface LevelDraft { typeCode: string | null; tier: string | null; firstHours: number | string; resolutionHours: number | string }
const toHours = (m: number) => Math.round((m / 60) * 100) / 100;

function Levels() {
  const { t, i18n } = useTranslation('console-service');
  const { staff } = useStaff();
  const qc = useQueryClient();
  const lng = i18n.language.slice(0, 2) as Language;
  const levels = useQuery({ queryKey: ['service', 'levels'], queryFn: () => api.get<{ data: Level[] }>('/v1/service/levels') });
  const types = useTypes();
  const tiers = useQuery({ queryKey: ['tiers'], queryFn: () => api.get<{ levels: Array<{ code: string; names?: Texts; name?: string }> }>('/v1/tiers').catch(() => ({ levels: [] })) });
  const [rows, setRows] = useState<LevelDraft[] | null>(null);
  useEffect(() => {
    if (levels.data && rows === null) setRows(levels.data.data.map((l) => ({ typeCode: l.typeCode, tier: l.tier, firstHours: toHours(l.firstResponseMinutes), resolutionHours: toHours(l.resolutionMinutes) })));
  }, [levels.data, rows]);
  const save = useMutation({
    mutationFn: () =>
      api.put<{ data: Level[] }>('/v1/service/levels', {
        data: (rows ?? []).map((r) => ({ typeCode: r.typeCode, tier: r.tier, firstResponseMinutes: Math.round(Number(r.firstHours) * 60), resolutionMinutes: Math.round(Number(r.resolutionHours) * 60) })),
      }),
    onSuccess: (d) => {
      qc.setQueryData(['service', 'levels'], d);
      setRows(d.data.map((l) => ({ typeCode: l.typeCode, tier: l.tier, firstHours: toHours(l.firstResponseMinutes), resolutionHours: toHours(l.resolutionMinutes) })));
      notifySuccess(t('setup.levels.saved'));
    },
  });
  const admin = isAdmin(staff.role);
  const typeOptions = [{ value: '*', label: t('setup.levels.anyType') }, ...(types.data?.data ?? []).map((x) => ({ value: x.code, label: x.names[lng] ?? x.names.en ?? x.code }))];
  const tierOptions = [{ value: '*', label: t('setup.levels.anyTier') }, ...(tiers.data?.levels ?? []).map((x) => ({ value: x.code, label: x.code }))];
  for (const r of rows ?? []) if (r.tier && !tierOptions.some((o) => o.value === r.tier)) tierOptions.push({ value: r.tier, label: r.tier });
  const set = (i: number, p: Partial<LevelDraft>) => setRows((rows ?? []).map((r, j) => (j === i ? { ...r, ...p } : r)));
  return (
    <Stack component="form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <Title order={2} size="h3">{t('setup.levels.title')}</Title>
      <Text size="sm" c="dimmed">{t('setup.levels.intro')}</Text>
      <ErrorAlert error={levels.error} />
      {rows === null ? <Skeleton h={120} /> : (
        <Table.ScrollContainer minWidth={720}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('setup.levels.type')}</Table.Th>
                <Table.Th>{t('setup.levels.tier')}</Table.Th>
                <Table.Th>{t('setup.levels.firstHours')}</Table.Th>
                <Table.Th>{t('setup.levels.resolutionHours')}</Table.Th>
                <Table.Th><VisuallyHidden>{t('setup.actions')}</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r, i) => (
                <Table.Tr key={i} data-testid="level-row">
                  <Table.Td><Select aria-label={t('setup.levels.typeOf', { n: i + 1 })} value={r.typeCode ?? '*'} onChange={(v) => set(i, { typeCode: !v || v === '*' ? null : v })} data={typeOptions} allowDeselect={false} disabled={!admin} /></Table.Td>
                  <Table.Td><Select aria-label={t('setup.levels.tierOf', { n: i + 1 })} value={r.tier ?? '*'} onChange={(v) => set(i, { tier: !v || v === '*' ? null : v })} data={tierOptions} allowDeselect={false} disabled={!admin} /></Table.Td>
                  <Table.Td><NumberInput aria-label={t('setup.levels.firstOf', { n: i + 1 })} value={r.firstHours} onChange={(v) => set(i, { firstHours: v })} min={0.02} decimalScale={2} required disabled={!admin} error={fieldError(save.error, `data.${i}.firstResponseMinutes`)} /></Table.Td>
                  <Table.Td><NumberInput aria-label={t('setup.levels.resolutionOf', { n: i + 1 })} value={r.resolutionHours} onChange={(v) => set(i, { resolutionHours: v })} min={0.02} decimalScale={2} required disabled={!admin} error={fieldError(save.error, `data.${i}.resolutionMinutes`)} /></Table.Td>
                  <Table.Td>{admin && <CloseButton aria-label={t('setup.levels.remove', { n: i + 1 })} onClick={() => setRows(rows.filter((_, j) => j !== i))} />}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {rows?.length === 0 && <Text size="sm" c="dimmed">{t('setup.levels.none')}</Text>}
      <ErrorAlert error={save.error} />
      {admin && rows && (
        <Group>
          <Button variant="default" onClick={() => setRows([...rows, { typeCode: null, tier: null, firstHours: 8, resolutionHours: 40 }])}>{t('setup.levels.add')}</Button>
          <Button type="submit" loading={save.isPending}>{t('setup.save')}</Button>
        </Group>
      )}
    </Stack>
  );
}

// ---------------------------------------------------------------- working calendar

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

function Calendar() {
  const { t, i18n } = useTranslation('console-service');
  const { staff } = useStaff();
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['service', 'settings'], queryFn: () => api.get<Settings>('/v1/service/settings') });
  const program = useQuery({ queryKey: ['program'], queryFn: () => api.get<{ timeZone: string }>('/v1/program') });
  const [draft, setDraft] = useState<Settings | null>(null);
  const [holiday, setHoliday] = useState('');
  useEffect(() => {
    if (settings.data && !draft) setDraft(settings.data);
  }, [settings.data, draft]);
  const save = useMutation({
    mutationFn: () => api.put<Settings>('/v1/service/settings', draft),
    onSuccess: (d) => {
      qc.setQueryData(['service', 'settings'], d);
      setDraft(d);
      notifySuccess(t('setup.calendar.saved'));
    },
  });
  const admin = isAdmin(staff.role);
  // Monday 2024-01-01 onwards: the weekday names in the console's language.
  const dayName = (d: number) => new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, d)));
  if (!draft) return settings.error ? <ErrorAlert error={settings.error} /> : <Skeleton h={240} />;
  const addHoliday = () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(holiday) && !draft.holidays.includes(holiday)) setDraft({ ...draft, holidays: [...draft.holidays, holiday].sort() });
    setHoliday('');
  };
  return (
    <Stack component="form" maw={760} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <Title order={2} size="h3">{t('setup.calendar.title')}</Title>
      <Text size="sm" c="dimmed">{t('setup.calendar.intro', { zone: program.data?.timeZone ?? '…' })}</Text>
      <Checkbox.Group label={t('setup.calendar.days')} value={draft.workingDays.map(String)} onChange={(v) => setDraft({ ...draft, workingDays: v.map(Number).sort() })}>
        <Group mt="xs">
          {weekdays.map((d) => <Checkbox key={d} value={String(d)} label={dayName(d)} disabled={!admin} />)}
        </Group>
      </Checkbox.Group>
      <Group>
        <TextInput type="time" label={t('setup.calendar.start')} value={draft.dayStart} onChange={(e) => setDraft({ ...draft, dayStart: e.currentTarget.value })} required disabled={!admin} error={fieldError(save.error, 'dayStart')} />
        <TextInput type="time" label={t('setup.calendar.end')} value={draft.dayEnd} onChange={(e) => setDraft({ ...draft, dayEnd: e.currentTarget.value })} required disabled={!admin} error={fieldError(save.error, 'dayEnd')} />
      </Group>
      <Stack gap={4}>
        <Text size="sm" fw={600}>{t('setup.calendar.holidays')}</Text>
        <Text size="xs" c="dimmed">{t('setup.calendar.holidaysHint')}</Text>
        <Group gap="xs" aria-live="polite">
          {draft.holidays.length === 0 && <Text size="sm" c="dimmed">{t('setup.calendar.noHolidays')}</Text>}
          {draft.holidays.map((h) => (
            <Badge key={h} variant="outline" color="dark" size="lg" data-testid="holiday" rightSection={admin ? <CloseButton size="xs" aria-label={t('setup.calendar.removeHoliday', { date: h })} onClick={() => setDraft({ ...draft, holidays: draft.holidays.filter((x) => x !== h) })} /> : undefined}>
              {h}
            </Badge>
          ))}
        </Group>
        {admin && (
          <Group align="flex-end">
            <TextInput type="date" label={t('setup.calendar.holiday')} value={holiday} onChange={(e) => setHoliday(e.currentTarget.value)} />
            <Button variant="default" onClick={addHoliday} disabled={!holiday}>{t('setup.calendar.addHoliday')}</Button>
          </Group>
        )}
      </Stack>
      <Group>
        <NumberInput label={t('setup.calendar.reopenDays')} value={draft.reopenDays} onChange={(v) => setDraft({ ...draft, reopenDays: Number(v) || 0 })} min={0} max={365} allowDecimal={false} disabled={!admin} w={220} />
        <NumberInput label={t('setup.calendar.nearBreach')} value={draft.nearBreachPercent} onChange={(v) => setDraft({ ...draft, nearBreachPercent: Number(v) || 1 })} min={1} max={99} allowDecimal={false} suffix=" %" disabled={!admin} w={220} />
      </Group>
      <ErrorAlert error={save.error} />
      {admin && <Group><Button type="submit" loading={save.isPending}>{t('setup.save')}</Button></Group>}
    </Stack>
  );
}

// ---------------------------------------------------------------- quick replies

function QuickReplies() {
  const { t } = useTranslation('console-service');
  const { staff } = useStaff();
  const qc = useQueryClient();
  const [language, setLanguage] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['service', 'replies', language ?? undefined], queryFn: () => api.get<{ data: QuickReply[] }>(`/v1/service/quick-replies${query({ language })}`) });
  const [editing, setEditing] = useState<QuickReply | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/v1/service/quick-replies/${id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['service', 'replies'] });
      notifySuccess(t('setup.replies.removed'));
    },
  });
  const writer = canWrite(staff.role);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">{t('setup.replies.title')}</Title>
        {writer && <Button onClick={() => setEditing('new')}>{t('setup.replies.new')}</Button>}
      </Group>
      <Select label={t('setup.language')} value={language} onChange={setLanguage} clearable placeholder={t('setup.allLanguagesFilter')} w={220} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} />
      <ErrorAlert error={list.error ?? remove.error} />
      {list.isPending ? <Skeleton h={120} /> : (list.data?.data.length ?? 0) === 0 ? <Text c="dimmed">{t('setup.replies.none')}</Text> : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('setup.replies.titleLabel')}</Table.Th>
              <Table.Th>{t('setup.language')}</Table.Th>
              <Table.Th>{t('setup.replies.body')}</Table.Th>
              <Table.Th><VisuallyHidden>{t('setup.actions')}</VisuallyHidden></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data!.data.map((q) => (
              <Table.Tr key={q.id} data-testid="reply-row">
                <Table.Td>{q.title}</Table.Td>
                <Table.Td>{languageNames[q.language]}</Table.Td>
                <Table.Td lang={q.language}><Text size="sm" lineClamp={2}>{q.body}</Text></Table.Td>
                <Table.Td>
                  {writer && (
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" onClick={() => setEditing(q)} aria-label={t('setup.editNamed', { name: q.title })}>{t('setup.edit')}</Button>
                      <Button size="compact-sm" variant="subtle" color="red" c="red.9" loading={remove.isPending && remove.variables === q.id}
                        onClick={() => { if (window.confirm(t('setup.replies.confirmRemove', { title: q.title }))) remove.mutate(q.id); }} aria-label={t('setup.removeNamed', { name: q.title })}>
                        {t('setup.remove')}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && <ReplyForm reply={editing === 'new' ? undefined : editing} defaultLanguage={(language as Language | null) ?? 'en'} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function ReplyForm({ reply, defaultLanguage, onClose }: { reply: QuickReply | undefined; defaultLanguage: Language; onClose: () => void }) {
  const { t } = useTranslation('console-service');
  const qc = useQueryClient();
  const [language, setLanguage] = useState<Language>(reply?.language ?? defaultLanguage);
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const save = useMutation({
    mutationFn: () => (reply ? api.put(`/v1/service/quick-replies/${reply.id}`, { language, title, body }) : api.post('/v1/service/quick-replies', { language, title, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['service', 'replies'] });
      notifySuccess(t('setup.replies.saved'));
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} size="lg" title={reply ? t('setup.replies.edit') : t('setup.replies.new')} closeButtonProps={{ 'aria-label': t('setup.close') }}>
      <Stack component="form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <Select label={t('setup.language')} value={language} onChange={(v) => setLanguage((v ?? 'en') as Language)} allowDeselect={false} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} />
        <TextInput label={t('setup.replies.titleLabel')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required maxLength={100} error={fieldError(save.error, 'title')} />
        <Textarea lang={language} label={t('setup.replies.body')} value={body} onChange={(e) => setBody(e.currentTarget.value)} required autosize minRows={4} maxLength={5000} error={fieldError(save.error, 'body')} />
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('setup.close')}</Button>
          <Button type="submit" loading={save.isPending}>{t('setup.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// ---------------------------------------------------------------- help centre

function Articles() {
  const { t } = useTranslation('console-service');
  const { staff } = useStaff();
  const [language, setLanguage] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['service', 'articles', language ?? undefined], queryFn: () => api.get<{ data: Article[] }>(`/v1/service/articles${query({ language })}`) });
  const [editing, setEditing] = useState<Article | 'new' | null>(null);
  const writer = canWrite(staff.role);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">{t('setup.articles.title')}</Title>
        {writer && <Button onClick={() => setEditing('new')}>{t('setup.articles.new')}</Button>}
      </Group>
      <Text size="sm" c="dimmed">{t('setup.articles.intro')}</Text>
      <Select label={t('setup.language')} value={language} onChange={setLanguage} clearable placeholder={t('setup.allLanguagesFilter')} w={220} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} />
      <ErrorAlert error={list.error} />
      {list.isPending ? <Skeleton h={120} /> : (list.data?.data.length ?? 0) === 0 ? <Text c="dimmed">{t('setup.articles.none')}</Text> : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('setup.articles.titleLabel')}</Table.Th>
                <Table.Th>{t('setup.articles.category')}</Table.Th>
                <Table.Th>{t('setup.language')}</Table.Th>
                <Table.Th>{t('setup.articles.views')}</Table.Th>
                <Table.Th>{t('setup.articles.helped')}</Table.Th>
                <Table.Th>{t('setup.articles.published')}</Table.Th>
                <Table.Th><VisuallyHidden>{t('setup.actions')}</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data!.data.map((a) => (
                <Table.Tr key={a.id} data-testid="article-row">
                  <Table.Td lang={a.language}>{a.title}</Table.Td>
                  <Table.Td lang={a.language}>{a.category}</Table.Td>
                  <Table.Td>{languageNames[a.language]}</Table.Td>
                  <Table.Td>{formatNumber(a.views)}</Table.Td>
                  <Table.Td>{t('setup.articles.helpedCount', { yes: formatNumber(a.helpful), no: formatNumber(a.notHelpful) })}</Table.Td>
                  <Table.Td>{a.published ? t('setup.yes') : <Badge color="gray.8" variant="filled">{t('setup.articles.draft')}</Badge>}</Table.Td>
                  <Table.Td>{writer && <Button size="compact-sm" variant="subtle" onClick={() => setEditing(a)} aria-label={t('setup.editNamed', { name: a.title })}>{t('setup.edit')}</Button>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && <ArticleForm article={editing === 'new' ? undefined : editing} defaultLanguage={(language as Language | null) ?? 'en'} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function ArticleForm({ article, defaultLanguage, onClose }: { article: Article | undefined; defaultLanguage: Language; onClose: () => void }) {
  const { t } = useTranslation('console-service');
  const qc = useQueryClient();
  const [mode, setMode] = useState<'write' | 'preview'>('write');
  const [a, setA] = useState({ language: article?.language ?? defaultLanguage, category: article?.category ?? '', title: article?.title ?? '', body: article?.body ?? '', published: article?.published ?? true });
  const save = useMutation({
    mutationFn: () => (article ? api.put(`/v1/service/articles/${article.id}`, a) : api.post('/v1/service/articles', a)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['service', 'articles'] });
      notifySuccess(t('setup.articles.saved'));
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} size="xl" title={article ? t('setup.articles.edit') : t('setup.articles.new')} closeButtonProps={{ 'aria-label': t('setup.close') }}>
      <Stack component="form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <SegmentedControl value={mode} onChange={(v) => setMode(v as 'write' | 'preview')} aria-label={t('setup.articles.mode')} data={[{ value: 'write', label: t('setup.articles.write') }, { value: 'preview', label: t('setup.articles.preview') }]} />
        {mode === 'write' ? (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select label={t('setup.language')} value={a.language} onChange={(v) => setA({ ...a, language: (v ?? 'en') as Language })} allowDeselect={false} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} />
              <TextInput lang={a.language} label={t('setup.articles.category')} value={a.category} onChange={(e) => setA({ ...a, category: e.currentTarget.value })} required maxLength={100} error={fieldError(save.error, 'category')} />
            </SimpleGrid>
            <TextInput lang={a.language} label={t('setup.articles.titleLabel')} value={a.title} onChange={(e) => setA({ ...a, title: e.currentTarget.value })} required maxLength={200} error={fieldError(save.error, 'title')} />
            <Textarea lang={a.language} label={t('setup.articles.body')} description={t('setup.articles.bodyHint')} value={a.body} onChange={(e) => setA({ ...a, body: e.currentTarget.value })} required autosize minRows={8} maxRows={20} error={fieldError(save.error, 'body')} />
            <Switch label={t('setup.articles.publishedSwitch')} checked={a.published} onChange={(e) => setA({ ...a, published: e.currentTarget.checked })} />
          </>
        ) : (
          <Card withBorder maw={420} mx="auto" w="100%" lang={a.language} data-testid="article-preview" aria-label={t('setup.articles.previewLabel')} component="section">
            <Text size="sm" c="dimmed">{a.category || '—'}</Text>
            <Title order={3} size="h3">{a.title || '—'}</Title>
            <Text mt="sm" style={{ whiteSpace: 'pre-wrap' }}>{a.body}</Text>
          </Card>
        )}
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('setup.close')}</Button>
          <Button type="submit" loading={save.isPending}>{t('setup.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
