/** Staff sign-in with e-mail and password; a person on several programs' teams picks the program. */
import { useState } from 'react';
import { Anchor, Button, Center, Container, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../shared/api';
import { fieldError, messageOf } from '../shared/feedback';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { useSessionChanged, type StaffSession } from './session';

export default function SignIn() {
  const { t } = useTranslation('console');
  const sessionChanged = useSessionChanged();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [programs, setPrograms] = useState<Array<{ id: string; name: string }>>();
  const [programId, setProgramId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [resetSent, setResetSent] = useState(false);

  const signIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body = { email: email.trim(), password, ...(programId ? { programId } : {}) };
      sessionChanged(await api.post<StaffSession>('/auth/staff/sign-in', body));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'choose_program' && Array.isArray(err.body.programs)) {
        setPrograms(err.body.programs as Array<{ id: string; name: string }>);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const forgot = async () => {
    setError(undefined);
    try {
      await api.post('/auth/staff/password-reset', { email: email.trim() });
      setResetSent(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Container size={420} py={60}>
      <Stack>
        <Center>
          <Title order={1} size="h2">
            {t('signIn.title')}
          </Title>
        </Center>
        <Paper withBorder p="lg" component="form" onSubmit={(e) => { e.preventDefault(); void signIn(); }}>
          <Stack>
            <TextInput label={t('web:email')} type="email" autoComplete="username" required value={email}
              onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(error, 'email')} />
            <PasswordInput label={t('web:password')} autoComplete="current-password" required value={password}
              onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(error, 'password')} />
            {programs && (
              <Select label={t('signIn.program')} data={programs.map((p) => ({ value: p.id, label: p.name }))}
                value={programId} onChange={setProgramId} required />
            )}
            {error !== undefined && !(error instanceof ApiError && error.code === 'choose_program' && programId) &&
              !fieldError(error, 'email') && !fieldError(error, 'password') && (
                <Text c="red" size="sm" role="alert">{messageOf(error)}</Text>
              )}
            {resetSent && <Text size="sm" role="status">{t('signIn.resetSent')}</Text>}
            <Button type="submit" loading={busy} fullWidth>{t('web:signIn')}</Button>
            <Anchor component="button" type="button" size="sm" onClick={() => void forgot()} disabled={!email}>
              {t('signIn.forgot')}
            </Anchor>
          </Stack>
        </Paper>
        <LanguageSwitch />
      </Stack>
    </Container>
  );
}
