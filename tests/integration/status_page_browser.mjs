// Drives headless Chromium (Debian's, via playwright-core) against the
// status page of a running failwatch and checks the rendered DOM.
// Run by status_page_browser_test.sh; everything comes from the environment:
//   FW_URL            http://127.0.0.1:PORT/
//   PW_MODULES        node_modules dir that holds playwright-core
//   CHROMIUM_BIN      the browser (never a downloaded one)
//   PROFILE_DIR       a new empty --user-data-dir
//   SCREENSHOT        where the PNG goes
//   INJECTED_TEXT     a string the config smuggles into an error message;
//                     it must come out as text, not markup
//   SETTLE_SECONDS    how long the verdict may take to turn non-ok
// Prints one line per passed check; exits 1 with "FAIL: ..." lines otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`FAIL: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const url = env('FW_URL');
const require = createRequire(path.join(env('PW_MODULES'), 'noop.js'));
const { chromium } = require('playwright-core');
const injected = env('INJECTED_TEXT');
const settleMs = Number(process.env.SETTLE_SECONDS || '40') * 1000;
const origin = new URL(url).origin;

const failures = [];
const check = (ok, what) => {
  if (ok) console.log(`ok: ${what}`);
  else failures.push(what);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const context = await chromium.launchPersistentContext(env('PROFILE_DIR'), {
  executablePath: env('CHROMIUM_BIN'),
  headless: true,
  chromiumSandbox: false,
  viewport: { width: 1280, height: 900 },
  // The machine's network is closed: no background connections at all.
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  timeout: 30_000,
});

let exitCode = 0;
try {
  // Every request the page makes, and everything it logs.
  const requests = [];
  const foreign = [];
  const consoleErrors = [];
  context.on('request', (req) => {
    requests.push(req.url());
    const u = new URL(req.url());
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (!local) foreign.push(req.url());
  });
  // A page that asks for an external asset must not hang on the closed
  // network: refuse it at once (it is recorded above and fails the test).
  await context.route(
    (u) => u.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));

  // Everything the checks need, read in one go right after a load (the
  // page's own meta refresh comes 5 s later, so nothing races it).
  const readPage = () =>
    page.evaluate(() => {
      const cells = (tr) => [...tr.cells].map((c) => c.textContent.trim());
      const tableAfter = (heading) => {
        const h = [...document.querySelectorAll('h2')].find(
          (e) => e.textContent.trim() === heading,
        );
        const t = h?.nextElementSibling;
        if (!t || t.tagName !== 'TABLE') return null;
        return [...t.rows].map(cells);
      };
      const banner = document.querySelector('.banner');
      return {
        title: document.title,
        h1: document.querySelector('h1')?.textContent.trim() ?? '',
        banner: banner ? banner.textContent.trim() : null,
        bannerClass: banner ? banner.className : null,
        refresh:
          document
            .querySelector('meta[http-equiv="refresh" i]')
            ?.getAttribute('content') ?? null,
        checks: tableAfter('Checks'),
        targets: tableAfter('Targets'),
        links: [...document.querySelectorAll('a[href]')].map((a) =>
          a.getAttribute('href'),
        ),
        scripts: document.scripts.length,
        text: document.body.innerText,
        injectedElement: document.getElementById('fw-injected') !== null,
        injectedGlobal: typeof window.fwInjected !== 'undefined',
        externalAssets: [
          ...document.querySelectorAll(
            'link[href], script[src], img[src], iframe[src], style',
          ),
        ]
          .map((e) => e.getAttribute('href') || e.getAttribute('src') || '')
          .filter((s) => /^(https?:)?\/\//.test(s)),
      };
    });

  const settled = (p) =>
    p.banner !== null &&
    /^(down|degraded):/.test(p.banner) &&
    (p.checks ?? []).some(
      (r) => r[0] === 'no_primary' && r[2] === 'down (impact)',
    );

  // The checks need a few samples to settle: reload until they have.
  const deadline = Date.now() + settleMs;
  let p;
  let loads = 0;
  for (;;) {
    const resp = await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
    loads++;
    if (!resp || resp.status() !== 200) {
      throw new Error(`GET ${url}: status ${resp?.status()}`);
    }
    p = await readPage();
    if (settled(p) || Date.now() > deadline) break;
    await sleep(1000);
  }
  console.log(`loaded ${loads} time(s); banner: ${p.banner}`);

  check(p.title === 'failwatch', `title is "failwatch" (got "${p.title}")`);
  check(/^failwatch \S+/.test(p.h1), `heading names the version ("${p.h1}")`);
  check(
    /^(down|degraded):/.test(p.banner ?? ''),
    `banner starts with down:/degraded: ("${p.banner}")`,
  );
  check(
    /\bfail\b|\bdegraded\b/.test(p.bannerClass ?? ''),
    `banner is styled as failing (class "${p.bannerClass}")`,
  );
  check(p.refresh === '5', `page refreshes itself every 5 s (got ${p.refresh})`);

  const checkRows = p.checks ?? [];
  check(
    checkRows.length > 0 &&
      JSON.stringify(checkRows[0]) ===
        JSON.stringify(['Check', 'Target', 'Status', 'Since', 'Reason', '']),
    'checks table has its header row',
  );
  const np = checkRows.find((r) => r[0] === 'no_primary');
  check(
    np && np[1] === 'orders' && np[2] === 'down (impact)',
    `checks table: no_primary / orders / down (impact) (${JSON.stringify(np)})`,
  );
  check(
    np && np[5] === 'runbook' &&
      p.links.some((h) => /docs\/runbook\.md#no_primary$/.test(h)),
    'the failing no_primary row links its runbook section',
  );
  // failwatch's own blind spot (the broken Kafka cluster) is a risk: a
  // ticket, styled apart from the impact rows.
  const cf = checkRows.find((r) => r[0] === 'collector_failing' && / \(risk\)/.test(r[2]));
  check(cf !== undefined || checkRows.every((r) => r[0] !== 'collector_failing'),
    `collector_failing rows say (risk) (${JSON.stringify(cf)})`);
  check(
    np && /no primary/.test(np[4]) && /ago\)$/.test(np[3]),
    'no_primary row has a reason and a since time',
  );

  const targetRows = p.targets ?? [];
  const target = (kind, name) =>
    targetRows.find((r) => r[0] === kind && r[1] === name);
  check(target('dns', 'orders')?.[2] === 'OK', 'targets table: dns / orders OK');
  check(
    target('postgres', 'orders')?.[2] === 'FAIL',
    'targets table: postgres / orders FAIL',
  );

  for (const href of ['/metrics', '/status', '/verdict', '/healthz', '/readyz']) {
    check(p.links.includes(href), `link to ${href}`);
    // The links lead somewhere (the verdict answers 503 while degraded).
    const r = await context.request.get(new URL(href, url).toString());
    check(r.status() === 200 || r.status() === 503,
      `${href} answers (${r.status()})`);
  }

  // The config put markup into a Kafka group name (free text: Kafka allows
  // any group id); the page shows it (the group's rows): as text only.
  check(
    p.text.includes(injected),
    'the page shows the injected group name verbatim, as text',
  );
  check(!p.injectedElement, 'injected markup did not become an element');
  check(!p.injectedGlobal, 'injected script did not run');
  check(p.scripts === 0, `page has no <script> elements (${p.scripts})`);
  check(p.externalAssets.length === 0,
    `no external asset references (${p.externalAssets.join(' ')})`);

  await page.screenshot({ path: env('SCREENSHOT'), fullPage: true });
  console.log(`screenshot: ${env('SCREENSHOT')}`);

  // The meta refresh really reloads the page (the 5 s counts from load).
  const refreshed = await page
    .waitForEvent('framenavigated', {
      predicate: (f) => f === page.mainFrame(),
      timeout: 8000,
    })
    .then(() => true, () => false);
  check(refreshed, 'page reloaded itself within 8 s');
  if (refreshed) await page.waitForLoadState('load');

  check(foreign.length === 0,
    `no request left localhost (${requests.length} requests; foreign: ${foreign.join(' ')})`);
  check(consoleErrors.length === 0,
    `no console errors (${consoleErrors.join(' | ')})`);
} catch (e) {
  failures.push(`browser run: ${e.stack || e}`);
} finally {
  await context.close().catch(() => {});
}
for (const f of failures) console.error(`FAIL: ${f}`);
if (failures.length) exitCode = 1;
process.exit(exitCode);
