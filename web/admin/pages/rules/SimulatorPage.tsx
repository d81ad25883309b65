/** The simulator on its own page: a sample event judged by the live rules. */
import { Anchor, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Simulator } from './Simulator';

export default function SimulatorPage() {
  const { t } = useTranslation('console-rules');
  return (
    <Stack maw={900}>
      <Anchor component={Link} to=".." relative="path">
        {t('editor.back')}
      </Anchor>
      <Simulator heading="h1" />
    </Stack>
  );
}
