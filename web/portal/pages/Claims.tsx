/**
 * Sales claims: report a sale with a photo of the invoice taken there and then on the phone (or a PDF), and
 * follow what became of each claim, with the reason in words when one was rejected.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Image, NumberInput, Progress, SimpleGrid, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { IconCamera, IconFileText, IconPaperclip, IconPlus, IconTrash } from '@tabler/icons-react';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate } from 'react-router';
import { api, newIdempotencyKey, query } from '../../shared/api';
import { ErrorAlert, fieldError, messageOf, notifySuccess } from '../../shared/feedback';
import { formatDate, formatMoney, moneyError, parseMoney } from '../../shared/format';
import { useMe, type Claim, type Page } from '../data';
import { useMemberSession } from '../session';
import { uploadWithProgress } from '../upload';
import { Empty, LoadMore, PageTitle, SkeletonList } from '../parts/ui';

export default function Claims() {
  return (
    <Routes>
      <Route index element={<MyClaims />} />
      <Route path="new" element={<NewClaim />} />
    </Routes>
  );
}

export const claimStateColour: Record<Claim['state'], string> = {
  submitted: 'blue.9',
  needs_review: 'grape.9',
  approved: 'teal.9',
  rejected: 'red.9',
};

/** One claim as its claimant (or their manager) reads it. */
export function ClaimSummary({ claim, currency }: { claim: Claim; currency: string | undefined }) {
  const { t } = useTranslation('portal');
  const points =
    claim.points.status === 'posted'
      ? t('claims.pointsPosted', { points: t('web:points', { count: claim.points.posted ?? 0 }) })
      : claim.points.status === 'pending'
        ? t('claims.pointsPending', { points: t('web:points', { count: claim.points.proposed }) })
        : null;
  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
            {claim.quantity} × {claim.sku}
          </Text>
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {t('claims.invoiceShort', { number: claim.invoiceNumber })} · {formatDate(claim.saleDate)}
            {currency ? ` · ${formatMoney(claim.amount, currency)}` : ''}
          </Text>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {claim.endCustomer}
          </Text>
        </div>
        <Badge color={claimStateColour[claim.state]} variant="filled" style={{ flexShrink: 0 }}>
          {t(`claims.state.${claim.state}`)}
        </Badge>
      </Group>
      {points && (
        <Text size="sm" fw={600} mt={4}>
          {points}
        </Text>
      )}
      {claim.rejection && (
        <Text size="sm" c="red.9" mt={4}>
          {claim.rejection.message}
          {claim.rejection.note ? ` ${claim.rejection.note}` : ''}
        </Text>
      )}
    </>
  );
}

/** The photos and PDFs a claim was sent with, loaded when asked for (a list of claims does not carry them). */
export function ClaimEvidence({ claimId }: { claimId: string }) {
  const { t } = useTranslation('portal');
  const [open, setOpen] = useState(false);
  const claim = useQuery({ queryKey: ['portal', 'claims', 'one', claimId], queryFn: () => api.get<Claim>(`/portal/v1/claims/${claimId}`), enabled: open });
  if (!open) {
    return (
      <Button variant="subtle" size="sm" px={0} mt={4} leftSection={<IconPaperclip size={16} />} onClick={() => setOpen(true)}>
        {t('claims.showEvidence')}
      </Button>
    );
  }
  if (claim.isPending) return <Skeleton height={96} mt="xs" radius="sm" />;
  if (claim.isError) return <ErrorAlert error={claim.error} />;
  const files = claim.data.evidence ?? [];
  return (
    <SimpleGrid cols={3} spacing="xs" mt="xs">
      {files.map((f, i) =>
        f.contentType.startsWith('image/') ? (
          <Anchor key={f.id} href={f.url} target="_blank" rel="noopener">
            <Image src={f.url} alt={t('claims.evidenceImage', { n: i + 1 })} h={96} radius="sm" fit="cover" />
          </Anchor>
        ) : (
          <Anchor key={f.id} href={f.url} target="_blank" rel="noopener" fw={600} size="sm">
            <Group gap={4} wrap="nowrap">
              <IconFileText size={18} aria-hidden />
              {f.fileName ?? t('claims.evidencePdf', { n: i + 1 })}
            </Group>
          </Anchor>
        ),
      )}
    </SimpleGrid>
  );
}

function MyClaims() {
  const { t } = useTranslation('portal');
  const me = useMe();
  const claims = useInfiniteQuery({
    queryKey: ['portal', 'claims', 'mine'],
    queryFn: ({ pageParam }) => api.get<Page<Claim>>(`/portal/v1/claims${query({ limit: 20, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = claims.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageTitle>{t('claims.title')}</PageTitle>
      <Button component={Link} to="new" size="lg" fullWidth leftSection={<IconPlus size={20} />}>
        {t('claims.new')}
      </Button>
      <ErrorAlert error={claims.error} />
      {claims.isPending ? (
        <SkeletonList rows={4} height={96} />
      ) : items.length === 0 ? (
        <Empty>{t('claims.empty')}</Empty>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('claims.mine')}>
          {items.map((c) => (
            <Card key={c.id} withBorder padding="sm" component="li" data-testid="claim">
              <ClaimSummary claim={c} currency={me.data?.currency} />
              <ClaimEvidence claimId={c.id} />
            </Card>
          ))}
        </Stack>
      )}
      <LoadMore hasMore={claims.hasNextPage} loading={claims.isFetchingNextPage} onMore={() => void claims.fetchNextPage()} />
    </Stack>
  );
}

/** Today in the phone's own calendar: the sale happened where the member stands. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const hidden = { position: 'absolute', width: 1, height: 1, padding: 0, margin: -1, overflow: 'hidden', clip: 'rect(0,0,0,0)', border: 0 } as const;

function NewClaim() {
  const { t } = useTranslation('portal');
  const me = useMe();
  const session = useMemberSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const currency = me.data?.currency ?? 'EUR';
  const [values, setValues] = useState({ sku: '', quantity: 1 as number, amount: '', saleDate: today(), invoiceNumber: '', endCustomer: '' });
  const [file, setFile] = useState<File>();
  const [preview, setPreview] = useState<string>();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [amountInvalid, setAmountInvalid] = useState(false);
  // The same claim sent again (a lost answer, a double tap) is the same claim; a changed one is a new one.
  const key = useMemo(() => newIdempotencyKey(), [values, file]);

  useEffect(() => {
    if (!file || !file.type.startsWith('image/')) {
      setPreview(undefined);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const set = <K extends keyof typeof values>(k: K, v: (typeof values)[K]) => setValues((old) => ({ ...old, [k]: v }));
  const busy = progress !== undefined;
  // A second tap lands before the button shows it is busy.
  const sending = useRef(false);

  const submit = async () => {
    const amount = parseMoney(values.amount, currency);
    setAmountInvalid(amount === undefined);
    if (amount === undefined || sending.current) return;
    sending.current = true;
    const form = new FormData();
    form.append(
      'claim',
      JSON.stringify({
        sku: values.sku.trim(),
        quantity: values.quantity,
        amount,
        saleDate: values.saleDate,
        invoiceNumber: values.invoiceNumber.trim(),
        endCustomer: values.endCustomer.trim(),
        idempotencyKey: key,
      }),
    );
    if (file) form.append('file', file, file.name);
    setError(undefined);
    setProgress(0);
    try {
      await uploadWithProgress<Claim>('/portal/v1/claims', form, session.data?.csrfToken, setProgress);
      notifySuccess(t('claims.sent'));
      await client.invalidateQueries({ queryKey: ['portal', 'claims'] });
      navigate('..', { relative: 'path' });
    } catch (err) {
      setError(err);
    } finally {
      sending.current = false;
      setProgress(undefined);
    }
  };

  const text = (k: 'sku' | 'invoiceNumber' | 'endCustomer', label: string, extra: Record<string, unknown> = {}) => (
    <TextInput size="md" label={label} required value={values[k]} onChange={(e) => set(k, e.currentTarget.value)} error={fieldError(error, k)} {...extra} />
  );
  const pick = (e: React.ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    if (f) setFile(f);
    e.currentTarget.value = '';
  };
  const fileProblem = fieldError(error, 'files') ?? fieldError(error, 'evidenceIds');

  return (
    <Stack
      component="form"
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        void submit();
      }}
    >
      <PageTitle>{t('claims.new')}</PageTitle>
      {text('sku', t('claims.sku'), { description: t('claims.skuHint'), autoCapitalize: 'characters' })}
      <Group grow align="flex-start">
        <NumberInput
          size="md"
          label={t('claims.quantity')}
          required
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={values.quantity}
          onChange={(v) => set('quantity', typeof v === 'number' && v >= 1 ? v : 1)}
          error={fieldError(error, 'quantity')}
        />
        <TextInput
          size="md"
          label={t('claims.amount', { currency })}
          required
          inputMode="decimal"
          value={values.amount}
          onChange={(e) => set('amount', e.currentTarget.value)}
          error={(amountInvalid && moneyError(values.amount, currency)) || fieldError(error, 'amount')}
        />
      </Group>
      <TextInput
        size="md"
        type="date"
        label={t('claims.saleDate')}
        required
        max={today()}
        value={values.saleDate}
        onChange={(e) => set('saleDate', e.currentTarget.value)}
        error={fieldError(error, 'saleDate')}
      />
      {text('invoiceNumber', t('claims.invoiceNumber'))}
      {text('endCustomer', t('claims.endCustomer'), { description: t('claims.endCustomerHint') })}

      <Card withBorder padding="sm">
        <Text fw={600}>{t('claims.evidence')}</Text>
        <Text size="sm" c="dimmed" mb="xs">
          {t('claims.evidenceHint')}
        </Text>
        {file ? (
          <Group wrap="nowrap" gap="sm">
            {preview ? (
              <Image src={preview} alt={t('claims.preview')} w={96} h={96} fit="cover" radius="sm" data-testid="claim-preview" />
            ) : (
              <IconFileText size={48} aria-hidden />
            )}
            <Text size="sm" style={{ overflowWrap: 'anywhere', flex: 1 }}>
              {file.name}
            </Text>
            <Button variant="default" size="md" onClick={() => setFile(undefined)} aria-label={t('claims.removeFile')} px="sm">
              <IconTrash size={20} aria-hidden />
            </Button>
          </Group>
        ) : (
          <Stack gap="xs">
            <input id="claim-photo" type="file" accept="image/*,application/pdf" capture="environment" style={hidden} onChange={pick} />
            <Button component="label" htmlFor="claim-photo" size="lg" fullWidth leftSection={<IconCamera size={22} aria-hidden />}>
              {t('claims.takePhoto')}
            </Button>
            <input id="claim-file" type="file" accept="image/*,application/pdf" style={hidden} onChange={pick} />
            <Button component="label" htmlFor="claim-file" size="md" variant="default" fullWidth leftSection={<IconPaperclip size={20} aria-hidden />}>
              {t('claims.chooseFile')}
            </Button>
          </Stack>
        )}
        {fileProblem && (
          <Text c="red.9" size="sm" mt="xs">
            {fileProblem}
          </Text>
        )}
      </Card>

      {busy && <Progress value={Math.round((progress ?? 0) * 100)} size="lg" aria-label={t('claims.uploading')} animated />}
      {error !== undefined && (
        <Text c="red.9" role="alert">
          {messageOf(error)}
        </Text>
      )}
      <Button type="submit" size="lg" fullWidth loading={busy}>
        {t('claims.submit')}
      </Button>
      <Button component={Link} to=".." relative="path" variant="subtle" size="md">
        {t('web:cancel')}
      </Button>
    </Stack>
  );
}
