/**
 * My channels: where messages about my own points, orders and claims reach me (e-mail, text message, the inbox
 * here), or the default my program set for my role; and my time zone, so that text messages never come at
 * night where I am. Offers and newsletters go by consent, chosen under privacy.
 */
import { Anchor, Button, Card, Checkbox, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../shared/api';
import { ErrorAlert, fieldError, notifySuccess } from '../../shared/feedback';
import { localeOf } from '../../shared/format';
import { PageTitle, SkeletonList } from '../parts/ui';

type Channel = 'email' | 'sms' | 'inbox';
const channels: Channel[] = ['email', 'sms', 'inbox'];

interface Preferences {
  channels: Channel[] | null;
  effective: Channel[];
  source: 'member' | 'role' | 'program' | 'built_in';
  reachable: Channel[];
  timeZone: string | null;
}

const key = ['portal', 'message-preferences'];

/** Every zone the browser knows, or a short list where it cannot say. */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['Europe/Stockholm', 'Europe/Oslo', 'Europe/Warsaw', 'Europe/Berlin', 'Europe/Helsinki', 'Europe/London', 'UTC'];
}

export default function ChannelsPage() {
  const { t } = useTranslation('portal-privacy');
  const client = useQueryClient();
  const prefs = useQuery({ queryKey: key, queryFn: () => api.get<Preferences>('/portal/v1/message-preferences') });
  const [chosen, setChosen] = useState<Channel[]>([]);
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    if (!prefs.data) return;
    setChosen(prefs.data.effective.filter((c) => prefs.data.reachable.includes(c)));
    setZone(prefs.data.timeZone);
  }, [prefs.data]);
  const save = useMutation({
    mutationFn: (body: { channels?: Channel[] | null; timeZone?: string | null }) => api.put<Preferences>('/portal/v1/message-preferences', body),
    onSuccess: (data) => {
      client.setQueryData(key, data);
      notifySuccess(t('channels.saved'));
    },
  });
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z.replace(/_/g, ' ') })), []);
  const localTime = zone ? new Intl.DateTimeFormat(localeOf(), { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(new Date()) : null;
  const data = prefs.data;
  return (
    <Stack>
      <PageTitle>{t('channels.title')}</PageTitle>
      <ErrorAlert error={prefs.error} />
      {!data ? (
        <SkeletonList rows={2} height={160} />
      ) : (
        <>
          <Card withBorder component="section" aria-labelledby="channels-transactional">
            <Title order={2} size="h4" id="channels-transactional">
              {t('channels.transactional')}
            </Title>
            <Text size="sm" mt={4}>
              {t('channels.transactionalHelp')}
            </Text>
            <Stack gap="sm" mt="md">
              {channels.map((c) => {
                const reachable = data.reachable.includes(c);
                return (
                  <Checkbox
                    key={c}
                    size="md"
                    label={t(`channel.${c}`)}
                    description={reachable ? undefined : t(`channels.unreachable.${c}`)}
                    checked={chosen.includes(c)}
                    disabled={!reachable || save.isPending}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setChosen((cs) => (on ? channels.filter((x) => x === c || cs.includes(x)) : cs.filter((x) => x !== c)));
                    }}
                    data-testid={`channel-${c}`}
                  />
                );
              })}
            </Stack>
            <Text size="sm" mt="sm" c="dimmed" data-testid="channels-source">
              {t(`channels.source.${data.source}`)}
            </Text>
            {chosen.length === 0 && (
              <Text size="sm" c="red.9" mt="xs" role="alert">
                {t('channels.atLeastOne')}
              </Text>
            )}
            <Group mt="sm">
              <Button size="md" onClick={() => save.mutate({ channels: chosen })} loading={save.isPending && Array.isArray(save.variables?.channels)} disabled={chosen.length === 0}>
                {t('channels.save')}
              </Button>
              {data.source === 'member' && (
                <Button size="md" variant="default" onClick={() => save.mutate({ channels: null })} loading={save.isPending && save.variables?.channels === null}>
                  {t('channels.useDefault')}
                </Button>
              )}
            </Group>
            <ErrorAlert error={save.error && !fieldError(save.error, 'timeZone') ? save.error : null} />
          </Card>
          <Card withBorder component="section" aria-labelledby="channels-quiet">
            <Title order={2} size="h4" id="channels-quiet">
              {t('channels.quietHours')}
            </Title>
            <Text size="sm" mt={4}>
              {t('channels.quietHoursHelp')}
            </Text>
            <Select
              mt="sm"
              size="md"
              label={t('channels.timeZone')}
              placeholder={t('channels.programZone')}
              data={zones}
              value={zone}
              onChange={setZone}
              searchable
              clearable
              error={fieldError(save.error, 'timeZone')}
              nothingFoundMessage={t('channels.noZone')}
            />
            {localTime && (
              <Text size="sm" mt={4} c="dimmed">
                {t('channels.localTime', { time: localTime })}
              </Text>
            )}
            <Group mt="sm">
              <Button size="md" variant="default" onClick={() => save.mutate({ timeZone: zone })} loading={save.isPending && save.variables?.timeZone !== undefined}>
                {t('channels.saveZone')}
              </Button>
            </Group>
          </Card>
          <Text size="sm">
            {t('channels.marketing')}{' '}
            <Anchor component={Link} to="/privacy">
              {t('channels.toPrivacy')}
            </Anchor>
          </Text>
        </>
      )}
    </Stack>
  );
}
