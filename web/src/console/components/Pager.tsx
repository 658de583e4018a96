import { Button, Group, Text } from '@mantine/core';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';

export interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  /**
   * The server stopped counting at `total` (the employees list counts up to 10,000): there are
   * more, so the pager says "more than" and offers the next page while this one is full.
   */
  isTotalCapped?: boolean;
  /** How many rows this page holds (needed with isTotalCapped: a full page may have a next one). */
  pageItems?: number;
  onChange: (page: number) => void;
}

/** "Showing 51–100 of 240" (or "of more than 10,000") with Previous page / Next page buttons. */
export function Pager({ page, pageSize, total, isTotalCapped = false, pageItems, onChange }: PagerProps) {
  const first = total === 0 && !isTotalCapped ? 0 : (page - 1) * pageSize + 1;
  const last = isTotalCapped ? (page - 1) * pageSize + (pageItems ?? pageSize) : Math.min(total, page * pageSize);
  const pages = isTotalCapped ? undefined : Math.max(1, Math.ceil(total / pageSize));
  const hasNext = pages === undefined ? (pageItems ?? 0) >= pageSize : page < pages;
  const of = isTotalCapped ? `more than ${total.toLocaleString('en-US')}` : String(total);
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed" aria-live="polite">
        {first === 0 || last < first ? 'No results' : `Showing ${first}–${last} of ${of}`}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconChevronLeft size={14} />}
          disabled={page <= 1}
          onClick={() => onChange(page - 1)}
          aria-label="Previous page"
        >
          Previous
        </Button>
        <Text size="sm">{pages === undefined ? `Page ${page}` : `Page ${Math.min(page, pages)} of ${pages}`}</Text>
        <Button
          variant="default"
          size="xs"
          rightSection={<IconChevronRight size={14} />}
          disabled={!hasNext}
          onClick={() => onChange(page + 1)}
          aria-label="Next page"
        >
          Next
        </Button>
      </Group>
    </Group>
  );
}
