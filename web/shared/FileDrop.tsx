/**
 * A drop area for one file that is also a file picker (click, or Enter/Space when focused). Written here rather than
 * taken from @mantine/dropzone: that package and the three it pulls in declare Node ≥ 22, while Lojal builds on
 * Node 20 too, and one file with a size limit is all the console needs.
 */
import { LoadingOverlay, Paper } from '@mantine/core';
import { useRef, useState, type ReactNode } from 'react';

export interface FileDropProps {
  onDrop: (file: File) => void;
  /** A file of the wrong type or too large, or more than one file. */
  onReject: () => void;
  /** File name endings and MIME types, as an `<input accept>` takes them. */
  accept: string[];
  maxSize: number;
  loading?: boolean;
  label: string;
  name?: string;
  children: ReactNode;
}

function accepted(file: File, accept: string[]): boolean {
  const name = file.name.toLowerCase();
  return accept.some((a) => (a.startsWith('.') ? name.endsWith(a.toLowerCase()) : file.type === a));
}

export function FileDrop({ onDrop, onReject, accept, maxSize, loading = false, label, name, children }: FileDropProps) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const take = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const file = files[0]!;
    if (files.length > 1 || file.size > maxSize || !accepted(file, accept)) onReject();
    else onDrop(file);
  };
  return (
    <Paper
      withBorder
      p="md"
      pos="relative"
      role="button"
      tabIndex={0}
      aria-label={label}
      aria-busy={loading}
      style={{ borderStyle: 'dashed', cursor: loading ? 'progress' : 'pointer', background: over ? 'var(--mantine-color-blue-light)' : undefined }}
      onClick={() => !loading && input.current?.click()}
      onKeyDown={(e) => {
        if (!loading && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          input.current?.click();
        }
      }}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!loading) take(e.dataTransfer.files);
      }}
    >
      <input
        ref={input}
        type="file"
        name={name}
        accept={accept.join(',')}
        hidden
        tabIndex={-1}
        onChange={(e) => {
          take(e.currentTarget.files);
          // The same file picked again must fire `change` again.
          e.currentTarget.value = '';
        }}
      />
      <LoadingOverlay visible={loading} />
      {children}
    </Paper>
  );
}
