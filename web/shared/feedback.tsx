/**
 * Feedback every action gives: a notification when it worked, the server's message when it did not, and the
 * server's message for a form field next to that field.
 */
import { Alert } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import i18n from 'i18next';
import { ApiError } from './api';

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 3000, closeButtonProps: { 'aria-label': i18n.t('web:close') } });
}

export function notifyError(err: unknown): void {
  notifications.show({ color: 'red', title: i18n.t('web:errors.title'), message: messageOf(err), autoClose: 6000, closeButtonProps: { 'aria-label': i18n.t('web:close') } });
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return i18n.t('web:errors.unexpected', { status: '' });
}

/** Where a failed load would otherwise leave an empty page. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={i18n.t('web:errors.title')}>
      {messageOf(error)}
    </Alert>
  );
}

/** The server's message for a field, for Mantine inputs' `error` prop. */
export function fieldError(err: unknown, field: string): string | undefined {
  return err instanceof ApiError ? err.fieldError(field) : undefined;
}
