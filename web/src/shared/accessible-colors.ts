import { DEFAULT_THEME, type MantineColorsTuple } from '@mantine/core';

/**
 * Mantine's palettes, darkened where its light scheme puts text on them, so that every text passes
 * WCAG 2.1 AA (4.5:1, §1.4.3) as axe-core measures it. In the light scheme Mantine writes
 * - shade 6: filled backgrounds under white text, and the text of `c="red"`, outline and subtle variants;
 * - shade 9 on shade 1: the light variant (badges, alerts, light buttons);
 * - gray 6: dimmed text, often on a gray 0/1 surface (cards, table headers).
 * Stock shade 6 is too light for most colours (indigo 4.3:1, green 2.5:1, yellow 1.8:1), and light
 * badges of yellow, orange and lime fail too. The lighter shades (backgrounds, borders) stay as they are.
 */

type Rgb = [number, number, number];

function parse(hex: string): Rgb {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const toHex = (rgb: number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** Relative luminance, WCAG 2.1 §1.4.3 definition. */
function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `hex` mixed towards black in small steps until it reaches `ratio` against `background`. */
export function darkenUntil(hex: string, background: string, ratio: number): string {
  const rgb = parse(hex);
  for (let amount = 0; amount <= 1; amount += 0.02) {
    const candidate = toHex(rgb.map((c) => c * (1 - amount)));
    if (contrast(candidate, background) >= ratio) return candidate;
  }
  return '#000000';
}

/** A little over 4.5, so that rounding and anti-aliasing never bring a text under the line. */
const AA = 4.6;
/** The lightest surface the console and the portal put text on (gray 1: cards, table headers). */
const SURFACE = DEFAULT_THEME.colors.gray[1];

/** One palette made readable: shade 6 on white and on gray 1, shade 9 on shade 1, 7 and 8 in between. */
export function readablePalette(shades: readonly string[]): MantineColorsTuple {
  const six = darkenUntil(shades[6], SURFACE, AA);
  const nine = darkenUntil(shades[9], shades[1], AA);
  const darker = (a: string, b: string) => (luminance(a) <= luminance(b) ? a : b);
  // Hover states (7, 8) must stay darker than 6 and lighter than (or as dark as) 9.
  const seven = darker(shades[7], darkenUntil(six, '#ffffff', contrast(six, '#ffffff') + 0.6));
  const eight = darker(shades[8], darkenUntil(seven, '#ffffff', contrast(seven, '#ffffff') + 0.6));
  return [...shades.slice(0, 6), six, seven, eight, darker(nine, eight)] as unknown as MantineColorsTuple;
}

/** Every Mantine palette, readable (for `createTheme({ colors })`). */
export function readableColors(): Record<string, MantineColorsTuple> {
  return Object.fromEntries(Object.entries(DEFAULT_THEME.colors).map(([name, shades]) => [name, readablePalette(shades)]));
}
