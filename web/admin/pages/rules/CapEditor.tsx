/** One cap in the rule form: how many points (or times) per period and per whom. */
import { ActionIcon, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { capPeriods, capScopes, issuesAt, type CapRow } from './model';

export function CapEditor({ index, cap, err, onChange, onRemove }: { index: number; cap: CapRow; err: unknown; onChange: (c: CapRow) => void; onRemove: () => void }) {
  const { t } = useTranslation('console-rules');
  const base = `caps.${index}`;
  const n = index + 1;
  return (
    <Stack gap={4}>
      <Group align="start" wrap="wrap" gap="xs">
        <Select
          label={t('editor.capScope', { n })}
          data={capScopes.map((s) => ({ value: s, label: t(`capScope.${s}`) }))}
          value={cap.scope}
          onChange={(v) => v && onChange({ ...cap, scope: v as CapRow['scope'] })}
          allowDeselect={false}
          error={issuesAt(err, `${base}.scope`)}
          w={170}
        />
        <Select
          label={t('editor.capPeriod', { n })}
          data={capPeriods.map((p) => ({ value: p, label: t(`period.${p}`) }))}
          value={cap.period}
          onChange={(v) => v && onChange({ ...cap, period: v as CapRow['period'] })}
          allowDeselect={false}
          error={issuesAt(err, `${base}.period`)}
          w={150}
        />
        <NumberInput label={t('editor.maxPoints', { n })} value={cap.maxPoints} onChange={(v) => onChange({ ...cap, maxPoints: v })} allowDecimal={false} error={issuesAt(err, `${base}.maxPoints`)} w={150} />
        <NumberInput label={t('editor.maxTimes', { n })} value={cap.maxTimes} onChange={(v) => onChange({ ...cap, maxTimes: v })} allowDecimal={false} error={issuesAt(err, `${base}.maxTimes`)} w={150} />
        <ActionIcon mt={28} variant="subtle" color="red" aria-label={t('editor.removeCap', { n })} onClick={onRemove}>
          <IconTrash size={16} />
        </ActionIcon>
      </Group>
      {issuesAt(err, base, true) && (
        <Text c="red.9" size="sm">
          {issuesAt(err, base, true)}
        </Text>
      )}
    </Stack>
  );
}
