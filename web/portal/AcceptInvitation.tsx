/**
 * Where an invitation mail's link lands (/invitations/<token>): whom the invitation is for, the name and
 * language to confirm, and one button that makes the person a member and signs them in.
 */
import { useState } from 'react';
import { Button, Container, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../shared/api';
import { ErrorAlert, fieldError, messageOf } from '../shared/feedback';
import { currentLanguage, languageChosen, switchLanguage, type Language } from '../shared/i18n';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { formatDate } from '../shared/format';
import { Loading } from '../shared/root';
import { useSessionChanged, type MemberSession } from './session';
import { PendingReferralNote } from './referral-link';

interface Invitation {
  programName: string;
  accountName: string;
  name: string;
  email: string | null;
  language: Language;
  expiresAt: string;
}

export default function AcceptInvitation() {
  const { t } = useTranslation('portal-join');
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const [name, setName] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: async () => {
      const inv = await api.get<Invitation>(`/auth/invitations/${encodeURIComponent(token)}`);
      // The inviter chose the person's language; show the page in it unless they picked one here before.
      if (!languageChosen()) await switchLanguage(inv.language, false);
      return inv;
    },
  });
  if (invitation.isPending) return <Loading />;
  if (invitation.isError) {
    return (
      <Container size={420} py="xl">
        <ErrorAlert error={invitation.error} />
      </Container>
    );
  }
  const inv = invitation.data;
  const accept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.post<MemberSession>(`/auth/invitations/${encodeURIComponent(token)}/accept`, {
        name: (name ?? inv.name).trim(),
        language: currentLanguage(),
      });
      sessionChanged(session);
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container size={420} py="xl">
      <Stack>
        <Title order={1} size="h3">
          {t('title', { program: inv.programName })}
        </Title>
        <Paper withBorder p="lg" component="form" onSubmit={(e) => { e.preventDefault(); void accept(); }}>
          <Stack>
            <Text>{t('intro', { account: inv.accountName, email: inv.email ?? '' })}</Text>
            <PendingReferralNote />
            <TextInput label={t('name')} autoComplete="name" required value={name ?? inv.name}
              onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} />
            <LanguageSwitch />
            {error !== undefined && !fieldError(error, 'name') && <Text c="red" size="sm" role="alert">{messageOf(error)}</Text>}
            <Button type="submit" size="md" loading={busy}>{t('join')}</Button>
            <Text size="sm" c="dimmed">{t('validUntil', { date: formatDate(inv.expiresAt) })}</Text>
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}
