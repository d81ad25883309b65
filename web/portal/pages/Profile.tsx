/**
 * Me: who I am signed in as, links to my history and orders, my language (remembered here and saved for my
 * mails), my phone number and which mails I want, switching company when I belong to several, and signing out.
 */
import { useEffect, useState } from 'react';
import { Button, Card, Group, NavLink, PasswordInput, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconChevronRight, IconHistory, IconPackage } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../shared/api';
import { ErrorAlert, fieldError, messageOf, notifyError, notifySuccess } from '../../shared/feedback';
import { LanguageSwitch } from '../../shared/LanguageSwitch';
import { meKey, useMe, type Me, type Preferences } from '../data';
import { useMember, useMemberSession, useSessionChanged, type MemberSession } from '../session';
import { PageSkeleton, PageTitle } from '../parts/ui';

export default function Profile() {
  const { t } = useTranslation('portal');
  const member = useMember();
  const me = useMe();
  const client = useQueryClient();
  const sessionChanged = useSessionChanged();
  const saved = (updated: Me) => client.setQueryData(meKey, updated);
  const signOut = useMutation({
    mutationFn: () => api.post('/auth/member/sign-out'),
    onSuccess: () => sessionChanged(null),
    onError: notifyError,
  });
  return (
    <Stack>
      <PageTitle>{t('nav.profile')}</PageTitle>
      <Card withBorder>
        <Text fw={700} size="lg" style={{ overflowWrap: 'anywhere' }}>
          {member.name}
        </Text>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {member.email}
        </Text>
        <Text size="sm" c="dimmed">
          {member.accountName} · {member.programName}
        </Text>
      </Card>
      <Card withBorder padding={0}>
        <NavLink component={Link} to="/history" label={t('nav.history')} leftSection={<IconHistory size={20} />} rightSection={<IconChevronRight size={18} />} py="md" variant="subtle" />
        <NavLink component={Link} to="/orders" label={t('nav.orders')} leftSection={<IconPackage size={20} />} rightSection={<IconChevronRight size={18} />} py="md" variant="subtle" />
      </Card>
      <Card withBorder>
        <LanguageSwitch
          onChange={(language) =>
            void api.patch<Me>('/portal/v1/me', { language }).then((updated) => {
              saved(updated);
              // Texts the server writes (history, reasons) come in the new language.
              void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'portal' && q.queryKey[1] !== 'me' });
            }, notifyError)
          }
        />
      </Card>
      <ErrorAlert error={me.error} />
      {/* The contact and mail cards are taller than any guess at them; below them only Sign out, so it waits too. */}
      {me.isPending ? (
        <PageSkeleton blocks={[156, 220]} />
      ) : (
        <>
          {me.data && <Contact me={me.data} onSaved={saved} />}
          {me.data?.password.allowed && <PasswordCard me={me.data} onSaved={saved} />}
          <Companies />
          <Button size="md" variant="outline" color="red.9" loading={signOut.isPending} onClick={() => signOut.mutate()}>
            {t('web:signOut')}
          </Button>
        </>
      )}
    </Stack>
  );
}

function Contact({ me, onSaved }: { me: Me; onSaved: (m: Me) => void }) {
  const { t } = useTranslation(['portal', 'portal-service']);
  const [phone, setPhone] = useState(me.phone ?? '');
  useEffect(() => setPhone(me.phone ?? ''), [me.phone]);
  const savePhone = useMutation({
    mutationFn: () => api.patch<Me>('/portal/v1/me', { phone: phone.trim() || null }),
    onSuccess: (updated) => {
      onSaved(updated);
      notifySuccess(t('profile.saved'));
    },
  });
  const savePreference = useMutation({
    mutationFn: (change: Partial<Preferences>) => api.patch<Me>('/portal/v1/me', { preferences: change }),
    onSuccess: (updated) => {
      onSaved(updated);
      notifySuccess(t('profile.saved'));
    },
    onError: notifyError,
  });
  const toggle = (key: keyof Preferences, label: string, description: string) => (
    <Switch
      size="md"
      label={label}
      description={description}
      checked={savePreference.isPending && savePreference.variables?.[key] !== undefined ? Boolean(savePreference.variables[key]) : me.preferences[key]}
      disabled={savePreference.isPending}
      onChange={(e) => savePreference.mutate({ [key]: e.currentTarget.checked })}
    />
  );
  return (
    <>
      <Card withBorder>
        <Stack
          component="form"
          gap="sm"
          onSubmit={(e: React.FormEvent) => {
            e.preventDefault();
            savePhone.mutate();
          }}
        >
          <TextInput
            size="md"
            type="tel"
            autoComplete="tel"
            label={t('profile.phone')}
            value={phone}
            onChange={(e) => setPhone(e.currentTarget.value)}
            error={fieldError(savePhone.error, 'phone') ?? (savePhone.error ? (savePhone.error as Error).message : undefined)}
          />
          <Button type="submit" size="md" variant="default" loading={savePhone.isPending} disabled={phone.trim() === (me.phone ?? '')}>
            {t('web:save')}
          </Button>
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          {t('profile.mails')}
        </Title>
        <Stack gap="md">
          {toggle('orderMails', t('profile.orderMails'), t('profile.orderMailsHint'))}
          {toggle('claimMails', t('profile.claimMails'), t('profile.claimMailsHint'))}
          {toggle('serviceMails', t('portal-service:mailsLabel'), t('portal-service:mailsHint'))}
          {toggle('newsletter', t('profile.newsletter'), t('profile.newsletterHint'))}
        </Stack>
      </Card>
    </>
  );
}

/** Where the program allows it, a password to sign in without waiting for a code; other devices are signed out. */
function PasswordCard({ me, onSaved }: { me: Me; onSaved: (m: Me) => void }) {
  const { t } = useTranslation('portal');
  const [password, setPassword] = useState('');
  const save = useMutation({
    mutationFn: () => api.post('/auth/member/password', { newPassword: password }),
    onSuccess: () => {
      setPassword('');
      onSaved({ ...me, password: { ...me.password, isSet: true } });
      notifySuccess(t('profile.passwordSaved'));
    },
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb={4}>
        {t('profile.password')}
      </Title>
      <Text size="sm" mb="sm">
        {me.password.isSet ? t('profile.passwordIsSet') : t('profile.passwordNotSet')}
      </Text>
      <Stack
        component="form"
        gap="sm"
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        {/* The address in a hidden field lets the phone's password manager store the pair. */}
        <input type="email" name="email" autoComplete="username" value={me.email ?? ''} readOnly hidden />
        <PasswordInput
          size="md"
          autoComplete="new-password"
          label={t('profile.newPassword')}
          description={t('profile.newPasswordHint', { min: me.password.minLength })}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={fieldError(save.error, 'newPassword') ?? (save.error ? messageOf(save.error) : undefined)}
        />
        <Button type="submit" size="md" variant="default" loading={save.isPending} disabled={password.length === 0}>
          {t('profile.savePassword')}
        </Button>
      </Stack>
    </Card>
  );
}

/** A person in several companies switches here; the session's other choices come from the sign-in. */
function Companies() {
  const { t } = useTranslation('portal');
  const session = useMemberSession();
  const member = useMember();
  const sessionChanged = useSessionChanged();
  const choose = useMutation({
    mutationFn: async (memberId: string) => {
      await api.post('/auth/member/choose', { memberId });
      return api.get<MemberSession>('/auth/member/session');
    },
    onSuccess: (s) => {
      sessionChanged(s);
      notifySuccess(t('profile.switched', { name: s.member?.accountName ?? '' }));
    },
    onError: notifyError,
  });
  const others = session.data?.choices.filter((c) => c.memberId !== member.id) ?? [];
  if (others.length === 0) return null;
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        {t('profile.switchCompany')}
      </Title>
      <Stack gap="sm">
        {others.map((c) => (
          <Group key={c.memberId} justify="space-between" wrap="nowrap">
            <div style={{ minWidth: 0 }}>
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {c.accountName}
              </Text>
              <Text size="sm" c="dimmed">
                {c.programName}
              </Text>
            </div>
            <Button size="md" variant="default" loading={choose.isPending && choose.variables === c.memberId} onClick={() => choose.mutate(c.memberId)}>
              {t('choose.select')}
            </Button>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
