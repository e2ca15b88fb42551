// Headless Chromium for the browser suite, the demo report and anyone else:
// the system's Chromium (Debian's `chromium` package; HOTPATH_CHROMIUM
// overrides the path) driven by playwright-core, never a downloaded browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the Chromium executable used. */
export const CHROMIUM = process.env.HOTPATH_CHROMIUM || '/usr/bin/chromium';

/** The flags the suite runs Chromium with (a fresh --user-data-dir is added per launch). */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A WebGPU adapter even without a GPU (SwiftShader's Vulkan).
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
];

/**
 * Launches Chromium with a fresh profile. Throws (never skips) when the
 * executable is missing. Returns the playwright BrowserContext and a close()
 * that also removes the profile.
 */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; .ci/run does) or set HOTPATH_CHROMIUM to a Chromium executable`);
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'hotpath-chromium-'));
  // launchPersistentContext is playwright's way to pass --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new is in the flags, spelled as the suite requires
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
