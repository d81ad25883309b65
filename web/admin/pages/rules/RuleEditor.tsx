/**
 * A rule in the rule language, as a form: conditions, effect, recipient, caps and stacking, every part the
 * definition schema has. The server validates; its message for a field appears next to that field. Saving a
 * saved rule writes a new version (listed below the form). Next to the form, the simulator judges a sample
 * event with the form as it is, saved or not. Viewers see the rule read-only (and may simulate). The form's
 * parts are their own files in this folder.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Code, Fieldset, Grid, Group, MultiSelect, NumberInput, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Textarea, Title, Accordion } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { localeOf, moneyError } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import { canWrite, useStaff } from '../../session';
import { effectiveFromOut, effectTypes, emptyForm, fromRule, issuesAt, knownEventTypes, recipientTypes, toDefinition, type Rule, type RuleForm } from './model';
import { readableErrors } from './contrast';
import { Simulator, type Draft } from './Simulator';
import { AttributeEditor } from './AttributeEditor';
import { CapEditor } from './CapEditor';
import { AddButton, Section } from './EditorSection';
import { Versions } from './RuleVersions';

export default function RuleEditor() {
  const { id } = useParams();
  const rule = useQuery({ queryKey: ['rule', id], queryFn: () => api.get<Rule>(`/v1/rules/${id}`), enabled: id !== undefined });
  if (id !== undefined && rule.isPending) return <Loading />;
  if (rule.isError) return <ErrorAlert error={rule.error} />;
  return <EditorPage key={rule.data ? `${rule.data.id}:${rule.data.version}` : 'new'} rule={rule.data} />;
}

const weekdayNames = (locale: string) =>
  // 2024-01-01 was a Monday: ISO weekdays 1..7.
  Array.from({ length: 7 }, (_, i) => new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i))));

const toNumber = (v: number | string): number | undefined => (typeof v === 'number' ? v : v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);

function EditorPage({ rule }: { rule: Rule | undefined }) {
  const { t } = useTranslation('console-rules');
  const staff = useStaff();
  const currency = staff.program.currency;
  const editable = canWrite(staff.staff.role);
  const navigate = useNavigate();
  const client = useQueryClient();
  const [f, setF] = useState<RuleForm>(() => (rule ? fromRule(rule, currency) : emptyForm()));
  const set = (change: Partial<RuleForm>) => setF((prev) => ({ ...prev, ...change }));

  const tiers = useQuery({
    queryKey: ['tiers'],
    queryFn: () => api.get<{ levels: Array<{ code: string }> }>('/v1/tiers').catch(() => ({ levels: [] })),
    staleTime: 60_000,
  });
  const otherRules = useQuery({
    queryKey: ['rules', 'all-for-multiplier'],
    queryFn: () => api.get<{ data: Rule[] }>('/v1/rules?limit=500'),
    enabled: f.effectType === 'multiplier',
  });
  const tierCodes = tiers.data?.levels.map((l) => l.code) ?? [];

  const save = useMutation({
    mutationFn: async () => {
      const fields = {
        name: f.name,
        description: f.description.trim() === '' ? (rule ? null : undefined) : f.description,
        priority: toNumber(f.priority) ?? f.priority,
        ...(effectiveFromOut(f.effectiveFrom) && { effectiveFrom: effectiveFromOut(f.effectiveFrom) }),
        definition: toDefinition(f, currency),
      };
      return rule ? api.patch<Rule>(`/v1/rules/${rule.id}`, { expectedVersion: rule.version, ...fields }) : api.post<Rule>('/v1/rules', fields);
    },
    onSuccess: async (saved) => {
      notifySuccess(rule ? t('editor.saved', { version: saved.version }) : t('editor.created'));
      await client.invalidateQueries({ queryKey: ['rules'] });
      await client.invalidateQueries({ queryKey: ['rule', saved.id] });
      if (!rule) navigate(`/rules/${saved.id}`);
    },
  });
  const setActive = useMutation({
    mutationFn: (active: boolean) =>
      active
        ? api.patch<Rule>(`/v1/rules/${rule!.id}`, { expectedVersion: rule!.version, active: true })
        : api.post<Rule>(`/v1/rules/${rule!.id}/archive`, { expectedVersion: rule!.version }),
    onSuccess: async (saved) => {
      notifySuccess(saved.active ? t('editor.restored') : t('editor.archivedDone'));
      await client.invalidateQueries({ queryKey: ['rules'] });
      await client.invalidateQueries({ queryKey: ['rule', saved.id] });
    },
  });

  const err = save.error;
  const at = (field: string, exact = false) => issuesAt(err, field, exact);
  const draft = (): Draft => ({
    ...(rule && { id: rule.id }),
    name: f.name.trim() || t('editor.unsavedName'),
    ...(toNumber(f.priority) !== undefined && { priority: toNumber(f.priority) }),
    definition: toDefinition(f, currency),
  });
  const optionsOf = <T extends string>(values: readonly T[], prefix: string) => values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));
  const weekdays = weekdayNames(localeOf());
  const amountEffect = f.effectType === 'perAmount' || f.effectType === 'upsell';
  const money = t('editor.inCurrency', { currency });

  return (
    <Stack style={readableErrors}>
      <Anchor component={Link} to="/rules">
        {t('editor.back')}
      </Anchor>
      <Group justify="space-between" align="center">
        <Title order={1} size="h2">
          {rule ? rule.name : t('editor.newTitle')}
        </Title>
        {rule && (
          <Badge color={rule.active ? 'teal.9' : 'gray.7'} variant="filled" size="lg">
            {rule.active ? t('list.activeOne') : t('list.archivedOne')} · {t('editor.versionN', { version: rule.version })}
          </Badge>
        )}
      </Group>
      {!editable && (
        <Alert color="blue" variant="light">
          {t('editor.readOnly')}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
            noValidate
          >
            <Stack>
              <ErrorAlert error={err} />
              <Fieldset legend={t('editor.basics')} disabled={!editable}>
                <Stack>
                  <TextInput label={t('editor.name')} value={f.name} onChange={(e) => set({ name: e.currentTarget.value })} error={at('name')} required />
                  <Textarea label={t('editor.description')} value={f.description} onChange={(e) => set({ description: e.currentTarget.value })} error={at('description')} autosize minRows={2} />
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <NumberInput
                      label={t('editor.priority')}
                      description={t('editor.priorityHelp')}
                      value={f.priority}
                      onChange={(v) => set({ priority: v })}
                      allowDecimal={false}
                      error={at('priority')}
                    />
                    <TextInput
                      type="datetime-local"
                      label={t('editor.effectiveFrom')}
                      description={rule ? t('editor.effectiveFromHelpEdit') : t('editor.effectiveFromHelp')}
                      value={f.effectiveFrom}
                      onChange={(e) => set({ effectiveFrom: e.currentTarget.value })}
                      error={at('effectiveFrom')}
                    />
                  </SimpleGrid>
                </Stack>
              </Fieldset>

              <Fieldset legend={t('editor.conditions')} disabled={!editable}>
                <Stack>
                  <Text size="sm" c="dimmed">
                    {t('editor.conditionsHelp')}
                  </Text>
                  {at('conditions', true) && <Text c="red.9" size="sm">{at('conditions', true)}</Text>}
                  <TagsInput
                    label={t('editor.eventTypes')}
                    description={t('editor.eventTypesHelp')}
                    data={knownEventTypes}
                    value={f.eventTypes}
                    onChange={(v) => set({ eventTypes: v })}
                    error={at('conditions.eventTypes')}
                    clearable
                  />
                  <Section title={t('editor.attributes')} help={t('editor.attributesHelp')} error={at('conditions.attributes', true)}>
                    {f.attributes.map((a, i) => (
                      <AttributeEditor
                        key={i}
                        index={i}
                        row={a}
                        err={err}
                        onChange={(row) => set({ attributes: f.attributes.map((x, j) => (j === i ? row : x)) })}
                        onRemove={() => set({ attributes: f.attributes.filter((_, j) => j !== i) })}
                      />
                    ))}
                    <AddButton onClick={() => set({ attributes: [...f.attributes, { path: '', op: 'eq', valueType: 'text', value: '' }] })}>
                      {t('editor.addAttribute')}
                    </AddButton>
                  </Section>
                  <Section title={t('editor.account')} error={at('conditions.account', true)}>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <TagsInput label={t('editor.segments')} value={f.accountSegments} onChange={(v) => set({ accountSegments: v })} error={at('conditions.account.segments')} />
                      <TagsInput label={t('editor.tagsAny')} value={f.accountTags} onChange={(v) => set({ accountTags: v })} error={at('conditions.account.tagsAny')} />
                      <TagsInput label={t('editor.tiers')} data={tierCodes} value={f.accountTiers} onChange={(v) => set({ accountTiers: v })} error={at('conditions.account.tiers')} />
                      <TagsInput
                        label={t('editor.countries')}
                        description={t('editor.countriesHelp')}
                        value={f.accountCountries}
                        onChange={(v) => set({ accountCountries: v.map((c) => c.toUpperCase()) })}
                        error={at('conditions.account.countries')}
                      />
                    </SimpleGrid>
                  </Section>
                  <Section title={t('editor.member')} error={at('conditions.member', true)}>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <TagsInput label={t('editor.roles')} value={f.memberRoles} onChange={(v) => set({ memberRoles: v })} error={at('conditions.member.roles')} />
                      <TagsInput label={t('editor.tagsAny')} value={f.memberTags} onChange={(v) => set({ memberTags: v })} error={at('conditions.member.tagsAny')} />
                      <TagsInput label={t('editor.tiers')} data={tierCodes} value={f.memberTiers} onChange={(v) => set({ memberTiers: v })} error={at('conditions.member.tiers')} />
                    </SimpleGrid>
                    <Checkbox
                      label={t('editor.memberRequired')}
                      checked={f.memberRequired}
                      onChange={(e) => set({ memberRequired: e.currentTarget.checked })}
                      error={at('conditions.member.required')}
                    />
                  </Section>
                  <Section title={t('editor.lines')} help={t('editor.linesHelp')} error={at('conditions.lines', true)}>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <TagsInput label={t('editor.skus')} value={f.lineSkus} onChange={(v) => set({ lineSkus: v })} error={at('conditions.lines.skus')} />
                      <TagsInput label={t('editor.categories')} value={f.lineCategories} onChange={(v) => set({ lineCategories: v })} error={at('conditions.lines.categories')} />
                      <TagsInput label={t('editor.brands')} value={f.lineBrands} onChange={(v) => set({ lineBrands: v })} error={at('conditions.lines.brands')} />
                      <TagsInput
                        label={t('editor.marginClasses')}
                        data={['high', 'standard', 'low']}
                        value={f.lineMarginClasses}
                        onChange={(v) => set({ lineMarginClasses: v })}
                        error={at('conditions.lines.marginClasses')}
                      />
                    </SimpleGrid>
                    <TextInput
                      label={t('editor.minAmount')}
                      description={money}
                      inputMode="decimal"
                      value={f.minAmount}
                      onChange={(e) => set({ minAmount: e.currentTarget.value })}
                      error={(f.minAmount.trim() ? moneyError(f.minAmount, currency) : undefined) ?? at('conditions.minAmount')}
                    />
                  </Section>
                  <Section title={t('editor.when')}>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <TextInput type="date" label={t('editor.dateFrom')} value={f.dateFrom} onChange={(e) => set({ dateFrom: e.currentTarget.value })} error={at('conditions.dateFrom')} />
                      <TextInput type="date" label={t('editor.dateTo')} value={f.dateTo} onChange={(e) => set({ dateTo: e.currentTarget.value })} error={at('conditions.dateTo')} />
                    </SimpleGrid>
                    <Checkbox.Group label={t('editor.weekdays')} description={t('editor.weekdaysHelp')} value={f.weekdays} onChange={(v) => set({ weekdays: v })} error={at('conditions.weekdays')}>
                      <Group mt="xs" gap="sm">
                        {weekdays.map((name, i) => (
                          <Checkbox key={i} value={String(i + 1)} label={name} />
                        ))}
                      </Group>
                    </Checkbox.Group>
                  </Section>
                </Stack>
              </Fieldset>

              <Fieldset legend={t('editor.effect')} disabled={!editable}>
                <Stack>
                  <Select
                    label={t('editor.effectType')}
                    data={optionsOf(effectTypes, 'effectType')}
                    value={f.effectType}
                    onChange={(v) => v && set({ effectType: v as RuleForm['effectType'] })}
                    allowDeselect={false}
                    error={at('effect.type')}
                    description={t(`effectHelp.${f.effectType}`)}
                  />
                  {f.effectType !== 'multiplier' && (
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <NumberInput label={t('editor.points')} value={f.points} onChange={(v) => set({ points: v })} allowDecimal={false} error={at('effect.points')} />
                      {amountEffect && (
                        <TextInput
                          label={t('editor.per')}
                          description={money}
                          inputMode="decimal"
                          value={f.per}
                          onChange={(e) => set({ per: e.currentTarget.value })}
                          error={(f.per.trim() ? moneyError(f.per, currency) : undefined) ?? at('effect.per')}
                        />
                      )}
                    </SimpleGrid>
                  )}
                  {f.effectType === 'upsell' && (
                    <TagsInput
                      label={t('editor.upsellClasses')}
                      description={t('editor.upsellClassesHelp')}
                      data={['high', 'standard', 'low']}
                      value={f.marginClasses}
                      onChange={(v) => set({ marginClasses: v })}
                      error={at('effect.marginClasses')}
                    />
                  )}
                  {f.effectType === 'multiplier' && (
                    <>
                      <NumberInput label={t('editor.factor')} value={f.factor} onChange={(v) => set({ factor: v })} decimalScale={2} step={0.25} error={at('effect.factor')} />
                      <MultiSelect
                        label={t('editor.ruleIds')}
                        description={t('editor.ruleIdsHelp')}
                        data={(otherRules.data?.data ?? []).filter((r) => r.id !== rule?.id).map((r) => ({ value: r.id, label: r.name }))}
                        value={f.ruleIds}
                        onChange={(v) => set({ ruleIds: v })}
                        searchable
                        error={at('effect.ruleIds')}
                      />
                    </>
                  )}
                </Stack>
              </Fieldset>

              <Fieldset legend={t('editor.recipient')} disabled={!editable}>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <Select
                    label={t('editor.recipientType')}
                    data={optionsOf(recipientTypes, 'recipientType')}
                    value={f.recipientType}
                    onChange={(v) => v && set({ recipientType: v as RuleForm['recipientType'] })}
                    allowDeselect={false}
                    error={at('recipient.type')}
                    description={f.effectType === 'multiplier' ? t('editor.recipientMultiplier') : t(`recipientHelp.${f.recipientType}`)}
                  />
                  {f.recipientType === 'split' && (
                    <NumberInput
                      label={t('editor.accountPercent')}
                      suffix=" %"
                      value={f.accountPercent}
                      onChange={(v) => set({ accountPercent: v })}
                      allowDecimal={false}
                      error={at('recipient.accountPercent')}
                    />
                  )}
                </SimpleGrid>
              </Fieldset>

              <Fieldset legend={t('editor.caps')} disabled={!editable}>
                <Stack>
                  <Text size="sm" c="dimmed">
                    {t('editor.capsHelp')}
                  </Text>
                  {at('caps', true) && <Text c="red.9" size="sm">{at('caps', true)}</Text>}
                  {f.caps.map((c, i) => (
                    <CapEditor
                      key={i}
                      index={i}
                      cap={c}
                      err={err}
                      onChange={(cap) => set({ caps: f.caps.map((x, j) => (j === i ? cap : x)) })}
                      onRemove={() => set({ caps: f.caps.filter((_, j) => j !== i) })}
                    />
                  ))}
                  <AddButton onClick={() => set({ caps: [...f.caps, { scope: 'account', period: 'month', maxPoints: '', maxTimes: '' }] })}>{t('editor.addCap')}</AddButton>
                </Stack>
              </Fieldset>

              <Fieldset legend={t('editor.stacking')} disabled={!editable}>
                <Select
                  label={t('editor.stacking')}
                  data={optionsOf(['stack', 'exclusive'] as const, 'stackingType')}
                  value={f.stacking}
                  onChange={(v) => v && set({ stacking: v as RuleForm['stacking'] })}
                  allowDeselect={false}
                  error={at('stacking')}
                  description={t(`stackingHelp.${f.stacking}`)}
                />
              </Fieldset>

              {editable && (
                <Group>
                  <Button type="submit" loading={save.isPending}>
                    {rule ? t('editor.saveVersion') : t('editor.create')}
                  </Button>
                  {rule && (
                    <Button variant="default" color={rule.active ? 'red' : 'teal'} loading={setActive.isPending} onClick={() => setActive.mutate(!rule.active)}>
                      {rule.active ? t('editor.archive') : t('editor.restore')}
                    </Button>
                  )}
                </Group>
              )}
              <ErrorAlert error={setActive.error} />

              <Accordion variant="contained">
                <Accordion.Item value="json">
                  <Accordion.Control>{t('editor.json')}</Accordion.Control>
                  <Accordion.Panel>
                    <Code block>{JSON.stringify(toDefinition(f, currency), null, 2)}</Code>
                  </Accordion.Panel>
                </Accordion.Item>
              </Accordion>

              {rule?.versions && <Versions rule={rule} />}
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <div style={{ position: 'sticky', top: 72 }}>
            <Simulator draft={draft} />
          </div>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
