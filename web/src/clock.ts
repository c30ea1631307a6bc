// Virtual time: the sandbox clock shown ticking at its own pace, and its controls (pause, play,
// speed, skip ahead) for anyone who can change the sandbox. The server answers every change with
// the clock's new state, and the combined watch stream brings changes made anywhere else (cache.ts);
// between changes the page extrapolates, so showing time costs no request.
import { type ClockState, setClock } from "./api";
import { h } from "./dom";
import { clockText } from "./status";

export interface Clock {
  element: HTMLElement;
  /** Virtual time now, in ms. */
  now(): number;
  set(state: ClockState): void;
  onChange(fn: () => void): void;
}

const SPEEDS = [0.5, 1, 2, 5, 10, 60];
const SKIPS: [string, number][] = [
  ["+10s", 10],
  ["+1m", 60],
  ["+5m", 300],
  ["+1h", 3600],
];

export function createClock(id: string, initial: ClockState, controls: boolean): Clock {
  let state = initial;
  let at = Date.now();
  const listeners: (() => void)[] = [];
  const now = () => Date.parse(state.now) + (state.paused ? 0 : (Date.now() - at) * state.timeScale);

  const time = h("time", { id: "clock-now", "aria-live": "off" });
  const pause = h("button", { type: "button", id: "clock-pause" });
  const speed = h("select", { id: "clock-speed", "aria-label": "Clock speed" }, SPEEDS.map((s) => h("option", { value: s }, `×${s}`)));
  const error = h("span", { class: "bad", role: "status" });
  const pausedTag = h("span", { class: "tag", id: "clock-paused" }, "paused");

  const render = () => {
    time.textContent = clockText(now());
    time.dateTime = new Date(now()).toISOString();
    pausedTag.hidden = !state.paused;
    if (![...speed.options].some((o) => Number(o.value) === state.timeScale)) speed.append(h("option", { value: state.timeScale }, `×${state.timeScale}`));
    pause.textContent = state.paused ? "Play" : "Pause";
    pause.setAttribute("aria-pressed", String(state.paused));
    speed.value = String(state.timeScale);
  };
  const set = (s: ClockState) => {
    state = s;
    at = Date.now();
    render();
    for (const fn of listeners) fn();
  };
  const change = async (body: Parameters<typeof setClock>[1], button?: HTMLButtonElement) => {
    if (button) button.disabled = true;
    error.textContent = "";
    try {
      set(await setClock(id, body));
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      if (button) button.disabled = false;
    }
  };

  pause.addEventListener("click", () => change({ paused: !state.paused }, pause));
  speed.addEventListener("change", () => change({ timeScale: Number(speed.value) }));
  const skips = SKIPS.map(([label, seconds]) => {
    const b = h("button", { type: "button", "data-skip": seconds, title: `Skip ${seconds} virtual seconds ahead` }, label);
    b.addEventListener("click", () => change({ advanceSeconds: seconds }, b));
    return b;
  });

  const element = h(
    "div",
    { class: "clock", role: "group", "aria-label": "Virtual time" },
    h("span", { class: "label" }, "Virtual time"),
    time,
    controls ? [pause, speed, h("span", { class: "skips", role: "group", "aria-label": "Skip ahead" }, skips), error] : pausedTag,
  );
  render();
  // The seconds tick locally; nothing is asked of the server for it.
  setInterval(render, 1000);
  return { element, now, set, onChange: (fn) => listeners.push(fn) };
}
