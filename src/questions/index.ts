/**
 * The question engine: question kinds, localized texts with fallback to the program's default language,
 * versioned forms, answer validation and server-side quiz checking. Surveys and quizzes build on it; a
 * training's quiz module refers to a quiz by id (src/quizzes).
 */
export * from './types.js';
export { localize, missingDefaultTexts, translationGaps, type Localized } from './localize.js';
export { checkQuiz, isCorrect, publicQuestion, scoreRange, shuffled, validateAnswers, type PublicQuestion, type QuizCheck } from './answers.js';
export { formVersion, formVersions, publishFormVersion } from './forms.js';
