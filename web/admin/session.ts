/** The staff user's session as the console sees it (contract: /auth/staff/*). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, rememberCsrfToken } from '../shared/api';
import { notifyError } from '../shared/feedback';

export type StaffRole = 'owner' | 'manager' | 'support' | 'viewer';

export interface StaffSession {
  staff: { id: string; name: string; email: string; role: StaffRole };
  program: { id: string; name: string; defaultLanguage: string; currency: string };
  /** The programs this person can switch to, the current one included. */
  programs: Array<{ id: string; name: string; role: StaffRole }>;
  /** May create programs. */
  instanceAdmin: boolean;
  csrfToken: string;
}

export const sessionKey = ['staff-session'] as const;

export function useStaffSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<StaffSession | null> => {
      try {
        const s = await api.get<StaffSession>('/auth/staff/session');
        rememberCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useSessionChanged() {
  const client = useQueryClient();
  return (session: StaffSession | null) => {
    rememberCsrfToken(session?.csrfToken);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
    client.setQueryData(sessionKey, session);
  };
}

/** The signed-in staff user; only inside the signed-in shell. */
export function useStaff(): StaffSession {
  const { data } = useStaffSession();
  if (!data) throw new Error('useStaff outside the signed-in console');
  return data;
}

/** What the role may change (mirrors the server's role scopes; the server decides, this only hides buttons). */
export function canWrite(role: StaffRole): boolean {
  return role !== 'viewer';
}
export function isAdmin(role: StaffRole): boolean {
  return role === 'owner';
}

/** Moves the console to another of the person's programs: a new session, and every cached answer dropped. */
export function useSwitchProgram() {
  const sessionChanged = useSessionChanged();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: (programId: string) => api.post<StaffSession>('/auth/staff/switch', { programId }),
    onSuccess: (session) => {
      sessionChanged(session);
      void navigate('/');
    },
    onError: notifyError,
  });
}
