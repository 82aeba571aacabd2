// Focuses the element the selector names (a page's heading, so that a screen reader announces the
// new page), as Blazor's focusBySelector does, unless the person is typing in a field already.
export function focusUnlessTyping(selector) {
  const active = document.activeElement;
  if (active && (active.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName))) {
    return;
  }

  const target = document.querySelector(selector);
  if (!target) {
    return;
  }

  if (!target.hasAttribute("tabindex")) {
    target.tabIndex = -1;
  }

  target.focus({ preventScroll: true });
}
