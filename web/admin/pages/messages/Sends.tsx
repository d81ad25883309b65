/**
 * Sends to segments (newsletters, announcements): the list with each send's state and figures, and one send's
 * form: channel, the consent it relies on, the audience, the text per language; once saved, who it would reach
 * (and of them, who gave consent), a test send, sending now or at a time, and cancelling. A send can change
 * until it has gone.
 */
import { Badge, Button, Card, Code, Group, Select, SimpleGrid, Stack, Table, TagsInput, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../../shared/feedback';
import { formatDateTime, formatNumber } from '../../../shared/format';
import { currentLanguage, languageNames, languages, type Language } from '../../../shared/i18n';
import { Loading } from '../../../shared/root';
import { audienceKinds, audienceToForm, channels, formToAudience, localToIso, purposes, statusColour, type AudienceForm, type Campaign, type Channel, type Counts, type Purpose, type Segment } from './model';

const countKeys = ['sent', 'delivered', 'opened', 'failed', 'bounced'] as const;
const campaignVariables = ['name', 'programName', 'portalUrl', 'unsubscribeUrl'] as const;

export function Sends({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-messages');
  const list = useQuery({ queryKey: ['message-campaigns'], queryFn: () => api.get<{ data: Campaign[] }>('/v1/message-campaigns') });
  const [open, setOpen] = useState<string | 'new' | null>(null);
  const selected = open && open !== 'new' ? list.data?.data.find((c) => c.id === open) : undefined;
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm">{t('sends.help')}</Text>
        {admin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setOpen('new')}>
            {t('sends.new')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <Loading />
      ) : (list.data?.data ?? []).length === 0 ? (
        <Text c="dimmed">{t('sends.empty')}</Text>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('sends.name')}</Table.Th>
              <Table.Th>{t('sends.channel')}</Table.Th>
              <Table.Th>{t('sends.status')}</Table.Th>
              <Table.Th>{t('sends.when')}</Table.Th>
              {countKeys.map((k) => (
                <Table.Th key={k} ta="right">
                  {t(`counts.${k}`)}
                </Table.Th>
              ))}
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data!.data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{t(`channel.${c.channel}`)}</Table.Td>
                <Table.Td>
                  <Badge color={statusColour[c.status]}>{t(`status.${c.status}`)}</Badge>
                </Table.Td>
                <Table.Td>{c.sentAt ? formatDateTime(c.sentAt) : c.scheduledAt ? formatDateTime(c.scheduledAt) : '—'}</Table.Td>
                {countKeys.map((k) => (
                  <Table.Td key={k} ta="right">
                    {c.counts && c.counts[k] !== null ? formatNumber(c.counts[k]) : '—'}
                  </Table.Td>
                ))}
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => setOpen(c.id)} aria-label={t('sends.openOf', { name: c.name })}>
                    {c.status === 'draft' || c.status === 'scheduled' ? t('sends.edit') : t('sends.open')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {open && (open === 'new' || selected) && <SendForm key={open} campaign={selected} admin={admin} onSaved={setOpen} onClose={() => setOpen(null)} />}
    </Stack>
  );
}

interface FormState {
  name: string;
  channel: Channel;
  purpose: Purpose;
  audience: AudienceForm;
  content: Partial<Record<Language, { subject: string; body: string }>>;
}

function SendForm({ campaign, admin, onSaved, onClose }: { campaign: Campaign | undefined; admin: boolean; onSaved: (id: string) => void; onClose: () => void }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<{ data: Segment[] }>('/v1/segments') });
  const [form, setForm] = useState<FormState>(() => ({
    name: campaign?.name ?? '',
    channel: campaign?.channel ?? 'email',
    purpose: campaign?.purpose ?? 'newsletter',
    audience: audienceToForm(campaign?.audience),
    content: campaign?.content ?? {},
  }));
  const [lang, setLang] = useState<Language>(currentLanguage());
  const editable = admin && (!campaign || campaign.status === 'draft' || campaign.status === 'scheduled');
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['message-campaigns'] });
    void client.invalidateQueries({ queryKey: ['message-campaign-audience'] });
  };
  const save = useMutation({
    mutationFn: () => {
      const audience = formToAudience(form.audience);
      const content = Object.fromEntries(Object.entries(form.content).filter(([, v]) => v && (v.subject.trim() !== '' || v.body.trim() !== '')));
      const body = { name: form.name, channel: form.channel, purpose: form.purpose, audience: audience ?? {}, content };
      return campaign ? api.put<Campaign>(`/v1/message-campaigns/${campaign.id}`, body) : api.post<Campaign>('/v1/message-campaigns', body);
    },
    onSuccess: (c) => {
      refresh();
      notifySuccess(t('sends.saved'));
      onSaved(c.id);
    },
  });
  const fe = (field: string) => fieldError(save.error, field);
  const text = form.content[lang] ?? { subject: '', body: '' };
  const setText = (patch: Partial<{ subject: string; body: string }>) => setForm((f) => ({ ...f, content: { ...f.content, [lang]: { ...text, ...patch } } }));
  const setAudience = (patch: Partial<AudienceForm>) => setForm((f) => ({ ...f, audience: { ...f.audience, ...patch } }));
  const audienceInvalid = form.audience.kind === 'custom' && formToAudience(form.audience) === null;

  return (
    <Card withBorder component="section" aria-labelledby="send-form-title">
      <Group justify="space-between">
        <Title order={2} size="h4" id="send-form-title">
          {campaign ? campaign.name : t('sends.new')}
        </Title>
        <Group gap="xs">
          {campaign && <Badge color={statusColour[campaign.status]}>{t(`status.${campaign.status}`)}</Badge>}
          <Button size="xs" variant="subtle" onClick={onClose}>
            {t('close')}
          </Button>
        </Group>
      </Group>
      {campaign?.status === 'sent' && campaign.counts && <Figures counts={campaign.counts} />}
      <Stack gap="xs" mt="sm">
        <TextInput label={t('sends.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={fe('name')} disabled={!editable} />
        <Group grow align="flex-start">
          <Select label={t('sends.channel')} data={channels.map((c) => ({ value: c, label: t(`channel.${c}`) }))} value={form.channel} onChange={(v) => v && setForm({ ...form, channel: v as Channel })} allowDeselect={false} disabled={!editable} />
          <Select
            label={t('sends.purpose')}
            description={t('sends.purposeHelp')}
            data={purposes.map((p) => ({ value: p, label: t(`purpose.${p}`) }))}
            value={form.purpose}
            onChange={(v) => v && setForm({ ...form, purpose: v as Purpose })}
            allowDeselect={false}
            disabled={!editable}
          />
        </Group>
        <Group grow align="flex-start">
          <Select
            label={t('sends.audience')}
            data={audienceKinds.map((k) => ({ value: k, label: t(`audience.${k}`) }))}
            value={form.audience.kind}
            onChange={(v) => v && setAudience({ kind: v as AudienceForm['kind'], values: [] })}
            allowDeselect={false}
            disabled={!editable}
          />
          {form.audience.kind === 'inSegment' ? (
            <Select
              label={t('sends.segment')}
              data={(segments.data?.data ?? []).filter((s) => s.subject === 'member' || s.subject === 'account').map((s) => ({ value: s.key, label: s.name }))}
              value={form.audience.values[0] ?? null}
              onChange={(v) => setAudience({ values: v ? [v] : [] })}
              error={fe('audience')}
              disabled={!editable}
              searchable
            />
          ) : form.audience.kind !== 'custom' ? (
            <TagsInput label={t(`audience.values.${form.audience.kind}`)} description={t('sends.valuesHelp')} value={form.audience.values} onChange={(v) => setAudience({ values: v })} error={fe('audience')} disabled={!editable} />
          ) : null}
        </Group>
        {form.audience.kind === 'custom' && (
          <Textarea
            label={t('sends.customAudience')}
            autosize
            minRows={3}
            ff="monospace"
            value={form.audience.json}
            onChange={(e) => setAudience({ json: e.currentTarget.value })}
            error={audienceInvalid ? t('sends.customInvalid') : fe('audience')}
            disabled={!editable}
          />
        )}
        <Tabs value={lang} onChange={(v) => v && setLang(v as Language)}>
          <Tabs.List>
            {languages.map((l) => (
              <Tabs.Tab key={l} value={l}>
                {languageNames[l]}
                {form.content[l]?.body ? ' •' : ''}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
        <Text size="xs" c="dimmed">
          {t('sends.variables')}{' '}
          {campaignVariables.map((v) => (
            <Code key={v} mr={4}>{`{{${v}}}`}</Code>
          ))}{' '}
          {t('sends.languageHelp')}
        </Text>
        <TextInput label={t('sends.subject')} value={text.subject} onChange={(e) => setText({ subject: e.currentTarget.value })} error={fe(`content.${lang}.subject`) ?? fe(`content.${lang}`)} disabled={!editable} />
        <Textarea label={t('sends.body')} autosize minRows={4} value={text.body} onChange={(e) => setText({ body: e.currentTarget.value })} error={fe(`content.${lang}.body`)} disabled={!editable} />
        {editable && (
          <Group>
            <Button onClick={() => save.mutate()} loading={save.isPending} disabled={audienceInvalid}>
              {campaign ? t('sends.saveChanges') : t('sends.saveDraft')}
            </Button>
          </Group>
        )}
        {!fe('name') && <ErrorAlert error={save.error && !Object.keys(form.content).some((l) => fe(`content.${l}.subject`) || fe(`content.${l}.body`)) ? save.error : null} />}
      </Stack>
      {campaign && (campaign.status === 'draft' || campaign.status === 'scheduled') && <SendActions campaign={campaign} admin={admin} onDone={refresh} />}
    </Card>
  );
}

function Figures({ counts }: { counts: Counts }) {
  const { t } = useTranslation('console-messages');
  return (
    <SimpleGrid cols={{ base: 2, sm: 6 }} mt="sm" aria-label={t('sends.figures')}>
      {(['recipients', ...countKeys] as const).map((k) => (
        <div key={k}>
          <Text size="xs" c="dimmed">
            {t(`counts.${k}`)}
          </Text>
          <Text fw={700}>{counts[k] === null ? '—' : formatNumber(counts[k])}</Text>
        </div>
      ))}
    </SimpleGrid>
  );
}

function SendActions({ campaign, admin, onDone }: { campaign: Campaign; admin: boolean; onDone: () => void }) {
  const { t } = useTranslation('console-messages');
  const audience = useQuery({
    queryKey: ['message-campaign-audience', campaign.id, campaign.updatedAt],
    queryFn: () => api.get<{ matched: number; withConsent: number }>(`/v1/message-campaigns/${campaign.id}/audience`),
  });
  const [to, setTo] = useState('');
  const [testLang, setTestLang] = useState<Language>(currentLanguage());
  const [at, setAt] = useState('');
  useEffect(() => setAt(''), [campaign.id]);
  const test = useMutation({
    mutationFn: () => api.post<{ to: string }>(`/v1/message-campaigns/${campaign.id}/test`, { to, language: testLang }),
    onSuccess: (r) => notifySuccess(t('sends.testSent', { to: r.to })),
  });
  const schedule = useMutation({
    mutationFn: (when: string | null) => api.post<Campaign>(`/v1/message-campaigns/${campaign.id}/schedule`, when ? { at: when } : {}),
    onSuccess: (c) => {
      onDone();
      notifySuccess(c.status === 'sent' ? t('sends.sentNow') : t('sends.scheduledFor', { at: formatDateTime(c.scheduledAt!) }));
    },
  });
  const cancel = useMutation({
    mutationFn: () => api.post<Campaign>(`/v1/message-campaigns/${campaign.id}/cancel`),
    onSuccess: () => {
      onDone();
      notifySuccess(t('sends.cancelledDone'));
    },
  });
  return (
    <Stack gap="sm" mt="md">
      <Text size="sm" role="status" data-testid="send-audience">
        {audience.data ? t('sends.reach', { matched: formatNumber(audience.data.matched), withConsent: formatNumber(audience.data.withConsent) }) : '…'}
      </Text>
      {campaign.status === 'scheduled' && campaign.scheduledAt && <Text size="sm">{t('sends.scheduledFor', { at: formatDateTime(campaign.scheduledAt) })}</Text>}
      {admin && (
        <>
          <Group align="flex-end">
            <TextInput label={campaign.channel === 'sms' ? t('sends.testNumber') : t('sends.testAddress')} value={to} onChange={(e) => setTo(e.currentTarget.value)} error={fieldError(test.error, 'to')} w={260} />
            <Select label={t('sends.testLanguage')} data={languages.map((l) => ({ value: l, label: languageNames[l] }))} value={testLang} onChange={(v) => v && setTestLang(v as Language)} allowDeselect={false} w={160} />
            <Button variant="default" onClick={() => test.mutate()} loading={test.isPending} disabled={to.trim() === ''}>
              {t('sends.test')}
            </Button>
          </Group>
          <Group align="flex-end">
            <TextInput type="datetime-local" label={t('sends.at')} value={at} onChange={(e) => setAt(e.currentTarget.value)} w={240} />
            <Button variant="default" onClick={() => schedule.mutate(localToIso(at))} loading={schedule.isPending} disabled={!localToIso(at)}>
              {t('sends.schedule')}
            </Button>
            <Button onClick={() => schedule.mutate(null)} loading={schedule.isPending}>
              {t('sends.sendNow')}
            </Button>
            <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              {t('sends.cancel')}
            </Button>
          </Group>
        </>
      )}
      <ErrorAlert error={audience.error ?? (fieldError(test.error, 'to') ? null : test.error) ?? schedule.error ?? cancel.error} />
    </Stack>
  );
}
