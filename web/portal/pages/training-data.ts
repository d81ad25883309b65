/** The portal's view of courses, certificates and members-only content (src/training/portal-routes.ts). */
export interface Picked {
  text: string;
  language: string;
  fallback: boolean;
}

export interface CourseCard {
  id: string;
  title: Picked;
  summary: string;
  modules: number;
  done: number;
  complete: boolean;
  points: number;
  certificate: { validMonths: number | null; renewBy: 'course' | 'quiz' } | null;
}

export interface PlayerModule {
  id: string;
  kind: 'text' | 'video' | 'file' | 'quiz';
  state: 'done' | 'open' | 'locked';
  title: Picked;
  body: Picked | null;
  url: string | null;
  file: { id: string; url: string; contentType: string; sizeBytes: number; fileName: string | null } | null;
  quizId: string | null;
}

export interface CoursePlayer extends Omit<CourseCard, 'modules'> {
  modules: PlayerModule[];
  next: string | null;
  certificateId: string | null;
  /** Renewing my certificate of the course: offered (it expires within 30 days or has expired), or under way. */
  renewal: { state: 'available' | 'started'; certificateId: string; renewBy: 'course' | 'quiz' } | null;
}

export interface Certificate {
  id: string;
  courseId: string;
  code: string;
  courseTitle: string;
  issuedAt: string;
  expiresAt: string | null;
  status: 'valid' | 'expired' | 'revoked' | 'replaced';
  expiresSoon: boolean;
  pdfUrl: string;
}

export interface Completion {
  recorded: boolean;
  progress: { done: number; total: number };
  course: { completedAt: string; points: number; certificate: Certificate | null } | null;
}

export interface ContentCard {
  id: string;
  kind: 'article' | 'file';
  title: Picked;
  summary: string;
  opensAt: string;
  early: boolean;
  read: boolean;
}

export interface ContentItem extends ContentCard {
  body: Picked | null;
  file: PlayerModule['file'];
}

/** A text as paragraphs (the authors write plain text with blank lines between paragraphs). */
export const paragraphs = (text: string): string[] => text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
