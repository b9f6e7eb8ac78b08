// Small comforts on top of plain HTML; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText("value" in source ? source.value : source.innerText).then(() => {
    const label = button.textContent;
    button.textContent = button.dataset.copied || "✓";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});

// Print buttons (no inline handlers: the Content-Security-Policy runs only this site's files).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A form sent back with an error: htmx focuses the [autofocus] field in what it swapped in
// (and a whole page load does it natively); after a boosted swap htmx scrolls to the top,
// just after this event, so bring the field back to the middle of the screen once it has,
// its label and error in sight.
document.addEventListener("htmx:afterSettle", () => {
  const field = document.querySelector("[autofocus][aria-invalid=true]");
  if (!field) return;
  setTimeout(() => {
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
  }, 0);
});

// Photo slots (templates/_macros.html photo_slots): a thumbnail of each chosen photo, and one
// empty slot in sight at a time (the next appears once this one has a photo, up to data-max).
function photoSlots(root) {
  for (const group of root.querySelectorAll("[data-photo-slots]")) {
    if (group.dataset.ready) continue;
    group.dataset.ready = "1";
    const tidy = () => {
      const picks = [...group.querySelectorAll(".photo-pick")];
      let emptyShown = false;
      for (const pick of picks) {
        const input = pick.querySelector("input[type=file]");
        const empty = !input.files || input.files.length === 0;
        pick.hidden = empty && emptyShown;
        if (empty) emptyShown = true;
      }
      const max = Number(group.dataset.max || picks.length);
      if (!emptyShown && picks.length < max) {
        const last = picks[picks.length - 1];
        const next = last.cloneNode(true);
        const input = next.querySelector("input[type=file]");
        const n = picks.length + 1;
        const base = group.id.replace(/^field-/, "");
        input.id = `${base}-${n}`;
        input.value = "";
        input.removeAttribute("autofocus");
        input.removeAttribute("aria-invalid");
        next.htmlFor = input.id;
        next.classList.remove("chosen");
        next.querySelector("img.preview")?.remove();
        const text = next.querySelector(".photo-pick-text");
        text.id = `pick-${input.id}`;
        text.textContent = text.textContent.replace(/\d+\s*$/, String(n));
        input.setAttribute("aria-labelledby", `label-${base} ${text.id}`);
        last.after(next);
      }
    };
    group.addEventListener("change", (event) => {
      const input = event.target;
      if (!input.matches("input[type=file]")) return;
      const pick = input.closest(".photo-pick");
      pick.querySelector("img.preview")?.remove();
      pick.classList.toggle("chosen", input.files.length > 0);
      if (input.files.length > 0 && input.files[0].type.startsWith("image/")) {
        const img = document.createElement("img");
        img.className = "preview";
        img.alt = "";
        img.src = URL.createObjectURL(input.files[0]);
        pick.append(img);
      }
      tidy();
    });
    tidy();
  }
}
document.addEventListener("DOMContentLoaded", () => photoSlots(document));
document.addEventListener("htmx:load", (event) => photoSlots(event.detail.elt));

// The place search of the intake forms (templates/cases/_place.html): Enter in its box
// searches instead of sending the form, and a place tapped in its list sets the pickers
// (community, then its compounds, then that compound, whose change loads the buildings and the
// "already reported here" panel). Without this the tap sends the form and the server sets them.
document.addEventListener("keydown", (event) => {
  const box = event.target.closest && event.target.closest("[data-enter-clicks]");
  if (!box || event.key !== "Enter" || event.isComposing) return;
  event.preventDefault();
  if (window.htmx) htmx.trigger(box, "search");
  else document.getElementById(box.dataset.enterClicks)?.click();
});
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-pick-compound]");
  const community = document.getElementById("community_id");
  const compound = document.getElementById("compound_id");
  if (!pick || !window.htmx || !community || !compound) return;
  if (![...community.options].some((o) => o.value === pick.dataset.community)) return;
  event.preventDefault();
  community.value = pick.dataset.community;
  htmx.ajax("GET", community.getAttribute("hx-get"), {
    source: community, target: "#compound_id", swap: "innerHTML",
  }).then(() => {
    compound.value = pick.dataset.pickCompound;
    compound.dispatchEvent(new Event("change", { bubbles: true }));
    const box = document.getElementById("place_query");
    if (box) box.value = "";
    const list = document.getElementById("place_found");
    if (list) list.textContent = "";
    (document.getElementById("building_id") || compound).focus();
  });
});
