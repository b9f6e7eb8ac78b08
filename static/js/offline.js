// The job page with a weak signal: what a field worker records with no network is kept on the
// phone and sent when the signal returns, once. The page works without this file (and without
// the service worker, which only keeps the page for when there is no signal).
//
// How:
//   - A form marked data-offline on the job page (templates/cases/job.html) carries a one-time
//     key (submission_key). A new key is made each time the form is filled in; the server takes
//     a key once (services.act / add_visit / finish), so sending the same submission again
//     (the first answer was lost, two tabs, a double tap) answers as the first did.
//   - With no network (navigator.onLine false, or htmx could not reach the server) the submission
//     goes into IndexedDB (idb-keyval; photos as Blobs) with its CSRF token, what it is and when,
//     and the list "not sent yet" of templates/cases/_pending.html shows it.
//   - The page goes on with what is kept: a step kept ("on my way") hides its button and shows
//     the next one ("arrived"), then the done form, which the server rendered hidden for this
//     (data-offline-after / data-offline-until name the kept steps that show and hide them;
//     coordinator/cases/offline.py steps_ahead). A page opened again offline does the same
//     from what IndexedDB holds. Each kept item can be dropped ("don't send"), which undoes that.
//   - When the signal returns (the "online" event, and each time any page of the site opens),
//     the kept submissions are sent in the order they were made, one tab at a time (Web Locks):
//     the signed-in account's (the viewer of templates/base.html's #offline-sender) and those
//     kept through a job link (no account: the link in their address is their key). Sent, or
//     refused in words (409 someone else got there first, 403 the link is closed, 422): the item
//     goes and the job page reloads with the answer (sent from another page, the answer is
//     shown when the job page next opens in this tab); a network failure or a 5xx keeps it.
//     A refused CSRF token (400: the session changed) is renewed from a fresh copy of the page
//     and the item sent once more.
// Every word shown comes from the page (data-* attributes written with the server's _()).
(() => {
  "use strict";

  const KEY_FIELD = "submission_key";
  const CHANNEL = "coordinator-offline";
  const RESULTS = "coordinator-offline-results";
  let store = null;
  let sending = false;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(CHANNEL) : null;

  function db() {
    if (!window.idbKeyval) return null;
    if (!store) store = idbKeyval.createStore("coordinator-offline", "pending");
    return store;
  }

  function panel() {
    return document.getElementById("pending");
  }

  // Every page's: who is signed in, where one signs in (templates/base.html).
  function sender() {
    return document.getElementById("offline-sender");
  }

  function viewer() {
    const who = sender();
    return (who && who.dataset.viewer) || "";
  }

  // ------------------------------------------------------------------ words and times

  function words(name, values) {
    const box = panel();
    let text = (box && box.dataset[name]) || "";
    for (const [key, value] of Object.entries(values || {})) {
      text = text.split(`%(${key})s`).join(String(value));
    }
    return text;
  }

  // The server's date style (coordinator/i18n.py `when`): 2026年12月1日 14:30, 1 Dec 2026 14:30,
  // in the subdistrict's time zone whatever the phone's.
  function when(ms) {
    const box = panel();
    const lang = document.documentElement.lang || "zh-CN";
    const chinese = lang.startsWith("zh");
    const format = new Intl.DateTimeFormat(lang, {
      timeZone: (box && box.dataset.timezone) || undefined,
      year: "numeric",
      month: chinese ? "long" : "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    if (chinese) return format.format(new Date(ms));
    const part = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    return `${part.day} ${part.month} ${part.year} ${part.hour}:${part.minute}`;
  }

  // ------------------------------------------------------------------ keys

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function keyInput(form) {
    let input = form.querySelector(`input[name="${KEY_FIELD}"]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = KEY_FIELD;
      form.appendChild(input);
    }
    return input;
  }

  // A key per filling of the form: typing or choosing anything makes the next submission a new
  // one; pressing again without a change (a double tap) is the same submission.
  function keyFor(form, action) {
    const input = keyInput(form);
    if (!input.value || form.dataset.offlineFilled === "1" || form.dataset.offlineAction !== action) {
      input.value = newKey();
    }
    form.dataset.offlineFilled = "0";
    form.dataset.offlineAction = action;
    return input.value;
  }

  function filled(event) {
    const form = event.target.closest && event.target.closest("form[data-offline]");
    if (form) form.dataset.offlineFilled = "1";
  }

  // ------------------------------------------------------------------ keeping

  function actionOf(form, submitter) {
    if (submitter && submitter.hasAttribute("formaction")) return submitter.formAction;
    return form.action;
  }

  // The workflow step a submission records (data-offline-step), which the page goes on from.
  function stepOf(form, submitter) {
    return (submitter && submitter.dataset.offlineStep) || form.dataset.offlineStep || "";
  }

  function whatOf(form, submitter) {
    return form.dataset.offline || (submitter && submitter.textContent.trim()) || "";
  }

  // What the server would refuse at once, said before the submission is kept (it would be
  // refused only when the signal is back, and what was typed would be lost by then).
  function missing(form) {
    const empty = Array.from(form.querySelectorAll("[required]")).find(
      (field) => !field.disabled && !String(field.value || "").trim(),
    );
    if (empty) return { field: empty, message: words("required") };
    if (form.dataset.offlinePhoto) {
      const files = Array.from(form.querySelectorAll("input[type=file]"));
      if (!files.some((input) => input.files && input.files.length)) {
        return { field: files[0], message: form.dataset.offlinePhoto };
      }
    }
    return null;
  }

  function sayAtForm(form, message, field) {
    let note = form.querySelector(".offline-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "offline-note error";
      note.setAttribute("role", "alert");
      form.prepend(note);
    }
    note.textContent = message;
    (field || note).scrollIntoView({ block: "center" });
    if (field) field.focus();
  }

  async function keep(form, submitter, action) {
    const box = panel();
    const where = db();
    if (!box || !where) return false;
    const problem = missing(form);
    if (problem) {
      sayAtForm(form, problem.message, problem.field);
      return true;
    }
    const fields = [];
    let photos = 0;
    for (const [name, value] of new FormData(form, submitter || undefined)) {
      if (value instanceof Blob) {
        if (!value.size) continue; // a file input left empty
        photos += 1;
        fields.push({ name, blob: value, filename: value.name || "photo.jpg" });
      } else {
        fields.push({ name, value });
      }
    }
    const key = keyInput(form).value;
    const item = {
      key,
      page: location.pathname,
      action,
      step: stepOf(form, submitter),
      what: whatOf(form, submitter),
      at: Date.now(),
      viewer: box.dataset.viewer || "",
      photos,
      fields,
    };
    await idbKeyval.set(key, item, where);
    form.reset();
    form.dataset.offlineFilled = "1";
    const note = form.querySelector(".offline-note");
    if (note) note.remove();
    announce({ kept: item.page });
    const shown = await show();
    // The next step is what the worker needs now; the list says the last one is kept.
    (shown[0] || box).scrollIntoView({ block: "center" });
    return true;
  }

  // Capture: before htmx (or the browser) sends the form.
  function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-offline]") || !panel()) return;
    const submitter = event.submitter || null;
    const action = actionOf(form, submitter);
    keyFor(form, action);
    form._offline = { submitter, action };
    if (navigator.onLine || !db()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    keep(form, submitter, action);
  }

  // htmx could not reach the server (a weak signal says "online" and fails): keep what it sent,
  // with the same key, since the server may have taken it and only the answer was lost.
  function onSendError(event) {
    const elt = event.detail && event.detail.elt;
    const form = elt && elt.closest && elt.closest("form[data-offline]");
    if (!form || !form._offline || !panel()) return;
    keep(form, form._offline.submitter, form._offline.action);
  }

  // ------------------------------------------------------------------ the list

  // Items of the account signed in, and those kept through a job link (no account): sent from
  // any page, since a link's item acts as the link whoever is signed in. Another account's
  // stay on the phone, unsent and unseen, until it signs in again.
  function mine(item) {
    return !item.viewer || item.viewer === viewer();
  }

  async function pending() {
    const where = db();
    if (!where) return [];
    const items = (await idbKeyval.values(where)).filter(mine);
    return items.sort((a, b) => a.at - b.at);
  }

  // The list of what this page keeps, and the page gone on with it; returns the elements
  // that this showed (the next step's button, the done form).
  async function show() {
    const box = panel();
    if (!box) return [];
    const list = box.querySelector(".pending-list");
    const here = (await pending()).filter((item) => item.page === location.pathname);
    list.replaceChildren();
    for (const item of here) {
      const li = document.createElement("li");
      li.className = "pending-item";
      const about = document.createElement("div");
      about.className = "pending-what";
      const tag = document.createElement("span");
      tag.className = "badge badge-orange";
      tag.textContent = words("tag");
      const what = document.createElement("strong");
      what.textContent = item.what;
      const details = document.createElement("span");
      details.className = "when";
      details.textContent = [
        words("kept", { when: when(item.at) }),
        item.photos ? words("photos", { n: item.photos }) : "",
      ]
        .filter(Boolean)
        .join(" · ");
      about.append(tag, " ", what, " ", details);
      li.append(about, dropButton(item));
      const thumbs = item.fields.filter((field) => field.blob);
      if (thumbs.length) {
        const row = document.createElement("span");
        row.className = "pending-photos";
        for (const field of thumbs) {
          const img = document.createElement("img");
          img.src = URL.createObjectURL(field.blob);
          img.alt = words("photoAlt", { what: item.what });
          img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
          row.append(img);
        }
        li.append(row);
      }
      list.append(li);
    }
    box.hidden = !here.length && !box.querySelector(".pending-results li");
    box.classList.toggle("pending-clear", !here.length);
    box.querySelector(".pending-head").hidden = !here.length;
    showSignal();
    return goOn(here);
  }

  // The page as the server would draw it once the kept steps are taken: an element naming the
  // steps it follows (data-offline-after) shows once one of them is kept, one naming the
  // steps that end it (data-offline-until) hides once one of them is. Only the elements the
  // server marked for this; nothing else of the page changes.
  function goOn(items) {
    const kept = new Set(items.map((item) => item.step).filter(Boolean));
    const any = (names) => names.split(/\s+/).some((name) => kept.has(name));
    const shown = [];
    for (const el of document.querySelectorAll("main [data-offline-after], main [data-offline-until]")) {
      const after = el.dataset.offlineAfter;
      const until = el.dataset.offlineUntil;
      const hide = Boolean((after && !any(after)) || (until && any(until)));
      if (el.hidden && !hide) shown.push(el);
      el.hidden = hide;
    }
    return shown;
  }

  // ------------------------------------------------------------------ dropping

  function dropButton(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary pending-drop";
    button.textContent = words("drop");
    button.addEventListener("click", () => drop(item));
    return button;
  }

  // "Don't send": the item goes from the phone, after a yes; the page forgets what it showed.
  async function drop(item) {
    if (!window.confirm(words("dropConfirm", { what: item.what }))) return;
    const where = db();
    if (!where) return;
    await idbKeyval.del(item.key, where);
    announce({ kept: item.page });
    await show();
  }

  function showSignal() {
    const box = panel();
    if (!box) return;
    const banner = box.querySelector(".offline-banner");
    banner.hidden = navigator.onLine;
    if (!navigator.onLine) box.hidden = false;
  }

  // What the last sending said, shown after the page reloaded (kept per tab and page).
  function results() {
    try {
      return JSON.parse(sessionStorage.getItem(RESULTS) || "{}");
    } catch (error) {
      return {};
    }
  }

  function showResults() {
    const box = panel();
    if (!box) return;
    const all = results();
    const said = all[location.pathname] || [];
    delete all[location.pathname];
    sessionStorage.setItem(RESULTS, JSON.stringify(all));
    const list = box.querySelector(".pending-results");
    list.replaceChildren();
    for (const line of said) {
      const li = document.createElement("li");
      li.className = `flash flash-${line.ok ? "success" : "error"}`;
      li.textContent = line.text || sayResult(line);
      list.append(li);
    }
    box.classList.toggle("pending-refused", said.some((line) => !line.ok));
    if (said.length) {
      box.hidden = false;
      // The answer is what the worker looks for now (the reload was told not to restore the
      // scroll: sendAll; the page may still be loading its photos).
      box.scrollIntoView({ block: "center" });
      window.addEventListener("load", () => box.scrollIntoView({ block: "center" }), { once: true });
    }
  }

  // A result is remembered as what it is (sent from a page with no panel, which has not the
  // words) and said in the job page's words when it is shown.
  function sayResult(line) {
    if (line.ok) return words("sent", { what: line.what });
    return words("refused", { what: line.what, why: line.why || words("refusedAnyway") });
  }

  function remember(page, line) {
    const all = results();
    (all[page] = all[page] || []).push(line);
    sessionStorage.setItem(RESULTS, JSON.stringify(all));
  }

  // ------------------------------------------------------------------ sending

  function bodyOf(item, token) {
    const body = new FormData();
    for (const field of item.fields) {
      if (field.blob) body.append(field.name, field.blob, field.filename);
      else body.append(field.name, field.name === "csrf_token" && token ? token : field.value);
    }
    return body;
  }

  async function post(item, token) {
    return fetch(item.action, { method: "POST", body: bodyOf(item, token), credentials: "same-origin" });
  }

  // A fresh CSRF token from the job page as it is now (its forms carry one).
  async function freshToken(item) {
    const answer = await fetch(item.page, { credentials: "same-origin", cache: "no-store" });
    if (!answer.ok) return null;
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const input = page.querySelector('input[name="csrf_token"]');
    return input ? input.value : null;
  }

  async function reason(answer) {
    try {
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const said = page.querySelector(".flash-error, .field .error, .error-page .flash");
      if (said && said.textContent.trim()) return said.textContent.trim().replace(/\s+/g, " ");
    } catch (error) {
      // fall through to the page's own words
    }
    return "";
  }

  function signedOut(answer) {
    const who = sender();
    return answer.redirected && who && new URL(answer.url).pathname === who.dataset.signin;
  }

  // One item: "sent", "refused", "later" (no signal, or the server is not well) or "signin".
  async function sendOne(item) {
    let answer = await post(item);
    // Twice at most: the first 400 itself starts a new session, whose cookie may land just
    // after the page that was asked for the token (a new session of its own).
    for (let tries = 2; answer.status === 400 && tries > 0; tries -= 1) {
      const token = await freshToken(item);
      if (!token) break;
      answer = await post(item, token);
    }
    if (signedOut(answer)) return { outcome: "signin" };
    if (answer.ok) return { outcome: "sent" };
    if (answer.status >= 500 || answer.status === 429) return { outcome: "later" };
    return { outcome: "refused", why: await reason(answer) };
  }

  async function sendAll() {
    const where = db();
    if (!where || !navigator.onLine || sending) return;
    sending = true;
    const touched = new Set();
    let stop = null;
    try {
      for (const item of await pending()) {
        let result;
        try {
          result = await sendOne(item);
        } catch (error) {
          result = { outcome: "later" }; // the signal went again
        }
        if (result.outcome === "later" || result.outcome === "signin") {
          stop = result.outcome;
          break;
        }
        await idbKeyval.del(item.key, where);
        touched.add(item.page);
        remember(item.page, { ok: result.outcome === "sent", what: item.what, why: result.why || "" });
      }
    } finally {
      sending = false;
    }
    announce({ sent: Array.from(touched) });
    if (stop === "signin") sayInPanel(words("signinAgain"));
    if (panel() && touched.has(location.pathname)) {
      history.scrollRestoration = "manual"; // the reloaded page opens at the answer, not below
      location.reload();
    } else await show();
  }

  function sayInPanel(text) {
    const box = panel();
    if (!box) return;
    box.querySelector(".pending-status").textContent = text;
    box.hidden = false;
  }

  function sendWhenOnline() {
    if (!navigator.onLine || !sender()) return;
    if (navigator.locks) navigator.locks.request(CHANNEL, () => sendAll());
    else sendAll();
  }

  // Other tabs of this site: redraw their list, and reload a page whose items were sent.
  function announce(what) {
    if (channel) channel.postMessage(what);
  }

  function heard(event) {
    const said = event.data || {};
    if (panel() && (said.sent || []).includes(location.pathname)) location.reload();
    else show();
  }

  // ------------------------------------------------------------------ the service worker

  // Ask the worker to keep this page and what it uses; again a little later if it could not
  // (it was still starting, or the signal wavered), a few times.
  function askToKeep(registration, tries) {
    const files = [
      ...Array.from(document.querySelectorAll("link[rel=stylesheet], link[rel=icon]"), (l) => l.href),
      ...Array.from(document.querySelectorAll("script[src]"), (s) => s.src),
    ];
    const photos = Array.from(document.querySelectorAll("main img[src]"), (img) => img.src);
    const reply = new MessageChannel();
    reply.port1.onmessage = (event) => {
      if (!(event.data && event.data.kept) && tries > 1 && navigator.onLine) {
        setTimeout(() => askToKeep(registration, tries - 1), 1000);
      }
    };
    registration.active.postMessage({ type: "keep", page: location.href, files, photos }, [
      reply.port2,
    ]);
  }

  function keepThisPage(box) {
    if (!("serviceWorker" in navigator) || !box.dataset.sw) return;
    navigator.serviceWorker
      .register(box.dataset.sw, { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => askToKeep(registration, 5))
      .catch(() => {}); // no worker (a private window): the page still works online
  }

  // ------------------------------------------------------------------ start

  // Once per page drawn (htmx:load also comes for each fragment swapped in: the marker is on
  // an element that only a new page brings).
  function start() {
    const box = panel();
    const who = sender();
    const marked = box || who;
    if (!marked || marked.dataset.offlineStarted) return;
    marked.dataset.offlineStarted = "1";
    if (!box) {
      sendWhenOnline();
      return;
    }
    keepThisPage(box);
    showResults();
    show().then(sendWhenOnline);
  }

  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("input", filled, true);
  document.addEventListener("change", filled, true);
  document.addEventListener("htmx:sendError", onSendError);
  document.addEventListener("htmx:timeout", onSendError);
  document.addEventListener("htmx:load", start); // a job page reached by a boosted link
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("online", () => {
    showSignal();
    sendWhenOnline();
  });
  window.addEventListener("offline", showSignal);
  if (channel) channel.addEventListener("message", heard);
})();
