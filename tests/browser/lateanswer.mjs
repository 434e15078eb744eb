// lateanswer.mjs — one answer of the server held back in the browser, so that
// it arrives after the answers of requests made later: the order a page must
// survive (docs/decisions/2026-12-07-ui-late-answers.md), made on purpose
// rather than waited for by chance.
//
//   await recordReads(page)           before the first page.goto (an init
//                                     script of every document the page loads)
//   const late = await holdAnswer(page, (url) => …, what)
//                                     holds the first request whose URL (a
//                                     URL object) the test accepts; every
//                                     other goes on
//   await late.asked                  → the held request's URL, once it is out
//                                     (an error naming what after 60 s: a hang
//                                     guard, as the page's own waits have)
//   await late.release()              lets it go and returns once the page has
//                                     read the answer and acted on it
//
// "Read and acted on": the page reads every answer by Response.text()
// (web/ui/api.js call()); the hook notes the URL one task after the text is
// handed over, so every step the reader takes on it in microtasks (parsing,
// the awaiting page code up to its next await) has run by then.

function installReadLog() {
  const text = Response.prototype.text;
  window.__read = [];
  Response.prototype.text = function readText() {
    const url = this.url;
    return text.call(this).then((v) => { setTimeout(() => window.__read.push(url), 0); return v; });
  };
}

export async function recordReads(page) {
  await page.addInitScript(installReadLog);
}

export async function holdAnswer(page, accept, what = 'the request to hold', ms = 60000) {
  let held = null, seen, timer;
  const asked = new Promise((resolve, reject) => {
    seen = resolve;
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  asked.catch(() => {}); // rejected only for the one who awaits it
  const match = (u) => !held && accept(u);
  const handler = (route) => {
    if (held) { route.continue(); return; }
    held = route;
    clearTimeout(timer);
    seen(route.request().url());
  };
  await page.route(match, handler);
  return {
    asked,
    async release() {
      const url = await asked;
      const reads = (u) => window.__read.filter((r) => r === u).length;
      const before = await page.evaluate(reads, url); // the same URL may have been read before
      await held.continue();
      await page.unroute(match, handler);
      await page.waitForFunction(([u, n]) => window.__read.filter((r) => r === u).length > n, [url, before]);
    },
  };
}
