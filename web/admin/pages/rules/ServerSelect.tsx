/**
 * A select whose options the server finds as the user types (accounts, members, products): lists can be far
 * too long to load whole. The chosen option is kept among the options so its label stays visible.
 */
import { useState } from 'react';
import { Loader, Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

export interface Option {
  value: string;
  label: string;
}

interface Props extends Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchValue' | 'onSearchChange'> {
  /** Cache key of the search, e.g. ['accounts'] plus anything the search depends on. */
  searchKey: readonly unknown[];
  search: (q: string) => Promise<Option[]>;
  value: Option | null;
  onChange: (option: Option | null) => void;
}

export function ServerSelect({ searchKey, search, value, onChange, ...rest }: Props) {
  const [text, setText] = useState(value?.label ?? '');
  // Typing searches; the text a selection puts in the box is the chosen label, which is not a search.
  const [debounced] = useDebouncedValue(text === value?.label ? '' : text.trim(), 250);
  const found = useQuery({ queryKey: [...searchKey, debounced], queryFn: () => search(debounced), placeholderData: keepPreviousData });
  const options = [...(value ? [value] : []), ...(found.data ?? []).filter((o) => o.value !== value?.value)];
  return (
    <Select
      {...rest}
      searchable
      data={options}
      value={value?.value ?? null}
      searchValue={text}
      onSearchChange={setText}
      filter={({ options: all }) => all}
      onChange={(v) => onChange(options.find((o) => o.value === v) ?? null)}
      rightSection={found.isFetching ? <Loader size="xs" /> : undefined}
    />
  );
}
