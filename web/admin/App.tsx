/**
 * The admin console at /admin: sign-in (and the password-reset page mails link to) when signed out, otherwise
 * the shell with the menu of areas and the chosen area's page.
 */
import { Suspense } from 'react';
import { AppShell, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, NavLink as RouterLink, Route, Routes, useLocation } from 'react-router';
import { api, whenSessionLost } from '../shared/api';
import { ErrorAlert, notifyError } from '../shared/feedback';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { Loading } from '../shared/root';
import { consoleAreas } from './areas';
import ResetPassword from './ResetPassword';
import SignIn from './SignIn';
import { sessionKey, useSessionChanged, useStaffSession, useSwitchProgram, type StaffSession } from './session';

export default function App() {
  return (
    <BrowserRouter basename="/admin">
      <Routes>
        <Route path="/reset-password" element={<ResetPassword />} />
        <Route path="*" element={<Gate />} />
      </Routes>
    </BrowserRouter>
  );
}

function Gate() {
  const session = useStaffSession();
  const client = useQueryClient();
  whenSessionLost(() => client.setQueryData(sessionKey, null));
  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorAlert error={session.error} />;
  if (!session.data) return <SignIn />;
  return <Shell session={session.data} />;
}

/** The person's other programs in the account menu: one click moves the console there. */
function ProgramChoices({ session, label }: { session: StaffSession; label: string }) {
  const switchTo = useSwitchProgram();
  return (
    <>
      <Menu.Divider />
      <Menu.Label>{label}</Menu.Label>
      {session.programs.map((p) => (
        <Menu.Item key={p.id} disabled={p.id === session.program.id || switchTo.isPending} onClick={() => switchTo.mutate(p.id)}>
          {p.name}
        </Menu.Item>
      ))}
      <Menu.Divider />
    </>
  );
}

/** Menu labels may live in an area's own namespace (`console-<area>:nav.x`): all of them load with the shell. */
const menuNamespaces = ['console', ...new Set(consoleAreas.flatMap((a) => (a.label.includes(':') ? [a.label.split(':')[0]!] : [])))];

function Shell({ session }: { session: StaffSession }) {
  const { t } = useTranslation(menuNamespaces);
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const sessionChanged = useSessionChanged();
  const areas = consoleAreas.filter((a) => (!a.roles || a.roles.includes(session.staff.role)) && (!a.instanceAdmin || session.instanceAdmin));
  const isActive = (path: string) => (path === '/' ? location.pathname === '/' : location.pathname.startsWith(path));
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
            <Text fw={700} truncate>
              Lojal · {session.program.name}
            </Text>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <LanguageSwitch label={false} />
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={t('nav.account')}>
                  <Group gap={4} wrap="nowrap">
                    <Text size="sm" truncate visibleFrom="xs">
                      {session.staff.name}
                    </Text>
                    <IconChevronDown size={14} />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {session.staff.email} · {t(`roles.${session.staff.role}`)}
                </Menu.Label>
                {session.programs.length > 1 && <ProgramChoices session={session} label={t('programs.switchTo')} />}
                <Menu.Item
                  onClick={() => void api.post('/auth/staff/sign-out').then(() => sessionChanged(null), notifyError)}
                >
                  {t('web:signOut')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')}>
        <ScrollArea>
          {areas.map((a) => (
            <NavLink
              key={a.path}
              component={RouterLink}
              to={a.path}
              label={t(a.label)}
              leftSection={<a.icon size={18} />}
              active={isActive(a.path)}
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Routes>
            {areas.map((a) => (
              <Route key={a.path} path={a.path === '/' ? '/' : `${a.path}/*`} element={<a.component />} />
            ))}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
