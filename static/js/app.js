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
