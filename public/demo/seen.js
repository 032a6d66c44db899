// Marks as seen what a person has had the chance to see: rows at least half
// on screen for a second while the page is visible. The badge counts unseen
// messages, so it falls as the list is looked at, not when it merely loads in
// a background tab.

const DWELL_MS = 1000;

/** `markSeen(ids)` is called with the ids of unseen rows that stayed in view. */
export function watchSeen(markSeen) {
  const onScreen = new Set();
  let timer;
  const flush = () => {
    timer = undefined;
    if (document.visibilityState !== "visible") return;
    const ids = [...onScreen].filter((item) => item.isConnected && item.dataset.seen === "false").map((item) => item.dataset.id);
    if (ids.length > 0) markSeen(ids);
  };
  const schedule = () => {
    if (timer === undefined && onScreen.size > 0 && document.visibilityState === "visible") timer = setTimeout(flush, DWELL_MS);
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) onScreen.add(entry.target);
        else onScreen.delete(entry.target);
      }
      schedule();
    },
    { threshold: 0.5 },
  );
  document.addEventListener("visibilitychange", schedule);
  return {
    /** Watch a row; an unseen row already in view is marked after the dwell. */
    observe(item) {
      observer.observe(item);
    },
    forget(item) {
      observer.unobserve(item);
      onScreen.delete(item);
    },
    /** A row's state changed back to unseen (another tab's view was older): look again. */
    recheck: schedule,
  };
}
