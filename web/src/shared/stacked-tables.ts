import './stacked-tables.css';
import './text-wrap.css';

/**
 * Gives every body cell of every Mantine table the name of its column (`data-label`), which
 * stacked-tables.css shows in front of the value when a phone stacks the rows into cards. Runs
 * on every change of the page, so a table rendered later (a tab, a modal, the next page) is named too.
 * The cells keep their table roles explicitly, because `display: block` removes them in Chromium.
 */
function labelTables(root: ParentNode): void {
  for (const table of root.querySelectorAll<HTMLTableElement>('table.mantine-Table-table')) {
    const headerRow = table.tHead?.rows[0];
    const names: string[] = [];
    if (headerRow) {
      for (const th of headerRow.cells) {
        const name = (th.textContent ?? '').replace(/\s+/g, ' ').trim();
        for (let i = 0; i < th.colSpan; i++) names.push(name);
      }
    }
    setRole(table, 'table');
    for (const body of table.tBodies) {
      setRole(body, 'rowgroup');
      for (const row of body.rows) {
        setRole(row, 'row');
        let column = 0;
        for (const cell of row.cells) {
          setRole(cell, cell.tagName === 'TH' ? 'rowheader' : 'cell');
          const name = cell.colSpan === 1 ? (names[column] ?? '') : '';
          if (cell.getAttribute('data-label') !== name) cell.setAttribute('data-label', name);
          column += cell.colSpan;
        }
      }
    }
  }
}

function setRole(element: Element, role: string): void {
  if (!element.hasAttribute('role')) element.setAttribute('role', role);
}

/** Starts naming the cells of the tables on this page, now and whenever the page changes. */
export function startStackedTables(): void {
  let scheduled = false;
  const run = () => {
    scheduled = false;
    labelTables(document);
  };
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(run);
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  run();
}
