/** Program settings: the program itself, manual adjustments (four eyes, daily limit, reason codes), claims, the reward shop. */
import { ActionIcon, Button, Card, Group, NumberInput, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../../shared/api';
import { ErrorAlert, fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { formatMoney } from '../../../shared/format';
import { languageNames, languages } from '../../../shared/i18n';
import { canWrite, isAdmin, useStaff } from '../../session';

const onlyUnfielded = (err: unknown) => {
  if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
};

/** null for an empty number field ("no limit"). */
const orNull = (v: number | string) => (v === '' || v === undefined ? null : Number(v));

function Section({ title, children, onSubmit, pending, disabled, error }: { title: string; children: ReactNode; onSubmit: () => void; pending: boolean; disabled: boolean; error: unknown }) {
  const { t } = useTranslation('web');
  return (
    <Card withBorder component="section" aria-label={title}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h3">
            {title}
          </Title>
          {children}
          {error instanceof ApiError && error.errors.length > 0 && <ErrorAlert error={error} />}
          {!disabled && (
            <Group>
              <Button type="submit" loading={pending}>
                {t('save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

const programQuery = { queryKey: ['program'], queryFn: () => api.get<Program>('/v1/program') };
const controlQuery = { queryKey: ['control-settings'], queryFn: () => api.get<Control>('/v1/settings/control') };
const claimsQuery = { queryKey: ['claim-settings'], queryFn: () => api.get<Claims>('/v1/claims/settings') };
const rewardsQuery = { queryKey: ['reward-settings'], queryFn: () => api.get<{ approvalThresholdPoints: number | null }>('/v1/rewards/settings') };

export default function Settings() {
  const { t } = useTranslation('console-people');
  // Four forms of different heights stacked: the page appears when all four are read, not one pushing the next.
  const settled = [useQuery(programQuery), useQuery(controlQuery), useQuery(claimsQuery), useQuery(rewardsQuery)].every((q) => !q.isPending);
  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        {t('nav.settings')}
      </Title>
      {settled ? (
        <>
          <ProgramForm />
          <ControlForm />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ClaimsForm />
            <RewardsForm />
          </SimpleGrid>
        </>
      ) : (
        <Skeleton h={720} />
      )}
    </Stack>
  );
}

interface Program {
  name: string;
  defaultLanguage: string;
  currency: string;
  timeZone: string;
  pointValueMicros: number;
}

const timeZones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/Stockholm', 'Europe/Oslo', 'Europe/Warsaw', 'Europe/Berlin'];
  }
};

function ProgramForm() {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const program = useQuery(programQuery);
  const [form, setForm] = useState<Program | null>(() => program.data ?? null);
  useEffect(() => {
    if (program.data) setForm(program.data);
  }, [program.data]);
  const save = useMutation({
    mutationFn: (p: Program) => api.patch<Program>('/v1/program', p),
    onSuccess: (p) => {
      notifySuccess(t('settings.saved'));
      client.setQueryData(['program'], p);
      void client.invalidateQueries({ queryKey: ['staff-session'] });
    },
    onError: onlyUnfielded,
  });
  if (program.isError) return <ErrorAlert error={program.error} />;
  if (!form) return <Skeleton h={260} />;
  const disabled = !isAdmin(staff.role);
  const set = <K extends keyof Program>(k: K, v: Program[K]) => setForm({ ...form, [k]: v });
  return (
    <Section title={t('settings.program')} onSubmit={() => save.mutate(form)} pending={save.isPending} disabled={disabled} error={save.error}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={t('settings.name')} value={form.name} onChange={(e) => set('name', e.currentTarget.value)} disabled={disabled} error={fieldError(save.error, 'name')} />
        <Select
          label={t('settings.language')}
          data={languages.map((l) => ({ value: l, label: languageNames[l] }))}
          value={form.defaultLanguage}
          onChange={(v) => v && set('defaultLanguage', v)}
          allowDeselect={false}
          disabled={disabled}
          error={fieldError(save.error, 'defaultLanguage')}
        />
        <TextInput
          label={t('settings.currency')}
          description={t('settings.currencyHelp')}
          value={form.currency}
          onChange={(e) => set('currency', e.currentTarget.value.toUpperCase())}
          maxLength={3}
          disabled={disabled}
          error={fieldError(save.error, 'currency')}
        />
        <Select
          label={t('settings.timeZone')}
          data={timeZones()}
          searchable
          value={form.timeZone}
          onChange={(v) => v && set('timeZone', v)}
          allowDeselect={false}
          disabled={disabled}
          error={fieldError(save.error, 'timeZone')}
        />
        <NumberInput
          label={t('settings.pointValue')}
          description={t('settings.pointValueHelp', { value: safeMoney(form.pointValueMicros, form.currency) })}
          value={form.pointValueMicros}
          onChange={(v) => set('pointValueMicros', Number(v) || 0)}
          min={0}
          allowDecimal={false}
          disabled={disabled}
          error={fieldError(save.error, 'pointValueMicros')}
        />
      </SimpleGrid>
    </Section>
  );
}

/** What 1,000 points are worth: micros are millionths of a minor unit. */
function safeMoney(micros: number, currency: string): string {
  try {
    return formatMoney(Math.round((micros * 1000) / 1_000_000), currency);
  } catch {
    return '—';
  }
}

interface ReasonCode {
  code: string;
  labels: Record<string, string>;
}
interface Control {
  approvalThreshold: number | null;
  dailyAdjustmentLimit: number | null;
  reasonCodes: ReasonCode[];
}

function ControlForm() {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const control = useQuery(controlQuery);
  const editable = (c: Control): Control => ({ ...c, reasonCodes: c.reasonCodes.map(({ code, labels }) => ({ code, labels })) });
  const [form, setForm] = useState<Control | null>(() => (control.data ? editable(control.data) : null));
  useEffect(() => {
    if (control.data) setForm(editable(control.data));
  }, [control.data]);
  const save = useMutation({
    mutationFn: (c: Control) => api.put<Control>('/v1/settings/control', c),
    onSuccess: (c) => {
      notifySuccess(t('settings.saved'));
      client.setQueryData(['control-settings'], c);
    },
    onError: onlyUnfielded,
  });
  if (control.isError) return <ErrorAlert error={control.error} />;
  if (!form) return <Skeleton h={320} />;
  const disabled = !isAdmin(staff.role);
  const setCode = (i: number, next: ReasonCode) => setForm({ ...form, reasonCodes: form.reasonCodes.map((r, j) => (j === i ? next : r)) });
  return (
    <Section title={t('settings.control')} onSubmit={() => save.mutate(form)} pending={save.isPending} disabled={disabled} error={save.error}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NumberInput
          label={t('settings.threshold')}
          description={t('settings.thresholdHelp')}
          value={form.approvalThreshold ?? ''}
          onChange={(v) => setForm({ ...form, approvalThreshold: orNull(v) })}
          min={1}
          allowDecimal={false}
          disabled={disabled}
          error={fieldError(save.error, 'approvalThreshold')}
        />
        <NumberInput
          label={t('settings.dailyLimit')}
          description={t('settings.dailyLimitHelp')}
          value={form.dailyAdjustmentLimit ?? ''}
          onChange={(v) => setForm({ ...form, dailyAdjustmentLimit: orNull(v) })}
          min={1}
          allowDecimal={false}
          disabled={disabled}
          error={fieldError(save.error, 'dailyAdjustmentLimit')}
        />
      </SimpleGrid>
      <Text fw={600}>{t('settings.reasonCodes')}</Text>
      <Table.ScrollContainer minWidth={900}>
        <Table aria-label={t('settings.reasonCodes')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('settings.code')}</Table.Th>
              {languages.map((l) => (
                <Table.Th key={l}>{languageNames[l]}</Table.Th>
              ))}
              <Table.Th>
                <VisuallyHidden>{t('staff.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {form.reasonCodes.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput
                    aria-label={t('settings.codeN', { n: i + 1 })}
                    value={r.code}
                    onChange={(e) => setCode(i, { ...r, code: e.currentTarget.value })}
                    disabled={disabled}
                    error={fieldError(save.error, `reasonCodes.${i}.code`)}
                  />
                </Table.Td>
                {languages.map((l) => (
                  <Table.Td key={l}>
                    <TextInput
                      aria-label={t('settings.labelN', { n: i + 1, language: languageNames[l] })}
                      value={r.labels[l] ?? ''}
                      onChange={(e) => setCode(i, { ...r, labels: { ...r.labels, [l]: e.currentTarget.value } })}
                      disabled={disabled}
                      error={fieldError(save.error, `reasonCodes.${i}.labels.${l}`)}
                    />
                  </Table.Td>
                ))}
                <Table.Td>
                  {!disabled && (
                    <ActionIcon variant="subtle" color="red" aria-label={t('settings.removeCode', { code: r.code })} onClick={() => setForm({ ...form, reasonCodes: form.reasonCodes.filter((_, j) => j !== i) })}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {fieldError(save.error, 'reasonCodes') && (
        <Text c="red.9" size="sm">
          {fieldError(save.error, 'reasonCodes')}
        </Text>
      )}
      {!disabled && (
        <Group>
          <Button variant="default" onClick={() => setForm({ ...form, reasonCodes: [...form.reasonCodes, { code: '', labels: {} }] })}>
            {t('settings.addCode')}
          </Button>
        </Group>
      )}
    </Section>
  );
}

interface Claims {
  approver: 'program' | 'manager' | 'either';
  nearDuplicateDays: number;
  memberDailyLimit: number | null;
  memberWeeklyLimit: number | null;
  accountDailyLimit: number | null;
  accountWeeklyLimit: number | null;
}

function ClaimsForm() {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const claims = useQuery(claimsQuery);
  const [form, setForm] = useState<Claims | null>(() => claims.data ?? null);
  useEffect(() => {
    if (claims.data) setForm(claims.data);
  }, [claims.data]);
  const save = useMutation({
    mutationFn: (c: Claims) => api.put<Claims>('/v1/claims/settings', c),
    onSuccess: (c) => {
      notifySuccess(t('settings.saved'));
      client.setQueryData(['claim-settings'], c);
    },
    onError: onlyUnfielded,
  });
  if (claims.isError) return <ErrorAlert error={claims.error} />;
  if (!form) return <Skeleton h={320} />;
  const disabled = !isAdmin(staff.role);
  const limit = (k: 'memberDailyLimit' | 'memberWeeklyLimit' | 'accountDailyLimit' | 'accountWeeklyLimit') => (
    <NumberInput
      label={t(`settings.${k}`)}
      value={form[k] ?? ''}
      onChange={(v) => setForm({ ...form, [k]: orNull(v) })}
      min={1}
      allowDecimal={false}
      placeholder={t('settings.noLimit')}
      disabled={disabled}
      error={fieldError(save.error, k)}
    />
  );
  return (
    <Section title={t('settings.claims')} onSubmit={() => save.mutate(form)} pending={save.isPending} disabled={disabled} error={save.error}>
      <Select
        label={t('settings.approver')}
        data={(['program', 'manager', 'either'] as const).map((a) => ({ value: a, label: t(`settings.approvers.${a}`) }))}
        value={form.approver}
        onChange={(v) => v && setForm({ ...form, approver: v as Claims['approver'] })}
        allowDeselect={false}
        disabled={disabled}
        error={fieldError(save.error, 'approver')}
      />
      <NumberInput
        label={t('settings.nearDuplicateDays')}
        value={form.nearDuplicateDays}
        onChange={(v) => setForm({ ...form, nearDuplicateDays: Number(v) || 0 })}
        min={0}
        allowDecimal={false}
        disabled={disabled}
        error={fieldError(save.error, 'nearDuplicateDays')}
      />
      <SimpleGrid cols={2}>
        {limit('memberDailyLimit')}
        {limit('memberWeeklyLimit')}
        {limit('accountDailyLimit')}
        {limit('accountWeeklyLimit')}
      </SimpleGrid>
    </Section>
  );
}

function RewardsForm() {
  const { t } = useTranslation('console-people');
  const { staff } = useStaff();
  const client = useQueryClient();
  const rewards = useQuery(rewardsQuery);
  const [value, setValue] = useState<number | string>(() => rewards.data?.approvalThresholdPoints ?? '');
  useEffect(() => {
    if (rewards.data) setValue(rewards.data.approvalThresholdPoints ?? '');
  }, [rewards.data]);
  const save = useMutation({
    mutationFn: () => api.put<{ approvalThresholdPoints: number | null }>('/v1/rewards/settings', { approvalThresholdPoints: orNull(value) }),
    onSuccess: (r) => {
      notifySuccess(t('settings.saved'));
      client.setQueryData(['reward-settings'], r);
    },
    onError: onlyUnfielded,
  });
  if (rewards.isError) return <ErrorAlert error={rewards.error} />;
  if (!rewards.data) return <Skeleton h={160} />;
  const disabled = !canWrite(staff.role) || staff.role === 'support';
  return (
    <Section title={t('settings.rewards')} onSubmit={() => save.mutate()} pending={save.isPending} disabled={disabled} error={save.error}>
      <NumberInput
        label={t('settings.orderThreshold')}
        description={t('settings.orderThresholdHelp')}
        value={value}
        onChange={setValue}
        min={1}
        allowDecimal={false}
        placeholder={t('settings.noLimit')}
        disabled={disabled}
        error={fieldError(save.error, 'approvalThresholdPoints')}
      />
    </Section>
  );
}
