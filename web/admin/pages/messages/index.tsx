/**
 * Messages in the console: the texts of each message kind per language with a live preview, the tips rotated
 * into earn notices, sends to segments with their figures, the onboarding sequence, the outbox of mails and
 * text messages, and the channels each member role gets by default.
 */
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, Route, Routes } from 'react-router';
import { isAdmin, useStaff } from '../../session';
import { ChannelDefaults } from './Channels';
import { Onboarding } from './Onboarding';
import { Outbox } from './Outbox';
import { Sends } from './Sends';
import { Templates } from './Templates';
import { Tips } from './Tips';

const tabs = ['templates', 'tips', 'sends', 'onboarding', 'outbox', 'channels'] as const;
type Tab = (typeof tabs)[number];

export default function Messages() {
  return (
    <Routes>
      <Route index element={<MessagesTabs />} />
      <Route path=":tab/*" element={<MessagesTabs />} />
    </Routes>
  );
}

function MessagesTabs() {
  const { t } = useTranslation('console-messages');
  const { staff } = useStaff();
  const admin = isAdmin(staff.role);
  const params = useParams();
  const navigate = useNavigate();
  const tab: Tab = (tabs as readonly string[]).includes(params.tab ?? '') ? (params.tab as Tab) : 'templates';
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('title')}
      </Title>
      <Text c="dimmed">{t('intro')}</Text>
      <Tabs value={tab} onChange={(v) => v && void navigate(`/messages/${v}`)} keepMounted={false}>
        <Tabs.List>
          {tabs.map((x) => (
            <Tabs.Tab key={x} value={x}>
              {t(`tabs.${x}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="templates" pt="md">
          <Templates admin={admin} />
        </Tabs.Panel>
        <Tabs.Panel value="tips" pt="md">
          <Tips admin={admin} />
        </Tabs.Panel>
        <Tabs.Panel value="sends" pt="md">
          <Sends admin={admin} />
        </Tabs.Panel>
        <Tabs.Panel value="onboarding" pt="md">
          <Onboarding admin={admin} />
        </Tabs.Panel>
        <Tabs.Panel value="outbox" pt="md">
          <Outbox admin={admin} write={staff.role !== 'viewer'} />
        </Tabs.Panel>
        <Tabs.Panel value="channels" pt="md">
          <ChannelDefaults admin={admin} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
