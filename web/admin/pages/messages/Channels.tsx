/**
 * The channels transactional messages go on per member role (a foreman: SMS and the inbox; a buyer: e-mail),
 * unless a member chose their own in the portal; the row without a role is the default for everyone else.
 */
import { ActionIcon, Button, Checkbox, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert, notifySuccess } from '../../../shared/feedback';
import { Loading } from '../../../shared/root';
import { channels, type Channel, type RoleDefault } from './model';

export function ChannelDefaults({ admin }: { admin: boolean }) {
  const { t } = useTranslation('console-messages');
  const client = useQueryClient();
  const defaults = useQuery({ queryKey: ['message-channels'], queryFn: () => api.get<{ data: RoleDefault[] }>('/v1/message-channels') });
  const [rows, setRows] = useState<RoleDefault[]>([]);
  useEffect(() => {
    const data = defaults.data?.data ?? [];
    // The everyone-else row first, always there to edit.
    setRows([data.find((d) => d.role === '') ?? { role: '', channels: ['email', 'inbox'] }, ...data.filter((d) => d.role !== '')]);
  }, [defaults.data]);
  const save = useMutation({
    mutationFn: () => api.put<{ data: RoleDefault[] }>('/v1/message-channels', { data: rows.map((r) => ({ role: r.role.trim(), channels: r.channels })) }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['message-channels'] });
      notifySuccess(t('channels.saved'));
    },
  });
  const set = (i: number, patch: Partial<RoleDefault>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  if (defaults.isPending) return <Loading />;
  return (
    <Stack>
      <Text size="sm">{t('channels.help')}</Text>
      <ErrorAlert error={defaults.error ?? save.error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('channels.role')}</Table.Th>
            {channels.map((c) => (
              <Table.Th key={c}>{t(`channel.${c}`)}</Table.Th>
            ))}
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => {
            const roleLabel = i === 0 ? t('channels.everyoneElse') : r.role || t('channels.newRole');
            return (
              <Table.Tr key={i}>
                <Table.Td>
                  {i === 0 ? (
                    <Text size="sm">{t('channels.everyoneElse')}</Text>
                  ) : (
                    <TextInput aria-label={t('channels.role')} placeholder={t('channels.rolePlaceholder')} value={r.role} onChange={(e) => set(i, { role: e.currentTarget.value })} disabled={!admin} w={200} />
                  )}
                </Table.Td>
                {channels.map((c: Channel) => (
                  <Table.Td key={c}>
                    <Checkbox
                      aria-label={t('channels.channelFor', { channel: t(`channel.${c}`), role: roleLabel })}
                      checked={r.channels.includes(c)}
                      disabled={!admin}
                      onChange={(e) => set(i, { channels: e.currentTarget.checked ? [...r.channels, c] : r.channels.filter((x) => x !== c) })}
                    />
                  </Table.Td>
                ))}
                <Table.Td>
                  {admin && i > 0 && (
                    <ActionIcon variant="subtle" color="red" aria-label={t('channels.remove', { role: roleLabel })} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {admin && (
        <Group>
          <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => setRows((rs) => [...rs, { role: '', channels: ['email'] }])}>
            {t('channels.addRole')}
          </Button>
          <Button onClick={() => save.mutate()} loading={save.isPending}>
            {t('save')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
