/** The campaigns that earn the member extra points now, each with what it adds and its last day. */
import { Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../shared/feedback';
import { OfferList, useOffers } from '../parts/Offers';
import { Empty, PageTitle, SkeletonList } from '../parts/ui';

export default function Offers() {
  const { t } = useTranslation('portal-offers');
  const offers = useOffers();
  const list = offers.data?.data ?? [];
  return (
    <Stack>
      <PageTitle>{t('title')}</PageTitle>
      <Text c="dimmed">{t('intro')}</Text>
      <ErrorAlert error={offers.error} />
      {offers.isPending ? <SkeletonList rows={2} height={120} /> : list.length === 0 ? <Empty>{t('empty')}</Empty> : <OfferList offers={list} />}
    </Stack>
  );
}
