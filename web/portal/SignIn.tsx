/**
 * Members sign in with a one-time code sent by e-mail (or the link in the same mail); where the program allows,
 * with a password instead. Nothing to remember and nothing to type on a building site but six digits.
 */
import { useEffect, useRef, useState } from 'react';
import { Anchor, Button, Center, Container, Paper, PasswordInput, PinInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../shared/api';
import { currentLanguage } from '../shared/i18n';
import { fieldError, messageOf } from '../shared/feedback';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { useSessionChanged, type MemberSession } from './session';
import { PendingReferralNote } from './referral-link';

type Step = 'email' | 'code' | 'password';

export default function SignIn() {
  const { t } = useTranslation('portal');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const [step, setStep] = useState<Step>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const linkTried = useRef(false);

  const signedIn = (session: MemberSession) => {
    sessionChanged(session);
    navigate('/', { replace: true });
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // The link in the mail: /sign-in?token=…
  const token = params.get('token');
  useEffect(() => {
    if (!token || linkTried.current) return;
    linkTried.current = true;
    void run(async () => signedIn(await api.post<MemberSession>('/auth/member/verify', { token })));
  }, [token]);

  const sendCode = () =>
    run(async () => {
      await api.post('/auth/member/start', { email: email.trim(), language: currentLanguage() });
      setCode('');
      setStep('code');
    });

  const verify = (value: string) =>
    run(async () => signedIn(await api.post<MemberSession>('/auth/member/verify', { email: email.trim(), code: value })));

  const withPassword = () =>
    run(async () => signedIn(await api.post<MemberSession>('/auth/member/password-sign-in', { email: email.trim(), password })));

  return (
    <Container size={420} py="xl">
      <Stack>
        <Center>
          <Title order={1} size="h2">
            {t('signIn.title')}
          </Title>
        </Center>
        <PendingReferralNote />
        <Paper withBorder p="lg" component="form" onSubmit={(e) => {
          e.preventDefault();
          if (step === 'email') void sendCode();
          else if (step === 'code') void verify(code);
          else void withPassword();
        }}>
          <Stack>
            {step === 'email' && (
              <>
                <Text size="sm">{t('signIn.intro')}</Text>
                <TextInput
                  label={t('web:email')}
                  type="email"
                  autoComplete="email"
                  inputMode="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  error={fieldError(error, 'email')}
                />
                <Button type="submit" loading={busy} fullWidth size="md">
                  {t('signIn.sendCode')}
                </Button>
                <Anchor component="button" type="button" size="sm" onClick={() => setStep('password')}>
                  {t('signIn.usePassword')}
                </Anchor>
              </>
            )}
            {step === 'code' && (
              <>
                <Text size="sm">{t('signIn.codeSent', { email })}</Text>
                <Center>
                  <PinInput
                    length={6}
                    type="number"
                    oneTimeCode
                    size="lg"
                    aria-label={t('signIn.code')}
                    value={code}
                    onChange={setCode}
                    onComplete={(v) => void verify(v)}
                  />
                </Center>
                <Button type="submit" loading={busy} fullWidth size="md" disabled={code.length !== 6}>
                  {t('web:signIn')}
                </Button>
                <Anchor component="button" type="button" size="sm" onClick={() => setStep('email')}>
                  {t('signIn.otherEmail')}
                </Anchor>
              </>
            )}
            {step === 'password' && (
              <>
                <TextInput
                  label={t('web:email')}
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  error={fieldError(error, 'email')}
                />
                <PasswordInput
                  label={t('web:password')}
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  error={fieldError(error, 'password')}
                />
                <Button type="submit" loading={busy} fullWidth size="md">
                  {t('web:signIn')}
                </Button>
                <Anchor component="button" type="button" size="sm" onClick={() => setStep('email')}>
                  {t('signIn.useCode')}
                </Anchor>
              </>
            )}
            {error !== undefined && !fieldError(error, 'email') && !fieldError(error, 'password') && (
              <Text c="red" size="sm" role="alert">
                {messageOf(error)}
              </Text>
            )}
          </Stack>
        </Paper>
        <LanguageSwitch />
      </Stack>
    </Container>
  );
}
