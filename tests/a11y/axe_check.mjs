// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on local HTML files in Debian's Chromium and prints
// the violations as JSON: [{file, id, impact, help, nodes}]. Usage: node axe_check.mjs FILE.html...
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"],
});
const results = [];
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage();
    const external = [];
    page.on("request", (req) => { if (!req.url().startsWith("file:") && !req.url().startsWith("data:")) external.push(req.url()); });
    await page.goto(pathToFileURL(file).href);
    await page.addScriptTag({ content: axeSource });
    const out = await page.evaluate(async () =>
      await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }));
    for (const v of out.violations) {
      results.push({ file, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) });
    }
    for (const url of external) results.push({ file, id: "external-request", impact: "serious", help: url, nodes: [] });
    results.push({ file, id: "passes", count: out.passes.length });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
