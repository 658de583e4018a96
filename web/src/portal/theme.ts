import { Anchor, Button, createTheme, PasswordInput, type MantineColorsTuple, type MantineThemeOverride } from '@mantine/core';
import { readableColors, readablePalette } from '../shared/accessible-colors';

const DEFAULT_COLOR = '#1c7ed6';

function parseHex(hex: string): [number, number, number] | null {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) return null;
  const n = Number.parseInt(match[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const toHex = (rgb: number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
const mix = (from: number[], to: number[], amount: number) => from.map((c, i) => c + (to[i] - c) * amount);

/**
 * Mantine wants ten shades of a colour (lightest first) and uses shade 6 for filled buttons in the
 * light scheme: the organisation's colour is shade 6, the lighter ones are tints, the darker ones
 * (hover) shades. A colour too light for white text on it (or for text in it) is darkened just
 * enough to be readable (WCAG AA), so that any organisation colour gives readable buttons and links.
 */
export function shadesOf(hex: string): MantineColorsTuple {
  const rgb = parseHex(hex) ?? parseHex(DEFAULT_COLOR)!;
  const white = [255, 255, 255];
  const black = [0, 0, 0];
  const tints = [0.92, 0.82, 0.66, 0.5, 0.34, 0.16].map((a) => toHex(mix(rgb, white, a)));
  const darker = [0.12, 0.24, 0.36].map((a) => toHex(mix(rgb, black, a)));
  return readablePalette([...tints, toHex(rgb), ...darker]);
}

/** The employee pages' theme in the organisation's colour. */
export function brandTheme(primaryColor: string | undefined): MantineThemeOverride {
  return createTheme({
    colors: { ...readableColors(), brand: shadesOf(primaryColor ?? DEFAULT_COLOR) },
    primaryColor: 'brand',
    primaryShade: 6,
    // A light brand colour gets dark text on its buttons.
    autoContrast: true,
    defaultRadius: 'md',
    components: {
      Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
      // A label longer than the button ("Sign in with a security key" on a 390 px phone, a long
      // organisation or application name) wraps onto a second line instead of being cut off.
      Button: Button.extend({
        styles: {
          root: { height: 'auto', minHeight: 'var(--button-height)', paddingBlock: 6 },
          label: { whiteSpace: 'normal', textAlign: 'center', overflow: 'visible', lineHeight: 1.3 },
        },
      }),
      // As in the console: "Password" must find only the password field, not its eye button.
      PasswordInput: PasswordInput.extend({
        defaultProps: { visibilityToggleButtonProps: { 'aria-label': 'Show or hide characters' } },
      }),
    },
  });
}
