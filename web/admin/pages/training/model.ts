/** The console's view of courses and content (src/training/present.ts), and the language fallback as the portal applies it. */
export const languages = ['en', 'sv', 'nb', 'pl', 'de'] as const;
export type Language = (typeof languages)[number];
export type Texts = Partial<Record<Language, string>>;
export type Status = 'draft' | 'published' | 'archived';
export type ModuleKind = 'text' | 'video' | 'file' | 'quiz';

export interface CourseModule {
  id: string;
  position: number;
  kind: ModuleKind;
  title: Texts;
  body: Texts;
  url: string | null;
  fileId: string | null;
  quizId: string | null;
  missingLanguages: Language[];
  completions: number;
}

export interface Course {
  id: string;
  code: string;
  title: Texts;
  summary: Texts;
  status: Status;
  certificate: { validMonths: number | null; renewBy: 'course' | 'quiz' } | null;
  publishedAt: string | null;
  missingLanguages: Language[];
  modules: CourseModule[];
  figures: { started: number; completed: number };
}

export interface ContentItem {
  id: string;
  kind: 'article' | 'file';
  title: Texts;
  summary: Texts;
  body: Texts;
  fileId: string | null;
  audience: { tiers: string[]; roles: string[]; segments: string[]; tags: string[] };
  earlyAccess: Record<string, number>;
  availableAt: string | null;
  status: Status;
  publishedAt: string | null;
  missingLanguages: Language[];
  figures: { readers: number; reads: number; accounts: number; audience: number };
}

/** The member's language, else the program's, else the first written — what the portal shows. */
export function pick(texts: Texts, wanted: Language, programDefault: Language): { text: string; language: Language; fallback: boolean } {
  if (texts[wanted]) return { text: texts[wanted]!, language: wanted, fallback: false };
  for (const l of [programDefault, ...languages]) if (texts[l]) return { text: texts[l]!, language: l, fallback: true };
  return { text: '', language: programDefault, fallback: true };
}

/** Empty strings out: the API takes a language's text or nothing. */
export const cleanTexts = (t: Texts): Texts => Object.fromEntries(Object.entries(t).filter(([, v]) => v && v.trim())) as Texts;

export const paragraphs = (text: string): string[] => text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);

/** Uploads one file for a module or a content item; answers its id. */
export async function uploadTrainingFile(file: File, upload: (path: string, form: FormData) => Promise<{ data: Array<{ id: string }> }>): Promise<string> {
  const form = new FormData();
  form.append('file', file, file.name);
  return (await upload('/v1/training/files', form)).data[0]!.id;
}
