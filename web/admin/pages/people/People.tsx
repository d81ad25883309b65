/** Accounts and members: searchable lists, each with a detail page. Mounted at /admin/accounts. */
import { Route, Routes } from 'react-router';
import AccountDetail from './AccountDetail';
import AccountList from './AccountList';
import MemberDetail from './MemberDetail';

export default function People() {
  return (
    <Routes>
      <Route index element={<AccountList />} />
      <Route path=":id" element={<AccountDetail />} />
      <Route path="members/:id" element={<MemberDetail />} />
    </Routes>
  );
}
