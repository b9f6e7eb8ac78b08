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
