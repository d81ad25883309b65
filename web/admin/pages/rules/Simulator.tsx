/**
 * The simulator: a sample event for an account (and a member), judged by the server exactly as a real event
 * would be — with the live rules, or with the rule being edited — and the points per wallet with every rule's
 * reason, line by line. Nothing is saved, and the panel says which rules it used.
 */
import { useRef, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Button,
  Card,
  Group,
  List,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, query } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatNumber, moneyError, parseMoney } from '../../../shared/format';
import { useStaff } from '../../session';
import { readableErrors } from './contrast';
import { issuesAt, knownEventTypes, moneyText } from './model';
import { ServerSelect, type Option } from './ServerSelect';

export interface Draft {
  id?: string;
  name: string;
  priority?: number;
  definition: Record<string, unknown>;
}

type RuleSet = 'live' | 'liveWithDraft' | 'draft';

interface Line {
  key: number;
  product: Option | null;
  quantity: number | string;
  amount: string;
}

interface Answer {
  ruleSet: RuleSet;
  points: number;
  byRecipient: { account: number; member: number };
  postings: Array<{ ruleId: string; ruleName: string; recipient: 'account' | 'member'; points: number; reason: string }>;
  trace: Array<{ ruleId: string; ruleName: string; outcome: string; reason: string }>;
}

interface Product {
  sku: string;
  name: string;
  unitPrice: number | null;
}

// Filled shades dark enough for white text (AA contrast).
const outcomeColor: Record<string, string> = { paid: 'teal.9', capped: 'red.9', blocked_by_exclusive: 'grape.9', nothing_to_pay: 'gray.7', not_matched: 'gray.7' };

let nextKey = 1;
const newLine = (): Line => ({ key: nextKey++, product: null, quantity: 1, amount: '' });

/** `draft` present: the panel sits next to the editor and can judge the unsaved rule. */
export function Simulator({ draft, heading = 'h2' }: { draft?: () => Draft; heading?: 'h1' | 'h2' }) {
  const { t } = useTranslation('console-rules');
  const { program } = useStaff();
  const [account, setAccount] = useState<Option | null>(null);
  const [member, setMember] = useState<Option | null>(null);
  const [type, setType] = useState('purchase');
  /** `YYYY-MM-DDTHH:mm` in the browser's zone; empty: now. Rules with dates, weekdays or scheduled versions need it. */
  const [when, setWhen] = useState('');
  const [lines, setLines] = useState<Line[]>([newLine()]);
  const [ruleSet, setRuleSet] = useState<RuleSet>(draft ? 'liveWithDraft' : 'live');
  // Unit prices of the products the searches found, to suggest a line's amount.
  const prices = useRef(new Map<string, number | null>()).current;

  const run = useMutation({
    mutationFn: () => {
      const withDraft = draft && ruleSet !== 'live';
      const isPurchase = type === 'purchase';
      return api.post<Answer>('/v1/rules/simulate', {
        accountId: account?.value,
        ...(member && { memberId: member.value }),
        type,
        ...(when && { occurredAt: Number.isNaN(new Date(when).getTime()) ? when : new Date(when).toISOString() }),
        ...(isPurchase && {
          lines: lines.map((l) => {
            const minor = parseMoney(l.amount, program.currency) ?? l.amount;
            return { sku: l.product?.value ?? '', quantity: typeof l.quantity === 'number' ? l.quantity : Number(l.quantity), amount: minor };
          }),
        }),
        ...(withDraft && { draft: draft(), draftOnly: ruleSet === 'draft' }),
      });
    },
  });
  const err = run.error;
  const setLine = (key: number, change: Partial<Line>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));
  const H = heading === 'h1' ? 1 : 2;
  const ruleSetText = (s: RuleSet) => t(`simulator.ruleSet.${s}`);

  return (
    <Card withBorder component="section" aria-labelledby="simulator-title" style={readableErrors}>
      <Stack>
        <Title order={H} size="h3" id="simulator-title">
          {t('simulator.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('simulator.intro')}
        </Text>
        {draft ? (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="simulator-ruleset-label">
              {t('simulator.judgeBy')}
            </Text>
            <SegmentedControl
              aria-labelledby="simulator-ruleset-label"
              orientation="vertical"
              fullWidth
              value={ruleSet}
              onChange={(v) => setRuleSet(v as RuleSet)}
              data={(['liveWithDraft', 'draft', 'live'] as const).map((s) => ({ value: s, label: ruleSetText(s) }))}
            />
          </Stack>
        ) : (
          <Text size="sm">{ruleSetText('live')}</Text>
        )}
        <ServerSelect
          label={t('simulator.account')}
          placeholder={t('simulator.searchAccount')}
          searchKey={['sim-accounts']}
          search={async (q) =>
            (await api.get<{ data: Array<{ id: string; name: string; externalId: string | null }> }>(`/v1/accounts${query({ q, limit: 20 })}`)).data.map(
              (a) => ({ value: a.id, label: a.externalId ? `${a.name} (${a.externalId})` : a.name }),
            )
          }
          value={account}
          onChange={(o) => {
            setAccount(o);
            setMember(null);
          }}
          error={issuesAt(err, 'accountId') ?? (err instanceof ApiError && err.code === 'unknown_account' ? err.detail : undefined)}
          required
        />
        <ServerSelect
          key={account?.value ?? 'none'}
          label={t('simulator.member')}
          placeholder={account ? t('simulator.noMember') : t('simulator.accountFirst')}
          disabled={!account}
          clearable
          searchKey={['sim-members', account?.value]}
          search={async (q) =>
            account
              ? (await api.get<{ data: Array<{ id: string; name: string; role: string | null }> }>(`/v1/accounts/${account.value}/members${query({ q, limit: 20 })}`)).data.map(
                  (m) => ({ value: m.id, label: m.role ? `${m.name} · ${m.role}` : m.name }),
                )
              : []
          }
          value={member}
          onChange={setMember}
          error={issuesAt(err, 'memberId')}
        />
        <Group grow align="start">
          <Autocomplete label={t('simulator.eventType')} data={knownEventTypes} value={type} onChange={setType} error={issuesAt(err, 'type')} />
          <TextInput
            type="datetime-local"
            label={t('simulator.when')}
            description={t('simulator.whenHelp')}
            value={when}
            onChange={(e) => setWhen(e.currentTarget.value)}
            error={issuesAt(err, 'occurredAt')}
          />
        </Group>
        {type === 'purchase' && (
          <Stack gap="xs">
            <Text fw={500} size="sm">
              {t('simulator.lines')}
            </Text>
            {lines.map((l, i) => (
              <Group key={l.key} align="start" wrap="nowrap" gap="xs">
                <ServerSelect
                  style={{ flex: 3 }}
                  label={t('simulator.product', { n: i + 1 })}
                  placeholder={t('simulator.searchProduct')}
                  searchKey={['sim-products']}
                  search={async (q) => {
                    const found = (await api.get<{ data: Product[] }>(`/v1/products${query({ q, limit: 20, active: true })}`)).data;
                    for (const p of found) prices.set(p.sku, p.unitPrice);
                    return found.map((p) => ({ value: p.sku, label: `${p.sku} · ${p.name}` }));
                  }}
                  value={l.product}
                  onChange={(o) => {
                    const unit = o ? prices.get(o.value) : undefined;
                    const qty = typeof l.quantity === 'number' ? l.quantity : 1;
                    setLine(l.key, { product: o, ...(l.amount === '' && unit != null && { amount: moneyText(unit * qty, program.currency) }) });
                  }}
                  error={issuesAt(err, `lines.${i}.sku`) ?? (err instanceof ApiError && err.code === 'unknown_sku' ? err.detail : undefined)}
                />
                <NumberInput
                  style={{ flex: 1 }}
                  label={t('simulator.quantity')}
                  value={l.quantity}
                  onChange={(v) => setLine(l.key, { quantity: v })}
                  allowDecimal={false}
                  error={issuesAt(err, `lines.${i}.quantity`)}
                />
                <TextInput
                  style={{ flex: 2 }}
                  label={t('simulator.amount', { currency: program.currency })}
                  value={l.amount}
                  inputMode="decimal"
                  onChange={(e) => setLine(l.key, { amount: e.currentTarget.value })}
                  error={(l.amount.trim() ? moneyError(l.amount, program.currency) : undefined) ?? issuesAt(err, `lines.${i}.amount`)}
                />
                <ActionIcon
                  mt={28}
                  variant="subtle"
                  color="red"
                  aria-label={t('simulator.removeLine', { n: i + 1 })}
                  disabled={lines.length === 1}
                  onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Group>
              <Button variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => setLines((ls) => [...ls, newLine()])}>
                {t('simulator.addLine')}
              </Button>
            </Group>
          </Stack>
        )}
        <Group>
          <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!account}>
            {t('simulator.run')}
          </Button>
        </Group>
        {err instanceof ApiError && err.code === 'invalid_rule' ? (
          <Alert color="red" role="alert">
            {t('simulator.draftInvalid')}
          </Alert>
        ) : (
          <ErrorAlert error={err} />
        )}
        {run.data && !run.isPending && <Result answer={run.data} ruleSetText={ruleSetText(run.data.ruleSet)} />}
      </Stack>
    </Card>
  );
}

function Result({ answer, ruleSetText }: { answer: Answer; ruleSetText: string }) {
  const { t } = useTranslation('console-rules');
  return (
    <Stack gap="sm" aria-live="polite">
      <Alert color="blue" variant="light" title={t('simulator.judgedBy')}>
        {ruleSetText}
      </Alert>
      <SimpleGrid cols={3}>
        {(
          [
            ['total', answer.points],
            ['account', answer.byRecipient.account],
            ['member', answer.byRecipient.member],
          ] as const
        ).map(([k, v]) => (
          <div key={k}>
            <Text size="sm" c="dimmed">
              {t(`simulator.result.${k}`)}
            </Text>
            <Text fz="xl" fw={700} data-testid={`sim-${k}`}>
              {t('simulator.points', { count: v })}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {answer.postings.length > 0 && (
        <Table.ScrollContainer minWidth={360}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('simulator.result.wallet')}</Table.Th>
                <Table.Th ta="right">{t('simulator.result.pointsColumn')}</Table.Th>
                <Table.Th>{t('simulator.result.reason')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.postings.map((p, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{t(`simulator.result.${p.recipient}`)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(p.points)}</Table.Td>
                  <Table.Td>{p.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Title order={3} size="h5">
        {t('simulator.why')}
      </Title>
      <List spacing={4} listStyleType="none" aria-label={t('simulator.why')}>
        {answer.trace.map((r, i) => (
          <List.Item key={i}>
            <Group gap="xs" wrap="nowrap" align="start">
              <Badge color={outcomeColor[r.outcome] ?? 'gray.7'} variant="filled" style={{ flexShrink: 0 }}>
                {t(`simulator.outcome.${r.outcome}`)}
              </Badge>
              <Text size="sm">{r.reason}</Text>
            </Group>
          </List.Item>
        ))}
        {answer.trace.length === 0 && <List.Item>{t('simulator.noRules')}</List.Item>}
      </List>
    </Stack>
  );
}
