/** A person who is a member of several companies (or programs) picks which one they act for now. */
import { useState } from 'react';
import { Button, Container, Stack, Text, Title, UnstyledButton, Paper, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { notifyError } from '../shared/feedback';
import { useSessionChanged, type MemberSession } from './session';

export default function ChooseAccount({ session }: { session: MemberSession }) {
  const { t } = useTranslation('portal');
  const sessionChanged = useSessionChanged();
  const [busy, setBusy] = useState<string>();
  const choose = async (memberId: string) => {
    setBusy(memberId);
    try {
      await api.post('/auth/member/choose', { memberId });
      sessionChanged(await api.get<MemberSession>('/auth/member/session'));
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Container size={480} py="xl">
      <Stack>
        <Title order={1} size="h3">
          {t('choose.title')}
        </Title>
        <Text size="sm">{t('choose.intro', { email: session.email })}</Text>
        {session.choices.map((c) => (
          <Paper key={c.memberId} withBorder p="md">
            <Group justify="space-between" wrap="nowrap">
              <div>
                <Text fw={600}>{c.accountName}</Text>
                <Text size="sm" c="dimmed">
                  {c.programName} · {c.memberName}
                </Text>
              </div>
              <Button loading={busy === c.memberId} onClick={() => void choose(c.memberId)}>
                {t('choose.select')}
              </Button>
            </Group>
          </Paper>
        ))}
        {session.choices.length === 0 && <Text>{t('choose.none')}</Text>}
        <UnstyledButton
          onClick={() => void api.post('/auth/member/sign-out').then(() => sessionChanged(null), notifyError)}
        >
          <Text size="sm" c="dimmed">
            {t('web:signOut')}
          </Text>
        </UnstyledButton>
      </Stack>
    </Container>
  );
}
