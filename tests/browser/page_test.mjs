// The daemon's web page in a real browser (Debian's chromium, driven by playwright-core), on a
// phone-sized screen: open it, add a magnet link, watch the torrent reach 100%, pause it, resume
// it, and save a screenshot. Fails (exit 1, saying why) if the page shows an error, throws, or the
// torrent does not complete.
//
//   node page_test.mjs URL MAGNET SCREENSHOT.png [CHROMIUM]
import { chromium } from "playwright-core";

const [url, magnet, screenshot, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !magnet || !screenshot) {
  console.error("usage: node page_test.mjs URL MAGNET SCREENSHOT.png [CHROMIUM]");
  process.exit(2);
}

const problems = [];
// Root in CI: chromium's sandbox needs user namespaces it may not get there.
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
page.on("pageerror", e => problems.push(`page error: ${e.message}`));
// The first RPC call of a page is answered 409 by design (it hands out the session id), and
// chromium logs every 4xx response; anything else logged as an error is a problem.
page.on("console", m => {
  if (m.type() === "error" && !/status of 409/.test(m.text())) problems.push(`console error: ${m.text()}`);
});

const step = async (what, f) => {
  try { await f(); console.log(`ok: ${what}`); }
  catch (e) { problems.push(`${what}: ${e.message.split("\n")[0]}`); throw e; }
};
const status = () => page.locator(".torrent [data-field=status]").first();

try {
  await step("the page loads and reaches the RPC", async () => {
    await page.goto(url);
    // A locator, not waitForFunction: polling a function evaluates a string in the page, which
    // the page's Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check fails.
    await page.locator("#totals", { hasText: "torrents" }).waitFor({ timeout: 15000 });
  });
  await step("a magnet link is added", async () => {
    await page.fill("#magnet", magnet);
    await page.click("#add button[type=submit]");
    await page.locator(".torrent").first().waitFor({ timeout: 15000 });
  });
  await step("the torrent reaches 100%", async () => {
    await page.locator(".torrent [data-field=percent]", { hasText: "100.0%" }).first().waitFor({ timeout: 60000 });
  });
  await step("pause", async () => {
    await page.click(".torrent button[data-action=pause]");
    await page.locator(".torrent [data-field=status]", { hasText: "Stopped" }).first().waitFor({ timeout: 15000 });
  });
  await step("resume", async () => {
    await page.click(".torrent button[data-action=resume]");
    await page.locator(".torrent [data-field=status]", { hasText: "Seeding" }).first().waitFor({ timeout: 15000 });
  });
  await step("no error is shown", async () => {
    const shown = await page.locator("#error.shown").count();
    if (shown) throw new Error(await page.locator("#error").textContent());
  });
} catch {
  // recorded in problems
}
await page.screenshot({ path: screenshot, fullPage: true });
console.log(`screenshot: ${screenshot}; status: ${await status().textContent().catch(() => "none")}`);
await browser.close();
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
