/** The member's session as the portal sees it (contract: /auth/member/*). */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, rememberCsrfToken } from '../shared/api';

export interface PortalMember {
  id: string;
  name: string;
  email: string;
  role: string | null;
  language: string | null;
  programId: string;
  programName: string;
  accountId: string;
  accountName: string;
  isManager: boolean;
}

export interface MemberChoice {
  programId: string;
  programName: string;
  memberId: string;
  memberName: string;
  accountId: string;
  accountName: string;
  role: string | null;
}

export interface MemberSession {
  csrfToken: string;
  email: string;
  member: PortalMember | null;
  choices: MemberChoice[];
}

export const sessionKey = ['member-session'] as const;

/** The session, or null when signed out. */
export function useMemberSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<MemberSession | null> => {
      try {
        const s = await api.get<MemberSession>('/auth/member/session');
        rememberCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.code === 'session_required')) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/** After sign-in, choice or sign-out: store what the server said and drop every cached answer of the old session. */
export function useSessionChanged() {
  const client = useQueryClient();
  return (session: MemberSession | null) => {
    rememberCsrfToken(session?.csrfToken);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
    client.setQueryData(sessionKey, session);
  };
}

/** The signed-in member; only for pages rendered inside the signed-in layout. */
export function useMember(): PortalMember {
  const { data } = useMemberSession();
  if (!data?.member) throw new Error('useMember outside the signed-in portal');
  return data.member;
}
