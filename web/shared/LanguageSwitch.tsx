import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, languageNames, languages, switchLanguage, type Language } from './i18n';

/** The language picker; the choice is remembered in this browser (and, where `onChange` saves it, on the server). */
export function LanguageSwitch({ onChange, label = true }: { onChange?: (lng: Language) => void; label?: boolean }) {
  const { t } = useTranslation('web');
  return (
    <Select
      aria-label={t('language')}
      label={label ? t('language') : undefined}
      data={languages.map((l) => ({ value: l, label: languageNames[l] }))}
      value={currentLanguage()}
      allowDeselect={false}
      w={label ? undefined : 150}
      onChange={(v) => {
        if (!v) return;
        void switchLanguage(v as Language);
        onChange?.(v as Language);
      }}
    />
  );
}
