// reviewer serve: the page works without this script; it adds drag-and-drop, live progress and review frames
// as tall as their content. It talks only to this server (the Content-Security-Policy allows nothing else).
"use strict";

function setUpDropzone() {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const form = document.getElementById("upload");
  if (!zone || !input || !form) return;
  const over = (on) => (event) => { event.preventDefault(); zone.classList.toggle("over", on); };
  zone.addEventListener("dragenter", over(true));
  zone.addEventListener("dragover", over(true));
  zone.addEventListener("dragleave", over(false));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}

function watchProgress() {
  const section = document.querySelector("[data-progress]");
  if (!section) return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress-text");
  const poll = async () => {
    let state;
    try {
      const answer = await fetch(section.dataset.progress, { credentials: "same-origin", cache: "no-store" });
      state = await answer.json();
    } catch (err) {
      setTimeout(poll, 2000);
      return;
    }
    if (state.state !== "running") {
      window.location.assign(state.state === "done" ? "/#result" : "/#errors");
      window.location.reload();
      return;
    }
    if (state.planned > 0) {
      bar.max = state.planned;
      bar.value = state.answered;
      text.textContent = `Model calls answered: ${state.answered} of ${state.planned}`;
    }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 400);
}

function fitFrame(frame) {
  try {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
  } catch (err) {
    // not readable: keep the stylesheet's height, the frame scrolls
  }
}

function setUpFrames() {
  for (const frame of document.querySelectorAll("iframe.review")) {
    frame.addEventListener("load", () => fitFrame(frame));
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") fitFrame(frame);
  }
  window.addEventListener("resize", () => document.querySelectorAll("iframe.review").forEach(fitFrame));
}

document.addEventListener("DOMContentLoaded", () => {
  setUpDropzone();
  watchProgress();
  setUpFrames();
});
