/** The page a password-reset (or welcome) mail links to: choose a password, then sign in with it. */
import { useState } from 'react';
import { Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../shared/api';
import { fieldError, messageOf } from '../shared/feedback';

export default function ResetPassword() {
  const { t } = useTranslation('console');
  const [params] = useSearchParams();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const mismatch = repeat.length > 0 && repeat !== password;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/auth/staff/password-reset/confirm', { token: params.get('token') ?? '', password });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container size={420} py={60}>
      <Paper withBorder p="lg" component="form" onSubmit={(e) => { e.preventDefault(); if (!mismatch) void submit(); }}>
        <Stack>
          <Title order={1} size="h3">{t('reset.title')}</Title>
          {done ? (
            <>
              <Text role="status">{t('reset.done')}</Text>
              <Button component={Link} to="/">{t('web:signIn')}</Button>
            </>
          ) : (
            <>
              <PasswordInput label={t('reset.new')} description={t('reset.rule')} autoComplete="new-password" required
                value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(error, 'password')} />
              <PasswordInput label={t('reset.repeat')} autoComplete="new-password" required value={repeat}
                onChange={(e) => setRepeat(e.currentTarget.value)} error={mismatch ? t('reset.mismatch') : undefined} />
              {error !== undefined && !fieldError(error, 'password') && <Text c="red" size="sm" role="alert">{messageOf(error)}</Text>}
              <Button type="submit" loading={busy}>{t('web:save')}</Button>
            </>
          )}
        </Stack>
      </Paper>
    </Container>
  );
}
