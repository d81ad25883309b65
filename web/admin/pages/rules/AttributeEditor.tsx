/** One condition on an event attribute in the rule form. */
import { ActionIcon, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { attributeOps, issuesAt, valueTypes, type AttributeRow } from './model';

export function AttributeEditor({ index, row, err, onChange, onRemove }: { index: number; row: AttributeRow; err: unknown; onChange: (r: AttributeRow) => void; onRemove: () => void }) {
  const { t } = useTranslation('console-rules');
  const base = `conditions.attributes.${index}`;
  const n = index + 1;
  return (
    <Stack gap={4}>
      <Group align="start" wrap="wrap" gap="xs">
        <TextInput label={t('editor.attrPath', { n })} placeholder="channel" value={row.path} onChange={(e) => onChange({ ...row, path: e.currentTarget.value })} error={issuesAt(err, `${base}.path`)} w={180} />
        <Select
          label={t('editor.attrOp', { n })}
          data={attributeOps.map((op) => ({ value: op, label: t(`op.${op}`) }))}
          value={row.op}
          onChange={(v) => v && onChange({ ...row, op: v as AttributeRow['op'] })}
          allowDeselect={false}
          error={issuesAt(err, `${base}.op`)}
          w={170}
        />
        {row.op !== 'exists' && row.op !== 'gte' && row.op !== 'lte' && (
          <Select
            label={t('editor.attrType', { n })}
            data={valueTypes.filter((v) => row.op !== 'in' || v !== 'boolean').map((v) => ({ value: v, label: t(`valueType.${v}`) }))}
            value={row.valueType}
            onChange={(v) => v && onChange({ ...row, valueType: v as AttributeRow['valueType'] })}
            allowDeselect={false}
            w={130}
          />
        )}
        {row.op !== 'exists' &&
          (row.valueType === 'boolean' && row.op !== 'in' && row.op !== 'gte' && row.op !== 'lte' ? (
            <Select
              label={t('editor.attrValue', { n })}
              data={[
                { value: 'true', label: t('valueType.true') },
                { value: 'false', label: t('valueType.false') },
              ]}
              value={row.value === 'true' ? 'true' : 'false'}
              onChange={(v) => onChange({ ...row, value: v ?? 'false' })}
              allowDeselect={false}
              error={issuesAt(err, `${base}.value`)}
              w={130}
            />
          ) : (
            <TextInput
              label={t('editor.attrValue', { n })}
              description={row.op === 'in' ? t('editor.commaList') : undefined}
              value={row.value}
              onChange={(e) => onChange({ ...row, value: e.currentTarget.value })}
              error={issuesAt(err, `${base}.value`)}
              w={200}
            />
          ))}
        <ActionIcon mt={28} variant="subtle" color="red" aria-label={t('editor.removeAttribute', { n })} onClick={onRemove}>
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
