/** The mail module: an outbox written with the actions that cause mails, and its SMTP delivery. */
export { enqueueMails, listOutbox, outboxRows, type MailRequest, type OutboxMail } from './outbox.js';
export { deliverOutbox, smtpTransport, type MailTransport, type DeliveryReport } from './delivery.js';
export { mailDate, renderMail, type MailTemplate } from './templates.js';
