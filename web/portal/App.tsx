/**
 * The member portal: signed out it shows sign-in; signed in as a person of several companies, the choice; then
 * the pages, with a bottom bar on phones (the thumb's reach) and a side bar on wider screens.
 */
import { Suspense, useEffect } from 'react';
import { AppShell, Group, NavLink, Text, UnstyledButton, Stack, Box } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, NavLink as RouterLink, Route, Routes, useLocation } from 'react-router';
import { Loading } from '../shared/root';
import { ErrorAlert } from '../shared/feedback';
import { api, whenSessionLost } from '../shared/api';
import { currentLanguage, languageChosen, languages, switchLanguage, type Language } from '../shared/i18n';
import { useQueryClient } from '@tanstack/react-query';
import SignIn from './SignIn';
import ChooseAccount from './ChooseAccount';
import AcceptInvitation from './AcceptInvitation';
import { portalPages } from './pages';
import { sessionKey, useMemberSession, type PortalMember } from './session';
import { keepReferralFromAddress, useApplyReferral } from './referral-link';

// Before any routing: a shared link's `?ref=CODE` is kept until the person is signed in.
keepReferralFromAddress();

export default function App() {
  return (
    <BrowserRouter>
      <Routes>
        {/* An invitation link opens whether or not somebody is signed in on this phone. */}
        <Route path="/invitations/:token" element={<AcceptInvitation />} />
        <Route path="*" element={<Gate />} />
      </Routes>
    </BrowserRouter>
  );
}

function Gate() {
  const session = useMemberSession();
  const client = useQueryClient();
  whenSessionLost(() => client.setQueryData(sessionKey, null));
  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorAlert error={session.error} />;
  if (!session.data) return <SignIn />;
  if (!session.data.member) return <ChooseAccount session={session.data} />;
  return <SignedIn member={session.data.member} />;
}

function SignedIn({ member }: { member: PortalMember }) {
  const { t } = useTranslation('portal');
  const wide = useMediaQuery('(min-width: 48em)', false);
  const location = useLocation();
  useApplyReferral();
  const client = useQueryClient();
  // The member's own language (set at invitation or in the profile) unless they picked one on this device; then
  // the profile takes that choice, so that what the server writes (history, order states, mails) speaks it too
  // instead of the page mixing two languages.
  useEffect(() => {
    const lng = member.language as Language | null;
    if (!languageChosen()) {
      if (lng && (languages as readonly string[]).includes(lng)) void switchLanguage(lng, false);
      return;
    }
    const chosen = currentLanguage();
    if (chosen === lng) return;
    void api.patch('/portal/v1/me', { language: chosen }).then(
      () => client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'portal' || q.queryKey[0] === sessionKey[0] }),
      () => {},
    );
  }, [member.language]);
  const pages = portalPages.filter((p) => !p.managers || member.isManager);
  const nav = pages.filter((p) => p.nav);
  return (
    <AppShell
      header={{ height: 52 }}
      navbar={wide ? { width: 220, breakpoint: 0 } : undefined}
      footer={wide ? undefined : { height: 64 }}
      padding="md"
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Text fw={700} truncate>
            {member.programName}
          </Text>
          <Text size="sm" c="dimmed" truncate>
            {member.accountName}
          </Text>
        </Group>
      </AppShell.Header>
      {wide && (
        <AppShell.Navbar p="xs" aria-label={t('nav.label')}>
          {nav.map((p) => (
            <NavLink
              key={p.path}
              component={RouterLink}
              to={p.path}
              label={t(p.label)}
              leftSection={p.icon ? <p.icon size={18} /> : null}
              active={p.path === '/' ? location.pathname === '/' : location.pathname.startsWith(p.path)}
            />
          ))}
        </AppShell.Navbar>
      )}
      <AppShell.Main>
        <Box maw={720} mx="auto">
          <Suspense fallback={<Loading />}>
            <Routes>
              {pages.map((p) => (
                <Route key={p.path} path={p.path === '/' ? '/' : `${p.path}/*`} element={<p.component />} />
              ))}
              <Route path="*" element={<Navigate to="/" replace />} />
            </Routes>
          </Suspense>
        </Box>
      </AppShell.Main>
      {!wide && (
        <AppShell.Footer aria-label={t('nav.label')} component="nav">
          <Group grow h="100%" gap={0}>
            {nav.map((p) => {
              const active = p.path === '/' ? location.pathname === '/' : location.pathname.startsWith(p.path);
              return (
                <UnstyledButton
                  key={p.path}
                  component={RouterLink}
                  to={p.path}
                  aria-current={active ? 'page' : undefined}
                  h="100%"
                  c={active ? 'teal.9' : 'gray.7'}
                >
                  <Stack gap={2} align="center" justify="center" h="100%">
                    {p.icon && <p.icon size={22} stroke={1.8} />}
                    <Text size="xs" fw={active ? 700 : 500}>
                      {t(p.label)}
                    </Text>
                  </Stack>
                </UnstyledButton>
              );
            })}
          </Group>
        </AppShell.Footer>
      )}
    </AppShell>
  );
}
