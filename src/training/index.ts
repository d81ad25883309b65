/**
 * Trainings and members-only content: what other modules may call. The quiz engine completes a quiz module
 * with `completeQuizModules` (or `completeModuleIn` with the module id) inside the transaction recording the
 * pass; the tiers module reads `blockedLevelsFor`; the scheduler runs `runCertificateReminders`.
 */
export { completeModule, completeModuleIn, completeQuizModules, TRAINING_COMPLETED, trainingEventId, type CompletionResult } from './complete.js';
export { blockedLevelsFor, loadRequirements } from './requirements.js';
export { runCertificateReminders } from './reminders.js';
