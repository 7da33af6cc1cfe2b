// The manual trial recorded in docs/integrations.md (not a test: it needs code-server, Chromium and
// playwright-core, none of which CI has). It drives code-server in headless Chromium: opens a copy of
// examples/shop, edits shop/api.py without saving, and prints and screenshots (/tmp/vscode-*.png) the
// diagnostics, the hover, the quick fixes and where a click on the chain goes.
//   code-server --auth none --bind-addr 127.0.0.1:8089 /tmp/shop-vscode   (the copy, this extension installed;
//   user settings: editor.autoIndent "none", autoClosingBrackets and autoClosingQuotes "never", no
//   quickSuggestions, so that the inserted text arrives as written)
//   NODE_PATH=/path/to/node_modules node trial.js   (a node_modules holding playwright-core)
const { chromium } = require("playwright-core");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const browser = await chromium.launchPersistentContext("/tmp/pw/profile-" + Date.now(), {
    executablePath: "/usr/bin/chromium",
    viewport: { width: 1600, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  await page.goto(process.env.TRIAL_URL || "http://127.0.0.1:8089/?folder=/tmp/shop-vscode");
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await sleep(5000);
  await page.keyboard.press("Control+P");
  await sleep(1000);
  await page.keyboard.type("shop/api.py");
  await sleep(4000);
  await page.keyboard.press("Enter");
  await sleep(8000);
  await page.screenshot({ path: "/tmp/vscode-1-opened.png" });
  await page.click(".monaco-editor .view-lines");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(
    '\n\nasync def banner(user_id: int) -> bytes:\n    time.sleep(1)\n    return fetch_avatar(user_id) + b"!"',
  );
  await sleep(4000);
  await page.keyboard.press("Control+Shift+M");
  await sleep(3000);
  await page.screenshot({ path: "/tmp/vscode-2-problems.png" });
  const problems = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
  console.log("PROBLEMS\n" + problems.join("\n---\n"));
  const goTo = async (where) => {
    await page.keyboard.press("Control+G");
    await sleep(500);
    await page.keyboard.type(where);
    await page.keyboard.press("Enter");
    await sleep(800);
  };
  await goTo("90:12");
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  await sleep(2500);
  await page.screenshot({ path: "/tmp/vscode-3-hover.png" });
  console.log("HOVER\n" + (await page.locator(".monaco-hover-content").allInnerTexts()).join("\n"));
  await page.keyboard.press("Escape");
  await goTo("89:5");
  await page.keyboard.press("Control+.");
  await sleep(2500);
  await page.screenshot({ path: "/tmp/vscode-4-quickfix.png" });
  console.log("ACTIONS 89\n" + (await page.locator(".action-widget .monaco-list-row").allInnerTexts()).join("\n"));
  await page.keyboard.press("Enter");
  await sleep(3000);
  await goTo("90:12");
  await page.keyboard.press("Control+.");
  await sleep(2500);
  console.log("ACTIONS 90\n" + (await page.locator(".action-widget .monaco-list-row").allInnerTexts()).join("\n"));
  await page.keyboard.press("Enter");
  await sleep(4000);
  await page.screenshot({ path: "/tmp/vscode-5-fixed.png" });
  console.log("PROBLEMS AFTER\n" + (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).filter((t) => t.includes("loopguard")).length);
  await page.locator(".markers-panel .monaco-list-row", { hasText: "fetch_avatar() calls" }).first().click();
  await sleep(2500);
  await page.screenshot({ path: "/tmp/vscode-6-chain-click.png" });
  console.log("ACTIVE TAB " + (await page.locator(".tab.active").first().innerText()));
  console.log("CURSOR " + (await page.locator(".statusbar-item", { hasText: "Ln " }).first().innerText()));
  await browser.close();
})();
