/** API keys and webhooks: how other systems talk to Lojal. Owners only (the server requires the admin scope). */
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { IconKey, IconWebhook } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ApiKeys } from './ApiKeys';
import { Webhooks } from './Webhooks';

export default function Integrations() {
  const { t } = useTranslation('console-insight');
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('nav.integrations')}
      </Title>
      <Text c="dimmed">{t('integrations.intro')}</Text>
      <Tabs defaultValue="keys" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="keys" leftSection={<IconKey size={16} />}>
            {t('keys.title')}
          </Tabs.Tab>
          <Tabs.Tab value="webhooks" leftSection={<IconWebhook size={16} />}>
            {t('hooks.title')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="keys" pt="md">
          <ApiKeys />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          <Webhooks />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
