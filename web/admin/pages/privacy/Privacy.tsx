/**
 * Privacy in the console: how long closed members are kept, the consent texts members are shown (a new
 * version on every change), and one member's consents as evidence, data export and erasure.
 */
import { Alert, Badge, Button, Card, Group, Modal, NumberInput, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, query } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { languageNames, languages, type Language } from '../../../shared/i18n';
import { canWrite, isAdmin, useStaff } from '../../session';

const purposes = ['marketing', 'newsletter', 'profiling'] as const;

interface ConsentText {
  purpose: string;
  version: number;
  texts: Partial<Record<Language, string>>;
  createdBy: string;
  createdAt: string;
}
interface ConsentRecord {
  id: string;
  purpose: string;
  channel: string;
  granted: boolean;
  textVersion: number | null;
  source: string;
  ip: string | null;
  recordedBy: string;
  recordedAt: string;
}
interface MemberConsents {
  current: Array<{ purpose: string; channel: string; granted: boolean; since: string | null; textVersion: number | null }>;
  history: ConsentRecord[];
}
interface Member {
  id: string;
  name: string;
  email: string | null;
  status: string;
}
interface Erasure {
  erasedAt: string;
  reason: string;
  requestedBy: string;
  counts: Record<string, number>;
}

export default function Privacy() {
  const { t } = useTranslation('console-privacy');
  const staff = useStaff();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('title')}
      </Title>
      <MemberPrivacy write={canWrite(staff.staff.role)} admin={isAdmin(staff.staff.role)} />
      <ConsentTexts admin={isAdmin(staff.staff.role)} />
      <Retention admin={isAdmin(staff.staff.role)} />
    </Stack>
  );
}

function Retention({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-privacy');
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['privacy-settings'], queryFn: () => api.get<{ retentionMonths: number | null }>('/v1/privacy/settings') });
  const [months, setMonths] = useState<number | string>('');
  useEffect(() => setMonths(settings.data?.retentionMonths ?? ''), [settings.data]);
  const save = useMutation({
    mutationFn: () => api.put('/v1/privacy/settings', { retentionMonths: months === '' ? null : Number(months) }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['privacy-settings'] });
      notifySuccess(t('retention.saved'));
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="retention-title">
      <Title order={2} size="h3" id="retention-title">
        {t('retention.title')}
      </Title>
      <Text size="sm" mt={4}>
        {t('retention.help')}
      </Text>
      <Group align="flex-end" mt="sm">
        <NumberInput label={t('retention.months')} description={t('retention.empty')} min={1} max={240} value={months} onChange={setMonths} disabled={!admin} w={260} />
        {admin && (
          <Button onClick={() => save.mutate()} loading={save.isPending}>
            {t('save')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={settings.error ?? save.error} />
    </Card>
  );
}

function ConsentTexts({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-privacy');
  const client = useQueryClient();
  const texts = useQuery({ queryKey: ['consent-texts'], queryFn: () => api.get<{ data: ConsentText[] }>('/v1/privacy/consent-texts') });
  const [purpose, setPurpose] = useState<string>('marketing');
  const current = texts.data?.data.find((x) => x.purpose === purpose);
  const [draft, setDraft] = useState<Partial<Record<Language, string>>>({});
  useEffect(() => setDraft(current?.texts ?? {}), [current]);
  const publish = useMutation({
    mutationFn: () =>
      api.post<ConsentText>('/v1/privacy/consent-texts', { purpose, texts: Object.fromEntries(Object.entries(draft).filter(([, v]) => v && v.trim() !== '')) }),
    onSuccess: (v) => {
      void client.invalidateQueries({ queryKey: ['consent-texts'] });
      notifySuccess(t('texts.published', { version: v.version }));
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="texts-title">
      <Title order={2} size="h3" id="texts-title">
        {t('texts.title')}
      </Title>
      <Text size="sm" mt={4}>
        {t('texts.help')}
      </Text>
      <Select
        mt="sm"
        label={t('texts.purpose')}
        data={purposes.map((p) => ({ value: p, label: t(`purpose.${p}`) }))}
        value={purpose}
        onChange={(v) => v && setPurpose(v)}
        allowDeselect={false}
        w={300}
      />
      <Text size="sm" mt="xs">
        {current ? t('texts.current', { version: current.version, date: formatDateTime(current.createdAt) }) : t('texts.none')}
      </Text>
      <Stack gap="xs" mt="sm">
        {languages.map((l) => (
          <Textarea
            key={l}
            label={languageNames[l]}
            autosize
            minRows={2}
            value={draft[l] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setDraft((d) => ({ ...d, [l]: value }));
            }}
            disabled={!admin}
          />
        ))}
      </Stack>
      {admin && (
        <Group mt="sm">
          <Button onClick={() => publish.mutate()} loading={publish.isPending}>
            {t('texts.publish')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={texts.error ?? publish.error} />
    </Card>
  );
}

function MemberPrivacy({ write, admin }: { write: boolean; admin: boolean }) {
  const { t } = useTranslation('console-privacy');
  const [search, setSearch] = useState('');
  const [memberId, setMemberId] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ['privacy-member-search', search],
    queryFn: () => api.get<{ data: Member[] }>(`/v1/members${query({ q: search, limit: 10 })}`),
    enabled: search.trim().length >= 2,
  });
  return (
    <Card withBorder component="section" aria-labelledby="member-title">
      <Title order={2} size="h3" id="member-title">
        {t('member.title')}
      </Title>
      <TextInput mt="sm" label={t('member.search')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={360} />
      {found.data && (
        <Table mt="xs" highlightOnHover>
          <Table.Tbody>
            {found.data.data.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.email ?? '—'}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant={memberId === m.id ? 'filled' : 'default'} onClick={() => setMemberId(m.id)}>
                    {t('member.open')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {memberId && <MemberDetail id={memberId} write={write} admin={admin} />}
    </Card>
  );
}

function MemberDetail({ id, write, admin }: { id: string; write: boolean; admin: boolean }) {
  const { t } = useTranslation('console-privacy');
  const client = useQueryClient();
  const consents = useQuery({ queryKey: ['member-consents', id], queryFn: () => api.get<MemberConsents>(`/v1/members/${id}/consents`) });
  const erasure = useQuery({
    queryKey: ['member-erasure', id],
    queryFn: () => api.get<Erasure>(`/v1/members/${id}/erasure`).catch(() => null),
  });
  const [confirming, setConfirming] = useState(false);
  const erase = useMutation({
    mutationFn: () => api.post<Erasure>(`/v1/members/${id}/erase`),
    onSuccess: () => {
      setConfirming(false);
      void client.invalidateQueries();
      notifySuccess(t('erase.done'));
    },
  });
  const granted = consents.data?.current.filter((c) => c.granted) ?? [];
  return (
    <Stack mt="md" gap="sm">
      {erasure.data && (
        <Alert color="gray" title={t('erase.erasedTitle')}>
          {t('erase.erasedText', { date: formatDateTime(erasure.data.erasedAt), reason: t(`erase.reason.${erasure.data.reason}`) })}
        </Alert>
      )}
      <Title order={3} size="h4">
        {t('member.consentsNow')}
      </Title>
      <Group gap="xs">
        {granted.length === 0 ? (
          <Text size="sm">{t('member.noConsent')}</Text>
        ) : (
          granted.map((c) => (
            <Badge key={`${c.purpose}-${c.channel}`} color="teal.9" variant="filled">
              {t(`purpose.${c.purpose}`)} · {t(`channel.${c.channel}`)}
            </Badge>
          ))
        )}
      </Group>
      <Title order={3} size="h4">
        {t('member.history')}
      </Title>
      <Table fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('history.when')}</Table.Th>
            <Table.Th>{t('history.what')}</Table.Th>
            <Table.Th>{t('history.decision')}</Table.Th>
            <Table.Th>{t('history.version')}</Table.Th>
            <Table.Th>{t('history.source')}</Table.Th>
            <Table.Th>{t('history.ip')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(consents.data?.history ?? []).map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{formatDateTime(r.recordedAt)}</Table.Td>
              <Table.Td>
                {t(`purpose.${r.purpose}`)} · {t(`channel.${r.channel}`)}
              </Table.Td>
              <Table.Td>{r.granted ? t('history.given') : t('history.withdrawn')}</Table.Td>
              <Table.Td>{r.textVersion ?? '—'}</Table.Td>
              <Table.Td>{t(`source.${r.source}`)}</Table.Td>
              <Table.Td>{r.ip ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <Button component="a" href={`/v1/members/${id}/consents.csv`} download variant="default">
          {t('member.consentsCsv')}
        </Button>
        {write && (
          <Button component="a" href={`/v1/members/${id}/export`} download variant="default">
            {t('member.export')}
          </Button>
        )}
        {admin && !erasure.data && (
          <Button color="red.9" onClick={() => setConfirming(true)}>
            {t('erase.button')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={consents.error ?? erase.error} />
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('erase.confirmTitle')}>
        <Text size="sm">{t('erase.confirmText')}</Text>
        <Group mt="md" justify="flex-end">
          <Button variant="default" onClick={() => setConfirming(false)}>
            {t('erase.cancel')}
          </Button>
          <Button color="red.9" loading={erase.isPending} onClick={() => erase.mutate()}>
            {t('erase.confirm')}
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
