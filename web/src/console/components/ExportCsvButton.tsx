import { Button } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';

/** "Export CSV": downloads the list as the page filters it (`href` is the export URL with the same filters). */
export function ExportCsvButton({ href }: { href: string }) {
  return (
    <Button component="a" href={href} download variant="default" leftSection={<IconDownload size={16} />}>
      Export CSV
    </Button>
  );
}
