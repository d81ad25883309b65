/**
 * The rewards catalogue's routes: the list (filtered and paged by the server), one reward's editor with its texts in
 * every language, its kind's own fields, stock and who may order it; and the shop's categories. Each part is its
 * own file in this folder.
 */
import { Route, Routes } from 'react-router';
import { Categories } from './RewardCategories';
import { RewardEditor } from './RewardForm';
import { RewardList } from './RewardList';

export default function Rewards() {
  return (
    <Routes>
      <Route index element={<RewardList />} />
      <Route path="categories" element={<Categories />} />
      <Route path="new" element={<RewardEditor />} />
      <Route path=":id" element={<RewardEditor />} />
    </Routes>
  );
}
