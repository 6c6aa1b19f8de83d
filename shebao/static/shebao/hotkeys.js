// Keyboard shortcuts for clerks: an element with data-hotkey="/" takes focus when "/" is
// pressed outside a text field.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return;
  }
  const element = document.querySelector(`[data-hotkey="${CSS.escape(event.key)}"]`);
  if (element instanceof HTMLElement) {
    event.preventDefault();
    element.focus();
  }
});
