// Focuses the element the selector names (a page's heading, so that a screen reader announces the
// new page), as Blazor's focusBySelector does, unless the person is typing in a field already, or,
// on the page a visit starts with, has put the focus anywhere at all. A page made for one field
// marks it with data-page-focus, and the field takes the focus instead of the heading, by the same
// rules (a component's own autofocus would take it from wherever the person had put it).
export function focusUnlessTyping(selector, onlyIfNothingHasTheFocus) {
  const active = document.activeElement;
  if (active && (active.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName))) {
    return;
  }

  if (onlyIfNothingHasTheFocus && active && active !== document.body) {
    return;
  }

  const target = document.querySelector("[data-page-focus]") ?? document.querySelector(selector);
  if (!target) {
    return;
  }

  if (!target.hasAttribute("tabindex")) {
    target.tabIndex = -1;
  }

  target.focus({ preventScroll: true });
}
