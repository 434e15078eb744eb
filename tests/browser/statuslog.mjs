// statuslog.mjs — every message the review UI puts in its status line
// (#status), recorded in the page as it is set, for the browser tests: a step
// waits for "the page said X" by the page's own state, however long ago X was
// shown. The page clears a message after 4 s (web/ui/dom.js say()), so a check
// of the line as it is now fails when the machine stalls the test for 4 s.
//
//   await recordStatus(page)        before the first page.goto (an init script
//                                   of every document the page loads)
//   await statusSaid(page, re)      → the first message matching re that no
//                                   earlier statusSaid call took, or null
//   await statusLog(page)           → every message so far (for a failure)

/* In the page: a MutationObserver on the whole document (set up before the
   page's own scripts run, when #status does not exist yet) keeps the text of
   every node added to #status, in order, in window.__statusLog. */
function installStatusLog() {
  window.__statusLog = [];
  new MutationObserver((records) => {
    for (const m of records) {
      if (m.type !== 'childList' || !(m.target instanceof Element) || m.target.id !== 'status') continue;
      const text = [...m.addedNodes].map((n) => n.textContent).join('');
      if (text) window.__statusLog.push(text);
    }
  }).observe(document, { childList: true, subtree: true });
}

export async function recordStatus(page) {
  await page.addInitScript(installStatusLog);
}

/* How many messages of which document statusSaid calls took, per page (a
   reload starts a new document and a new log: performance.timeOrigin tells). */
const taken = new WeakMap();

async function readLog(page) {
  return page.evaluate(() => ({ doc: performance.timeOrigin, log: window.__statusLog || [] }));
}

export async function statusLog(page) {
  return (await readLog(page)).log;
}

export async function statusSaid(page, re) {
  const { doc, log } = await readLog(page);
  const t = taken.get(page);
  for (let i = t && t.doc === doc ? t.n : 0; i < log.length; i++) {
    if (re.test(log[i])) {
      taken.set(page, { doc, n: i + 1 });
      return log[i];
    }
  }
  return null;
}
