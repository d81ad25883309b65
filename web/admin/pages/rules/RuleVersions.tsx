/** A saved rule's versions, newest first. */
import { useState } from 'react';
import { Anchor, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../shared/api';
import { ErrorAlert } from '../../../shared/feedback';
import { formatDateTime } from '../../../shared/format';
import { Loading } from '../../../shared/root';
import type { Rule } from './model';

export function Versions({ rule }: { rule: Rule }) {
  const { t } = useTranslation('console-rules');
  const [shown, setShown] = useState<number | null>(null);
  const version = useQuery({
    queryKey: ['rule', rule.id, 'version', shown],
    queryFn: () => api.get<Rule>(`/v1/rules/${rule.id}/versions/${shown}`),
    enabled: shown !== null,
  });
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {t('versions.title')}
      </Title>
      <Table.ScrollContainer minWidth={500}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('versions.version')}</Table.Th>
              <Table.Th>{t('list.name')}</Table.Th>
              <Table.Th>{t('list.state')}</Table.Th>
              <Table.Th>{t('versions.effectiveFrom')}</Table.Th>
              <Table.Th>{t('versions.written')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...(rule.versions ?? [])].reverse().map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => setShown(shown === v.version ? null : v.version)} aria-expanded={shown === v.version}>
                    {t('editor.versionN', { version: v.version })}
                  </Anchor>
                </Table.Td>
                <Table.Td>{v.name}</Table.Td>
                <Table.Td>{v.active ? t('list.activeOne') : t('list.archivedOne')}</Table.Td>
                <Table.Td>{formatDateTime(v.effectiveFrom)}</Table.Td>
                <Table.Td>{formatDateTime(v.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {shown !== null && (
        <Stack gap={4}>
          <Text fw={500}>{t('versions.definitionOf', { version: shown })}</Text>
          {version.isPending ? <Loading /> : version.isError ? <ErrorAlert error={version.error} /> : <Code block>{JSON.stringify(version.data.definition, null, 2)}</Code>}
        </Stack>
      )}
    </Stack>
  );
}
