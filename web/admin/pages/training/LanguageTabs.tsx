/** The language being written or previewed, with a mark on the languages that are missing (they fall back). */
import { Group, SegmentedControl, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { languages, type Language } from './model';

export function LanguageTabs({ value, onChange, missing, label }: { value: Language; onChange: (l: Language) => void; missing: Language[]; label: string }) {
  const { t } = useTranslation('console-training');
  return (
    <Group gap="sm" align="center">
      <Text size="sm" fw={600} id={`lng-${label}`}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={`lng-${label}`}
        value={value}
        onChange={(v) => onChange(v as Language)}
        data={languages.map((l) => ({ value: l, label: missing.includes(l) ? `${l.toUpperCase()} ⚠` : l.toUpperCase() }))}
      />
      {missing.length > 0 && (
        <Text size="sm" c="orange.9">
          {t('missing', { languages: missing.join(', ') })}
        </Text>
      )}
    </Group>
  );
}
