/** The rule form's building blocks: a titled section with its help and error, and an "add" button. */
import type { ReactNode } from 'react';
import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';

export function Section({ title, help, error, children }: { title: string; help?: string; error?: string | undefined; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        {title}
      </Title>
      {help && (
        <Text size="sm" c="dimmed">
          {help}
        </Text>
      )}
      {error && (
        <Text c="red.9" size="sm" role="alert">
          {error}
        </Text>
      )}
      {children}
    </Stack>
  );
}

export function AddButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <Group>
      <Button variant="subtle" leftSection={<IconPlus size={16} />} onClick={onClick}>
        {children}
      </Button>
    </Group>
  );
}
