// The chapter's section page folds each stacked part under its title ("Bewerken", closed).
// A part the editor has just added with "Nog een … toevoegen" opens at once, its first field
// focused: it is what they came to write, and a closed fold looks like nothing happened.
"use strict";
document.addEventListener("formset:added", (event) => {
  const row = event.target;
  if (!(row instanceof Element)) return;
  row.querySelectorAll("details").forEach((fold) => { fold.open = true; });
  const first = [...row.querySelectorAll("input, textarea, select")].find(
    (field) => !["hidden", "checkbox"].includes(field.type) && !field.classList.contains("_reorder_") && field.offsetParent !== null
  );
  if (first) first.focus();
});

// A part whose form came back with an error opens, so the editor sees the message beside the field.
// (Django opens a fold with an error itself only when the field stands alone on its line.)
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details").forEach((fold) => {
    if (fold.querySelector(".errorlist li, .errors")) fold.open = true;
  });
});

// A link to a part (a review comment's "bij …": #onderdeel-<part>-<id>, kib/workflow/review.py) opens that
// folded part and scrolls to it, on arrival and when the link is followed on the page itself. A link to a
// comment (#comment-<id>, from Mijn werk or the dashboard) opens the part the comment is about as well, and
// leaves the comment in view.
const PART_ANCHOR = /^#onderdeel-([a-z_]+)-(\d+)$/;
function openPart(anchor, scroll) {
  const match = PART_ANCHOR.exec(anchor);
  if (!match) return;
  const [, prefix, pk] = match;
  const idField = [...document.querySelectorAll(`input[type=hidden][name^="${prefix}-"][name$="-id"]`)].find(
    (field) => field.value === pk && /^[a-z_]+-\d+-id$/.test(field.name)
  );
  const row = idField && idField.closest(".inline-related, tr");
  if (!row) return;
  row.querySelectorAll("details").forEach((fold) => { fold.open = true; });
  document.querySelectorAll(".part-linked").forEach((other) => other.classList.remove("part-linked"));
  row.classList.add("part-linked");
  if (scroll) row.scrollIntoView({ block: "start" });
}
function openLinkedPart() {
  const hash = window.location.hash;
  if (PART_ANCHOR.test(hash)) {
    openPart(hash, true);
    return;
  }
  const comment = /^#comment-\d+$/.test(hash) && document.getElementById(hash.slice(1));
  const partLink = comment && comment.querySelector("a.review-part-link");
  if (partLink) openPart(partLink.getAttribute("href"), false);
}
document.addEventListener("DOMContentLoaded", openLinkedPart);
window.addEventListener("hashchange", openLinkedPart);
