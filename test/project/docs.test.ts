import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The docs a newcomer reads: a short README that points into docs/, links that resolve inside this
 * repository, no references to places outside it, and the facts that went stale before.
 */
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pages = ['README.md', ...readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const benchPages = ['bench/README.md', 'bench/RESULTS.md'];

/** Relative Markdown link targets of a page, without their #fragment. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe('docs', () => {
  it('keep the README to a newcomer’s needs, with the reference in docs/', () => {
    const readme = read('README.md');
    expect(readme.length).toBeLessThan(10_000);
    for (const section of ['## Quick start', '## GraphiQL walkthrough', '## Reference']) expect(readme).toContain(section);
    // The prerequisites of npm test are said where the command is.
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## GraphiQL walkthrough'));
    expect(quickStart).toContain('npm test');
    expect(quickStart).toContain('redis-server');
    expect(quickStart).toMatch(/Chromium/i);
    for (const page of ['configuration', 'routing', 'caching', 'observability', 'clients', 'federation', 'performance', 'auth', 'security', 'rest', 'deployment']) {
      expect(readme).toContain(`(docs/${page}.md)`);
    }
  });

  it('link only to files in this repository that exist', () => {
    const broken = pages.flatMap((page) =>
      relativeLinks(read(page))
        .map((target) => new URL(target, new URL(page, root)))
        .filter((url) => !url.href.startsWith(root.href) || !existsSync(url))
        .map((url) => `${page} → ${url.pathname}`),
    );
    expect(broken).toEqual([]);
  });

  it('point at no path outside the repository and at no issue numbers', () => {
    for (const page of [...pages, ...benchPages]) {
      const text = read(page);
      expect(text, page).not.toMatch(/\.\.\/shared/);
      expect(text, page).not.toMatch(/\bissues? #?\d+/i);
    }
  });

  it('list every upstream status that is UPSTREAM_REJECTED', () => {
    const row = read('docs/clients.md').split('\n').find((line) => line.startsWith('| `UPSTREAM_REJECTED`')) ?? '';
    for (const status of ['400', '401', '403', '404', '409', '413', '422']) expect(row).toContain(status);
  });

  it('map every source folder in the development guide', () => {
    const guide = read('docs/development.md');
    const folders = readdirSync(new URL('src/', root), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const testFolders = readdirSync(new URL('test/', root), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const missing = [...folders.map((entry) => `src/${entry.name}/`), ...testFolders.map((entry) => `test/${entry.name}/`)].filter((path) => !guide.includes(path));
    expect(missing).toEqual([]);
  });
});

describe('.ci/run', () => {
  it('treats redis-server as required, as the tests start it', () => {
    const script = read('.ci/run');
    expect(script).not.toContain("Not used by this version's tests");
    const redisBlock = script.slice(script.indexOf('command -v redis-server'), script.indexOf('chromium'));
    expect(redisBlock).toMatch(/exit 1/);
  });
});
