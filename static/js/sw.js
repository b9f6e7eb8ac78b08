// The job page's service worker (served at /sw.js by cases/routes/offline.py, registered by
// offline.js from a job page). It keeps job pages, and what they need to draw, for when there
// is no signal, and nothing else:
//   - only GETs of a job page (/jobs/<id> signed in, /j/<token> a job link), of the static files
//     and of a job page's photos; every other request goes by as if there were no worker;
//   - network first: with a signal the page is always fresh (stale data is worse than none),
//     the kept copy is shown only when the network fails;
//   - a page that answers "not yours any more" (signed out, 403, 404) is dropped at once, and
//     signing in or out drops every kept page (the next person on this phone sees none).
// The paths come in the worker's own URL (offline.js writes them from the server's URL map).
"use strict";

const PAGES = "job-pages-v1";
const FILES = "job-files-v1";
const config = new URL(self.location).searchParams;
const PATHS = {
  jobs: config.get("jobs") || "/jobs/",
  link: config.get("link") || "/j/",
  files: config.get("static") || "/static/",
  photos: config.get("photos") || "/photos/",
  signin: config.get("signin") || "/login",
  signout: config.get("signout") || "/logout",
};

function isJobPage(path) {
  if (path.startsWith(PATHS.jobs)) return /^\d+$/.test(path.slice(PATHS.jobs.length));
  if (path.startsWith(PATHS.link)) return /^[\w.-]+$/.test(path.slice(PATHS.link.length));
  return false;
}

// One key per page: its path (a page asked with ?something is the same page).
function pageKey(url) {
  return new URL(url).origin + new URL(url).pathname;
}

async function forgetPages() {
  await caches.delete(PAGES);
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([PAGES, FILES]);
      for (const name of await caches.keys()) if (!keep.has(name)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

// A job page asks to keep itself and what it uses (it was drawn before this worker ran, so
// the worker saw none of those requests).
// The answer (on the message's port) says whether the page is kept: the page asks again if not.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep") return;
  const port = event.ports && event.ports[0];
  event.waitUntil(
    keep(data.page, data.files || [], data.photos || []).then(
      (kept) => port && port.postMessage({ kept }),
      (error) => port && port.postMessage({ kept: false, error: String(error) }),
    ),
  );
});

async function keep(page, files, photos) {
  const url = new URL(page, self.location);
  if (url.origin !== self.location.origin || !isJobPage(url.pathname)) return false;
  if (!(await caches.match(pageKey(url.href), { cacheName: PAGES }))) {
    // A page this worker did not serve (the first one, drawn before the worker ran).
    try {
      await fetchPage(new Request(url.href, { credentials: "same-origin" }));
    } catch (error) {
      return false;
    }
  }
  const fileCache = await caches.open(FILES);
  for (const file of files) {
    const fileUrl = new URL(file, self.location);
    if (fileUrl.origin !== self.location.origin || !fileUrl.pathname.startsWith(PATHS.files)) continue;
    try {
      const answer = await fetch(fileUrl.href, { cache: "no-cache" });
      if (answer.ok) await fileCache.put(fileUrl.href, answer);
    } catch (error) {
      return false; // no signal after all: keep what is kept
    }
  }
  const pageCache = await caches.open(PAGES);
  for (const photo of photos) {
    const photoUrl = new URL(photo, self.location);
    if (photoUrl.origin !== self.location.origin || !photoUrl.pathname.startsWith(PATHS.photos)) continue;
    if (await pageCache.match(photoUrl.href)) continue; // a photo never changes
    try {
      const answer = await fetch(photoUrl.href, { credentials: "same-origin" });
      if (answer.ok) await pageCache.put(photoUrl.href, answer);
    } catch (error) {
      return false;
    }
  }
  return Boolean(await caches.match(pageKey(url.href), { cacheName: PAGES }));
}

// The page from the network, kept when it is the page; dropped when it says it is not ours.
async function fetchPage(request) {
  const answer = await fetch(request);
  const path = new URL(answer.url || request.url).pathname;
  const cache = await caches.open(PAGES);
  if (answer.ok && !answer.redirected && isJobPage(path)) {
    await cache.put(pageKey(request.url), answer.clone());
  } else if (answer.type === "opaqueredirect" || (answer.redirected && path === PATHS.signin)) {
    // A job page sends only the signed-out to the sign-in page: the session ended, and none
    // of its pages stays. (A navigation sees the redirect itself, opaque; a fetch its end.)
    await forgetPages();
  } else if (answer.status === 403 || answer.status === 404 || answer.status === 410) {
    await cache.delete(pageKey(request.url));
  }
  return answer;
}

async function pageOrKept(request) {
  try {
    return await fetchPage(request);
  } catch (error) {
    const kept = await caches.match(pageKey(request.url), { cacheName: PAGES, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function fileOrKept(request, cacheName) {
  try {
    const answer = await fetch(request);
    if (answer.ok && cacheName === FILES) {
      const copy = answer.clone();
      caches.open(FILES).then((cache) => cache.put(request.url, copy));
    }
    return answer;
  } catch (error) {
    const kept = await caches.match(request.url, { cacheName, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && (url.pathname === PATHS.signin || url.pathname === PATHS.signout)) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") return;
  if (isJobPage(url.pathname)) {
    // The page itself, or htmx following a boosted link to it (also the whole page); never a
    // fragment of it (a request naming its target), which is not the page.
    const htmx = request.headers.get("HX-Request") === "true";
    if (htmx && request.headers.get("HX-Boosted") !== "true") return;
    event.respondWith(pageOrKept(request));
  } else if (url.pathname.startsWith(PATHS.files)) {
    event.respondWith(fileOrKept(request, FILES));
  } else if (url.pathname.startsWith(PATHS.photos) && isJobPage(referrerPath(request))) {
    event.respondWith(fileOrKept(request, PAGES));
  }
});

function referrerPath(request) {
  try {
    return new URL(request.referrer).pathname;
  } catch (error) {
    return "";
  }
}
