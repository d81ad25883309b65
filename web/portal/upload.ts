/**
 * A multipart upload that reports its progress: a photo from a phone on a building site's mobile network can
 * take a while, and a bar that moves tells the member it is on its way. fetch() cannot report upload progress,
 * so this one request goes through XMLHttpRequest; its errors become the same ApiError the rest of the pages know.
 */
import i18n from 'i18next';
import { ApiError, type FieldIssue } from '../shared/api';

export function uploadWithProgress<T>(path: string, form: FormData, csrfToken: string | undefined, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('accept-language', i18n.language || 'en');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', i18n.t('web:errors.network')));
    xhr.onload = () => {
      let json: Record<string, unknown> = {};
      try {
        json = xhr.responseText ? (JSON.parse(xhr.responseText) as Record<string, unknown>) : {};
      } catch {
        // A proxy's HTML error page: the status says enough.
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(json as T);
        return;
      }
      const code = typeof json.code === 'string' ? json.code : 'http_error';
      const detail = typeof json.detail === 'string' ? json.detail : i18n.t('web:errors.unexpected', { status: xhr.status });
      reject(new ApiError(xhr.status, code, detail, Array.isArray(json.errors) ? (json.errors as FieldIssue[]) : [], json));
    };
    xhr.send(form);
  });
}
