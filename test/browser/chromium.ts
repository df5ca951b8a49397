// Headless Chromium for the browser tests, driven by playwright-core: $CHROMIUM_PATH, else `chromium` on PATH
// (scripts/setup-browser.sh installs Debian's). Screenshots are kept in test-artifacts/ (git-ignored).
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ARTIFACTS_DIR = resolve(fileURLToPath(new URL('../../test-artifacts', import.meta.url)));

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  const found =
    given ??
    (process.env.PATH ?? '')
      .split(delimiter)
      .map((dir) => join(dir, 'chromium'))
      .find(executable);
  if (!found || !executable(found)) {
    throw new Error(
      `${given ? `CHROMIUM_PATH=${given} is not an executable` : 'no chromium on PATH'}: run scripts/setup-browser.sh`,
    );
  }
  return found;
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: chromiumPath(), headless: true });

/** Where a screenshot called `name` goes (test-artifacts/, created when missing). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
