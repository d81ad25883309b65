/** A rule's effect and recipient in a few words, for the list. */
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../shared/format';
import { useStaff } from '../../session';
import type { Definition } from './model';

export function useEffectSummary(): (d: Definition) => string {
  const { t } = useTranslation('console-rules');
  const { program } = useStaff();
  return (d) => {
    const e = d.effect;
    let effect: string;
    switch (e.type) {
      case 'fixed':
      case 'crossSell':
        effect = t(`summary.${e.type}`, { count: e.points });
        break;
      case 'perAmount':
      case 'upsell':
        effect = t(`summary.${e.type}`, { count: e.points, per: formatMoney(e.per, program.currency) });
        break;
      case 'multiplier':
        return t('summary.multiplier', { factor: e.factor });
    }
    const r = d.recipient;
    const to = r.type === 'split' ? t('summary.split', { percent: r.accountPercent }) : t(`summary.to.${r.type}`);
    return `${effect} · ${to}`;
  };
}
