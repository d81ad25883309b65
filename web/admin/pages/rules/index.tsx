/** The rules area: the list, the editor (with its simulator) for a new or a saved rule, and the simulator alone. */
import { Route, Routes } from 'react-router';
import RuleEditor from './RuleEditor';
import RuleList from './RuleList';
import SimulatorPage from './SimulatorPage';

export default function RulesArea() {
  return (
    <Routes>
      <Route index element={<RuleList />} />
      <Route path="new" element={<RuleEditor />} />
      <Route path="simulator" element={<SimulatorPage />} />
      <Route path=":id" element={<RuleEditor />} />
    </Routes>
  );
}
