// Interview coding: a text selection in the notes is copied into the passage field.
// Without JavaScript staff paste the passage themselves.
document.addEventListener("DOMContentLoaded", () => {
  const notes = document.getElementById("interview-notes");
  if (!notes) return;
  const target = document.getElementById(notes.dataset.passageTarget);
  if (!target) return;
  const copySelection = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    if (!notes.contains(selection.anchorNode) || !notes.contains(selection.focusNode)) return;
    const text = selection.toString().trim();
    if (text) target.value = text;
  };
  notes.addEventListener("mouseup", copySelection);
  notes.addEventListener("touchend", copySelection);
  notes.addEventListener("keyup", copySelection);
});
