/**
 * The uplift as a picture: the purchase amount per account of the treated and the held-out group, and their
 * difference with its 95 % confidence interval drawn as a whisker around the bar, against a line at zero — an
 * interval that crosses the line means the campaign's effect is not shown yet.
 */
import { Bar, BarChart, CartesianGrid, ErrorBar, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../shared/format';
import type { Report } from './model';

export function UpliftChart({ report, currency }: { report: Report; currency: string }) {
  const { t } = useTranslation('console-campaigns');
  const u = report.uplift!;
  const money = (v: number) => formatMoney(Math.round(v), currency);
  const rows = [
    { name: t('uplift.treated'), value: report.groups.treatment.mean },
    { name: t('uplift.control'), value: report.groups.control.mean },
    { name: t('uplift.difference'), value: u.difference, interval: [u.difference - u.low, u.high - u.difference] },
  ];
  const lowest = Math.min(0, u.low);
  const highest = Math.max(report.groups.treatment.mean, report.groups.control.mean, u.high);
  return (
    <div role="img" aria-label={t('uplift.chartLabel', { difference: money(u.difference), low: money(u.low), high: money(u.high) })} data-testid="uplift-chart">
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[lowest, highest]} tickFormatter={money} />
          <YAxis type="category" dataKey="name" width={150} />
          <Tooltip formatter={(v) => money(Number(v))} />
          <ReferenceLine x={0} stroke="#495057" />
          <Bar dataKey="value" fill="#0c8599" isAnimationActive={false}>
            <ErrorBar dataKey="interval" width={10} strokeWidth={2} stroke="#212529" direction="x" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
