// Browser run of the dashboard in Debian's Chromium through playwright-core (no browser download).
// Input (env): NEXUS_E2E_URL, NEXUS_E2E_USER, NEXUS_E2E_PASSWORD, NEXUS_E2E_OUT (screenshots dir),
// NEXUS_E2E_MODE = "flow" (default: the full user journey) or "perf" (time to a rendered Overview).
// Output: one JSON object on stdout with what the browser saw; the pytest side asserts on it.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const url = process.env.NEXUS_E2E_URL;
const user = process.env.NEXUS_E2E_USER;
const password = process.env.NEXUS_E2E_PASSWORD;
const out = process.env.NEXUS_E2E_OUT ?? "e2e-out";
const mode = process.env.NEXUS_E2E_MODE ?? "flow";
const executablePath = process.env.NEXUS_CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(out, { recursive: true });

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// A fresh profile per run (playwright passes it to Chromium as --user-data-dir).
const profile = join(out, `profile-${process.pid}`);

async function signIn(page) {
  await page.goto(url);
  await page.getByLabel("Email").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function kpis(page) {
  await page.waitForSelector("[data-testid^=kpi-]");
  await page.waitForFunction(() => document.querySelectorAll(".kpi .state.loading").length === 0);
  return page.$$eval("[data-testid^=kpi-]", (nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.testid, n.textContent])));
}

async function overflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

async function pointsCount(page, previous) {
  await page.waitForFunction(
    (prev) => {
      const node = document.querySelector("[data-testid=points-count]");
      return node && node.textContent !== prev && document.querySelectorAll(".state.loading").length === 0;
    },
    previous,
  );
  return Number(await page.textContent("[data-testid=points-count]"));
}

async function flow(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  await signIn(page);
  const overview = await kpis(page);
  const week = await page.textContent("[data-testid=overview-week]");
  const banner = await page.isVisible("[data-testid=sim-banner]");
  await page.screenshot({ path: join(out, "overview-1280.png"), fullPage: true });
  const wide = await overflow(page);

  await page.goto(`${url}/#/markets`);
  const hourly = await pointsCount(page, null);
  await page.check("[data-testid=area-FR]");
  await page.waitForFunction(() => document.querySelectorAll(".state.loading").length === 0);
  await page.selectOption("[data-testid=resolution]", "P1D");
  const daily = await pointsCount(page, String(hourly));
  const datasets = await page.evaluate(() => document.querySelectorAll("canvas").length);
  await page.screenshot({ path: join(out, "markets-1280.png"), fullPage: true });

  await page.goto(`${url}/#/reports`);
  const button = page.locator(`[data-testid=pdf-${week}]`);
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const pdfPath = join(out, download.suggestedFilename());
  await download.saveAs(pdfPath);
  const pdfHead = readFileSync(pdfPath).subarray(0, 5).toString("latin1");

  const narrow = {};
  await page.setViewportSize({ width: 375, height: 812 });
  for (const name of ["overview", "markets", "drivers", "correlations", "reports", "health", "alerts"]) {
    await page.goto(`${url}/#/${name}`);
    await page.waitForFunction(() => document.querySelectorAll(".state.loading").length === 0 && document.querySelector("main h2"));
    await page.screenshot({ path: join(out, `${name}-375.png`), fullPage: true });
    narrow[name] = await overflow(page);
  }
  await page.getByRole("button", { name: "Sign out" }).click();
  const signedOut = await page.isVisible("form[aria-label='Sign in']");
  return { overview, week, banner, wide, hourly, daily, datasets, pdf: { name: download.suggestedFilename(), head: pdfHead }, narrow, signedOut, errors };
}

async function perf(context) {
  const runs = Number(process.env.NEXUS_E2E_RUNS ?? "5");
  const times = [];
  const page = await context.newPage();
  await signIn(page);
  await kpis(page);
  for (let i = 0; i < runs; i += 1) {
    await page.goto(`${url}/#/overview`, { waitUntil: "commit" });
    await page.reload({ waitUntil: "commit" });
    // Performance API: ms from navigation start (timeOrigin) to the first animation frame in which
    // every market's KPI numbers are in the DOM.
    const rendered = await page.waitForFunction(
      () => {
        const cards = document.querySelectorAll(".kpi");
        const values = document.querySelectorAll("[data-testid$='-base']");
        return cards.length > 0 && values.length === cards.length ? performance.now() : false;
      },
      null,
      { polling: "raf" },
    );
    times.push(await rendered.jsonValue());
  }
  return { times };
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  args: FLAGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
});
// The machine running the suite may be busy: allow a minute per step rather than 30 s.
context.setDefaultTimeout(60_000);
try {
  const result = mode === "perf" ? await perf(context) : await flow(context);
  process.stdout.write(JSON.stringify(result) + "\n");
} finally {
  await context.close();
}
