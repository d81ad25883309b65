/**
 * The rewards shop: browse by category, only what I can afford, a reward's page with ordering, and the page
 * after ordering. A manager chooses whether they pay with their own points or their company's.
 */
import { useRef, useState } from 'react';
import {
  AspectRatio,
  Button,
  Card,
  Center,
  Chip,
  Group,
  Image,
  Modal,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowLeft, IconCircleCheck, IconGift, IconSearch } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, query } from '../../shared/api';
import { ErrorAlert, fieldError, messageOf, notifySuccess } from '../../shared/feedback';
import { useBalance, usePointsChanged, type Category, type Order, type Page, type Reward, type Wallet } from '../data';
import { useMember } from '../session';
import { Empty, LoadMore, PageTitle, SkeletonList } from '../parts/ui';
import { OrderCard } from './Orders';

export default function Shop() {
  const member = useMember();
  const [wallet, setWallet] = useState<Wallet>('member');
  const [category, setCategory] = useState('');
  const [affordable, setAffordable] = useState(false);
  const [search, setSearch] = useState('');
  const filters = { wallet, setWallet, category, setCategory, affordable, setAffordable, search, setSearch, manager: member.isManager };
  return (
    <Routes>
      <Route index element={<Catalogue {...filters} />} />
      <Route path="ordered/:orderId" element={<Ordered />} />
      <Route path=":id" element={<RewardPage wallet={wallet} setWallet={setWallet} manager={member.isManager} />} />
    </Routes>
  );
}

interface Filters {
  wallet: Wallet;
  setWallet: (w: Wallet) => void;
  category: string;
  setCategory: (c: string) => void;
  affordable: boolean;
  setAffordable: (a: boolean) => void;
  search: string;
  setSearch: (s: string) => void;
  manager: boolean;
}

function WalletChoice({ wallet, setWallet }: { wallet: Wallet; setWallet: (w: Wallet) => void }) {
  const { t } = useTranslation('portal');
  return (
    <SegmentedControl
      fullWidth
      size="md"
      aria-label={t('shop.wallet')}
      value={wallet}
      onChange={(v) => setWallet(v as Wallet)}
      data={[
        { value: 'member', label: t('shop.walletMember') },
        { value: 'company', label: t('shop.walletCompany') },
      ]}
    />
  );
}

function Catalogue(f: Filters) {
  const { t } = useTranslation('portal');
  const balance = useBalance();
  const [q] = useDebouncedValue(f.search.trim(), 300);
  const categories = useQuery({ queryKey: ['portal', 'categories'], queryFn: () => api.get<Page<Category>>('/portal/v1/reward-categories') });
  const rewards = useInfiniteQuery({
    queryKey: ['portal', 'rewards', 'list', f.wallet, f.category, f.affordable, q],
    queryFn: ({ pageParam }) =>
      api.get<Page<Reward>>(
        `/portal/v1/rewards${query({ category: f.category, affordable: f.affordable || undefined, q, wallet: f.wallet, cursor: pageParam, limit: 20 })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
  const available = f.wallet === 'company' ? balance.data?.company?.available : balance.data?.available;
  const items = rewards.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageTitle
        right={
          available !== undefined && (
            <Text fw={700} data-testid="shop-balance">
              {t('web:points', { count: available })}
            </Text>
          )
        }
      >
        {t('shop.title')}
      </PageTitle>
      {f.manager && <WalletChoice wallet={f.wallet} setWallet={f.setWallet} />}
      <TextInput
        size="md"
        type="search"
        leftSection={<IconSearch size={18} />}
        aria-label={t('shop.search')}
        placeholder={t('shop.search')}
        value={f.search}
        onChange={(e) => f.setSearch(e.currentTarget.value)}
      />
      {/* Whether there is a row of categories, and how many lines it wraps to, is known only with the answer; until
          then the list's place-holder stands in for both, so the switch and the cards do not slide down. */}
      {categories.isPending ? (
        <SkeletonList rows={4} height={240} />
      ) : (
        <>
          {(categories.data?.items.length ?? 0) > 0 && (
            <Chip.Group multiple={false} value={f.category} onChange={(v) => f.setCategory(v)}>
              <Group gap="xs" role="group" aria-label={t('shop.categories')}>
                <Chip value="" size="md">
                  {t('shop.allCategories')}
                </Chip>
                {categories.data?.items.map((c) => (
                  <Chip key={c.code} value={c.code} size="md">
                    {c.name}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          )}
          <Switch size="md" label={t('shop.affordable')} checked={f.affordable} onChange={(e) => f.setAffordable(e.currentTarget.checked)} />
          <ErrorAlert error={rewards.error} />
          {rewards.isPending ? (
            <SkeletonList rows={4} height={240} />
          ) : items.length === 0 ? (
            <Empty>{f.affordable ? t('shop.noneAffordable') : t('shop.none')}</Empty>
          ) : (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              {items.map((r) => (
                <RewardCard key={r.id} reward={r} />
              ))}
            </SimpleGrid>
          )}
          <LoadMore hasMore={rewards.hasNextPage} loading={rewards.isFetchingNextPage} onMore={() => void rewards.fetchNextPage()} />
        </>
      )}
      <AlsoBought />
    </Stack>
  );
}

interface Recommendation {
  sku: string;
  name: string;
  category: string | null;
  because: { sku: string; name: string };
}

/**
 * "Others like you also buy": products (not rewards) bought together with what the company buys. Shown under the
 * rewards, and only when there are some, so it never pushes the shop down while it loads.
 */
function AlsoBought() {
  const { t } = useTranslation('portal');
  const found = useQuery({ queryKey: ['portal', 'recommendations'], queryFn: () => api.get<{ items: Recommendation[] }>('/portal/v1/recommendations') });
  const items = found.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Stack gap="xs" component="section" aria-labelledby="also-buy" data-testid="also-buy">
      <Title order={2} size="h4" id="also-buy">
        {t('shop.alsoBuy')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('shop.alsoBuyIntro')}
      </Text>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        {items.map((r) => (
          <Card withBorder padding="sm" key={r.sku}>
            <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
              {r.name}
            </Text>
            <Text size="sm" c="dimmed">
              {t('shop.alsoBuyBecause', { product: r.because.name })}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function RewardImage({ reward }: { reward: Reward }) {
  return (
    <AspectRatio ratio={16 / 9}>
      {reward.images[0] ? (
        <Image src={reward.images[0]} alt="" fit="cover" loading="lazy" />
      ) : (
        <Center bg="gray.1">
          <IconGift size={48} stroke={1.4} color="var(--mantine-color-gray-7)" aria-hidden />
        </Center>
      )}
    </AspectRatio>
  );
}

function RewardCard({ reward }: { reward: Reward }) {
  const { t } = useTranslation('portal');
  return (
    <Card withBorder padding="sm" component={Link} to={reward.id} data-testid="reward-card">
      <Card.Section>
        <RewardImage reward={reward} />
      </Card.Section>
      <Text fw={700} mt="sm" style={{ overflowWrap: 'anywhere' }}>
        {reward.name}
      </Text>
      <Text fw={800} size="lg" c="teal.9">
        {t('web:points', { count: reward.pricePoints })}
      </Text>
      {reward.whyNot.map((w) => (
        <Text key={w} size="sm" c="red.9">
          {w}
        </Text>
      ))}
    </Card>
  );
}

interface Delivery {
  name: string;
  street: string;
  postalCode: string;
  city: string;
  country: string;
}

function RewardPage({ wallet, setWallet, manager }: { wallet: Wallet; setWallet: (w: Wallet) => void; manager: boolean }) {
  const { t } = useTranslation('portal');
  const { id = '' } = useParams();
  const member = useMember();
  const navigate = useNavigate();
  const balance = useBalance();
  const pointsChanged = usePointsChanged();
  const reward = useQuery({
    queryKey: ['portal', 'rewards', 'one', id, wallet],
    queryFn: () => api.get<Reward>(`/portal/v1/rewards/${encodeURIComponent(id)}${query({ wallet })}`),
  });
  const [quantity, setQuantity] = useState<number>(1);
  const [delivery, setDelivery] = useState<Delivery>({ name: member.name, street: '', postalCode: '', city: '', country: '' });
  // One key per confirmation: a second tap, or a retry after a lost answer, is the same order.
  const [confirmKey, setConfirmKey] = useState<string>();
  // A second tap lands before the button shows it is busy; the key makes it harmless, this makes it silent.
  const sent = useRef(false);
  const order = useMutation({
    mutationFn: (key: string) =>
      api.post<Order>('/portal/v1/orders', {
        rewardId: id,
        quantity,
        wallet,
        idempotencyKey: key,
        ...(reward.data?.type === 'physical' && { delivery: { ...delivery, country: delivery.country.trim().toUpperCase() } }),
      }),
    onSettled: () => {
      sent.current = false;
    },
    onSuccess: async (placed) => {
      setConfirmKey(undefined);
      notifySuccess(t('shop.ordered'));
      await pointsChanged();
      navigate(`../ordered/${placed.id}`);
    },
  });

  if (reward.isPending) return <SkeletonList rows={1} height={360} />;
  if (reward.isError) return <ErrorAlert error={reward.error} />;
  const r = reward.data;
  const available = (wallet === 'company' ? balance.data?.company?.available : balance.data?.available) ?? 0;
  const total = r.pricePoints * quantity;
  const maxQuantity = Math.max(1, Math.min(100, r.stock ?? 100, Math.floor(available / Math.max(1, r.pricePoints))));
  const physical = r.type === 'physical';
  const deliveryComplete = !physical || (delivery.name && delivery.street && delivery.postalCode && delivery.city && delivery.country.trim().length === 2);
  const canOrder = r.orderable && r.affordable && total <= available && Boolean(deliveryComplete);
  const field = (key: keyof Delivery, label: string, extra: Record<string, unknown> = {}) => (
    <TextInput
      size="md"
      label={label}
      required
      value={delivery[key]}
      onChange={(e) => setDelivery({ ...delivery, [key]: e.currentTarget.value })}
      error={fieldError(order.error, key)}
      {...extra}
    />
  );
  return (
    <Stack>
      <Button component={Link} to=".." relative="path" variant="subtle" leftSection={<IconArrowLeft size={18} />} w="fit-content" px={0}>
        {t('shop.back')}
      </Button>
      <Card withBorder padding="md">
        <Card.Section>
          <RewardImage reward={r} />
        </Card.Section>
        <Title order={1} size="h3" mt="sm" style={{ overflowWrap: 'anywhere' }}>
          {r.name}
        </Title>
        <Text fw={800} size="xl" c="teal.9">
          {t('web:points', { count: r.pricePoints })}
        </Text>
        {r.description && (
          <Text mt="xs" style={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>
            {r.description}
          </Text>
        )}
        {r.stock !== null && (
          <Text size="sm" c="dimmed" mt="xs">
            {t('shop.stock', { count: r.stock })}
          </Text>
        )}
        {r.whyNot.length > 0 && (
          <Stack gap={2} mt="sm" role="note">
            {r.whyNot.map((w) => (
              <Text key={w} c="red.9" fw={600}>
                {w}
              </Text>
            ))}
          </Stack>
        )}
      </Card>
      {manager && <WalletChoice wallet={wallet} setWallet={setWallet} />}
      {r.orderable && (
        <Card withBorder>
          <Stack>
            <NumberInput
              size="md"
              label={t('shop.quantity')}
              min={1}
              max={maxQuantity}
              clampBehavior="strict"
              allowDecimal={false}
              allowNegative={false}
              value={quantity}
              onChange={(v) => setQuantity(typeof v === 'number' && v >= 1 ? v : 1)}
              error={fieldError(order.error, 'quantity')}
            />
            {physical && (
              <>
                <Title order={2} size="h5">
                  {t('shop.delivery')}
                </Title>
                {field('name', t('shop.address.name'), { autoComplete: 'name' })}
                {field('street', t('shop.address.street'), { autoComplete: 'street-address' })}
                <Group grow align="flex-start">
                  {field('postalCode', t('shop.address.postalCode'), { autoComplete: 'postal-code' })}
                  {field('city', t('shop.address.city'), { autoComplete: 'address-level2' })}
                </Group>
                {field('country', t('shop.address.country'), { autoComplete: 'country', maxLength: 2, description: t('shop.address.countryHint') })}
              </>
            )}
            <Text fw={600}>{t('shop.total', { points: t('web:points', { count: total }) })}</Text>
            <Button size="lg" fullWidth disabled={!canOrder} onClick={() => setConfirmKey(newIdempotencyKey())}>
              {t('shop.order')}
            </Button>
          </Stack>
        </Card>
      )}
      <Modal opened={confirmKey !== undefined} onClose={() => !order.isPending && setConfirmKey(undefined)} title={t('shop.confirmTitle')} centered>
        <Stack>
          <Text>{t('shop.confirmWhat', { quantity, name: r.name })}</Text>
          <Group justify="space-between">
            <Text>{t('shop.confirmCost')}</Text>
            <Text fw={700}>{t('web:points', { count: total })}</Text>
          </Group>
          <Group justify="space-between">
            <Text>{wallet === 'company' ? t('shop.companyAfter') : t('shop.balanceAfter')}</Text>
            <Text fw={700} data-testid="balance-after">
              {t('web:points', { count: available - total })}
            </Text>
          </Group>
          {order.error && (
            <Text c="red.9" role="alert">
              {messageOf(order.error)}
            </Text>
          )}
          <Group grow>
            <Button variant="default" size="md" disabled={order.isPending} onClick={() => setConfirmKey(undefined)}>
              {t('web:cancel')}
            </Button>
            <Button size="md" loading={order.isPending} onClick={() => {
                if (!confirmKey || sent.current) return;
                sent.current = true;
                order.mutate(confirmKey);
              }}>
              {t('shop.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function Ordered() {
  const { t } = useTranslation('portal');
  const { orderId = '' } = useParams();
  const order = useQuery({ queryKey: ['portal', 'orders', orderId], queryFn: () => api.get<Order>(`/portal/v1/orders/${orderId}`) });
  return (
    <Stack align="stretch">
      <Center>
        <ThemeIcon size={72} radius="xl" color="teal.9">
          <IconCircleCheck size={48} aria-hidden />
        </ThemeIcon>
      </Center>
      <Title order={1} size="h3" ta="center">
        {t('shop.thanks')}
      </Title>
      <ErrorAlert error={order.error} />
      {order.isPending ? <Skeleton height={120} radius="md" /> : order.data && (
        <Stack component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          <OrderCard order={order.data} />
        </Stack>
      )}
      <Button component={Link} to="/orders" size="md" fullWidth>
        {t('shop.followOrders')}
      </Button>
      <Button component={Link} to="/shop" size="md" variant="default" fullWidth>
        {t('shop.backToShop')}
      </Button>
    </Stack>
  );
}
