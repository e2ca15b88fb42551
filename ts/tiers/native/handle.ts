// The loaded addon, kept apart from the loader so modules that only ask
// "is there an addon?" (structures, topology) pull no Node built-ins into a
// browser bundle.
import type { NativeAddon } from './addon.js';

let addonRef: NativeAddon | null = null;

/** The loaded addon (for structures and topology), or null. @internal */
export function nativeAddon(): NativeAddon | null {
  return addonRef;
}

/** Records the addon the Node loader brought up (null after a failed self-check). @internal */
export function setNativeAddon(addon: NativeAddon | null): void {
  addonRef = addon;
}
