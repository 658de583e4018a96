/** CSV for downloads that people open in a spreadsheet (RFC 4180). */

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula (OWASP CSV injection). */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line of cells, with the CRLF ending RFC 4180 asks for. */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;
