/** The program team: invite people, change their role, deactivate them, send them a link to set a password. */
import { Button, Group, Modal, Select, Stack, Switch, Table, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../../shared/api';
import { fieldError, notifyError, notifySuccess } from '../../../shared/feedback';
import { isAdmin, useStaff, type StaffRole } from '../../session';
import { PagedTable, usePaged } from './common';

interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  active: boolean;
}

const roles: StaffRole[] = ['owner', 'manager', 'support', 'viewer'];

export default function Staff() {
  const { t } = useTranslation('console-people');
  const me = useStaff();
  const client = useQueryClient();
  const list = usePaged<StaffUser>(['staff-users'], '/v1/staff-users');
  const [inviting, invite] = useDisclosure(false);
  const roleOptions = roles.map((r) => ({ value: r, label: t(`console:roles.${r}`) }));
  const change = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Partial<Pick<StaffUser, 'role' | 'active'>> }) => api.patch<StaffUser>(`/v1/staff-users/${id}`, patch),
    onSuccess: (u) => {
      notifySuccess(t('staff.saved', { name: u.name }));
      void client.invalidateQueries({ queryKey: ['staff-users'] });
    },
    onError: notifyError,
  });
  const resetLink = useMutation({
    mutationFn: (u: StaffUser) => api.post(`/v1/staff-users/${u.id}/password-reset`),
    onSuccess: (_r, u) => notifySuccess(t('staff.linkSent', { email: u.email })),
    onError: notifyError,
  });
  const admin = isAdmin(me.staff.role);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('nav.staff')}
        </Title>
        {admin && <Button onClick={invite.open}>{t('staff.invite')}</Button>}
      </Group>
      <PagedTable
        query={list}
        caption={t('nav.staff')}
        head={[t('fields.name'), t('fields.email'), t('staff.role'), t('staff.active'), t('staff.actions')]}
        row={(u) => (
          <Table.Tr key={u.id}>
            <Table.Td>{u.name}</Table.Td>
            <Table.Td>{u.email}</Table.Td>
            <Table.Td>
              <Select
                aria-label={t('staff.roleOf', { name: u.name })}
                data={roleOptions}
                value={u.role}
                allowDeselect={false}
                disabled={!admin || u.id === me.staff.id}
                onChange={(role) => role && change.mutate({ id: u.id, patch: { role: role as StaffRole } })}
                w={150}
              />
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={t('staff.activeOf', { name: u.name })}
                checked={u.active}
                disabled={!admin || u.id === me.staff.id}
                onChange={(e) => change.mutate({ id: u.id, patch: { active: e.currentTarget.checked } })}
              />
            </Table.Td>
            <Table.Td>
              {admin && u.active && (
                <Button variant="default" size="xs" loading={resetLink.isPending && resetLink.variables?.id === u.id} onClick={() => resetLink.mutate(u)}>
                  {t('staff.sendLink')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />
      <Modal opened={inviting} onClose={invite.close} title={t('staff.invite')}>
        <InviteForm roleOptions={roleOptions} onDone={invite.close} />
      </Modal>
    </Stack>
  );
}

function InviteForm({ roleOptions, onDone }: { roleOptions: Array<{ value: string; label: string }>; onDone: () => void }) {
  const { t } = useTranslation('console-people');
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string | null>('support');
  const create = useMutation({
    mutationFn: () => api.post<StaffUser>('/v1/staff-users', { name, email, role }),
    onSuccess: (u) => {
      notifySuccess(t('staff.invited', { name: u.name }));
      void client.invalidateQueries({ queryKey: ['staff-users'] });
      onDone();
    },
    onError: (err) => {
      if (!(err instanceof ApiError && err.errors.length)) notifyError(err);
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Stack>
        <TextInput label={t('fields.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required error={fieldError(create.error, 'name')} />
        <TextInput label={t('fields.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required error={fieldError(create.error, 'email')} />
        <Select label={t('staff.role')} data={roleOptions} value={role} onChange={setRole} allowDeselect={false} error={fieldError(create.error, 'role')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('web:cancel')}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t('staff.invite')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
