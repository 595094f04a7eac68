// Small improvements over pages that work without script: the error summary takes the focus, the
// resend countdown ticks, the password criteria follow the typing. No inline script (the CSP).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  for (const countdown of document.querySelectorAll("[data-countdown-until]")) {
    const until = Date.parse(countdown.dataset.countdownUntil);
    const seconds = countdown.querySelector("[data-countdown-seconds]");
    const button = document.getElementById(countdown.dataset.countdownButton);
    const tick = () => {
      const left = Math.max(Math.ceil((until - Date.now()) / 1000), 0);
      if (seconds) seconds.textContent = String(left);
      if (button) button.disabled = left > 0;
      if (left > 0) setTimeout(tick, 1000);
      else countdown.textContent = countdown.dataset.countdownDone || "Vous pouvez demander un nouveau code.";
    };
    tick();
  }

  const password = document.querySelector("input[data-min-length]");
  if (password) {
    const special = password.dataset.specialCharacters || "";
    const checks = {
      length: (value) => value.length >= Number(password.dataset.minLength),
      uppercase: (value) => value !== value.toLowerCase(),
      lowercase: (value) => value !== value.toUpperCase(),
      digit: (value) => /[0-9]/.test(value),
      special: (value) => [...value].some((character) => special.includes(character)),
    };
    const labels = { met: "Critère respecté :", unmet: "Critère non respecté :" };
    password.addEventListener("input", () => {
      for (const [key, check] of Object.entries(checks)) {
        const line = document.querySelector(`[data-criterion="${key}"]`);
        if (!line) continue;
        const state = check(password.value) ? "met" : "unmet";
        line.dataset.state = state;
        line.classList.remove("fr-message--info", "fr-message--valid", "fr-message--error");
        line.classList.add(state === "met" ? "fr-message--valid" : "fr-message--error");
        line.querySelector(".criterion__state").textContent = labels[state];
      }
    });
  }
});
