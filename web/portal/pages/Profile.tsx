/** Who I am signed in as, my language (remembered here and saved for my mails), and signing out. */
import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { notifyError } from '../../shared/feedback';
import { LanguageSwitch } from '../../shared/LanguageSwitch';
import { useMember, useSessionChanged } from '../session';

export default function Profile() {
  const { t } = useTranslation('portal');
  const member = useMember();
  const sessionChanged = useSessionChanged();
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('nav.profile')}
      </Title>
      <Card withBorder>
        <Text fw={600}>{member.name}</Text>
        <Text size="sm" c="dimmed">
          {member.email}
        </Text>
        <Text size="sm">{member.accountName}</Text>
      </Card>
      <LanguageSwitch onChange={(language) => void api.patch('/portal/v1/me', { language }).catch(notifyError)} />
      <Button variant="light" color="red" onClick={() => void api.post('/auth/member/sign-out').then(() => sessionChanged(null), notifyError)}>
        {t('web:signOut')}
      </Button>
    </Stack>
  );
}
