// Training: start a job (admin key), follow one live through its event stream (progress bar, ETA,
// loss and mAP per outer iteration as charts), cancel it; the list of jobs.

import { api, events } from "./api.js";
import { $, el, showProblem, formatDuration } from "./ui.js";

let followed = null; // { id, abort }
let charts = null;

export function initTraining() {
  $("train-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await start();
  });
  $("train-dataset").addEventListener("change", () => {
    $("train-root").disabled = $("train-dataset").value === "gallery";
  });
  $("job-cancel").addEventListener("click", cancel);
}

export async function showTraining() {
  await list();
}

function number(id) {
  const v = $(id).value.trim();
  return v === "" ? undefined : Number(v);
}

async function start() {
  const box = $("train-error");
  showProblem(box, null);
  const dataset = $("train-dataset").value;
  const request = {
    name: $("train-name").value.trim(),
    method: $("train-method").value,
    bits: number("train-bits"),
    dataset,
    root: dataset === "gallery" ? undefined : $("train-root").value.trim() || undefined,
    trainPerClass: number("train-per-class"),
    testPerClass: number("test-per-class"),
    outerIterations: number("train-outer"),
    innerEpochs: number("train-inner"),
    samples: number("train-samples"),
    inputSize: number("train-input"),
  };
  try {
    const job = await api("/v1/train-jobs", { method: "POST", json: request });
    follow(job);
    await list();
  } catch (problem) {
    showProblem(box, problem);
  }
}

async function list() {
  try {
    const jobs = await api("/v1/train-jobs");
    $("jobs").replaceChildren(
      ...jobs.map((job) =>
        el("tr", { "data-job": job.id },
          el("td", {}, el("code", {}, job.id)),
          el("td", {}, job.model || job.request.name),
          el("td", {}, `${job.request.method} · ${job.request.bits} bits · ${job.request.dataset}`),
          el("td", {}, el("span", { class: `badge ${job.state.toLowerCase()}` }, job.state)),
          el("td", {}, `${Math.round(job.progress * 100)} %`),
          el("td", {}, el("button", { type: "button", onclick: () => follow(job) }, "Show")),
        )),
    );
    const running = jobs.find((j) => j.state === "RUNNING" || j.state === "QUEUED");
    if (!followed && running) follow(running);
  } catch (problem) {
    showProblem($("train-error"), problem);
  }
}

function follow(job) {
  if (followed) followed.abort.abort();
  const abort = new AbortController();
  followed = { id: job.id, abort };
  $("job").hidden = false;
  resetCharts();
  render(job);
  if (job.state === "QUEUED" || job.state === "RUNNING") {
    events(`/v1/train-jobs/${encodeURIComponent(job.id)}/events`, (name, data) => render(data), abort.signal)
      .then(async () => {
        // the stream ends when the job does, or after its maximum duration: read the job again
        if (followed?.id !== job.id) return;
        const now = await api(`/v1/train-jobs/${encodeURIComponent(job.id)}`);
        render(now);
        if (now.state === "QUEUED" || now.state === "RUNNING") follow(now);
        else list();
      })
      .catch((problem) => {
        if (problem.name !== "AbortError") showProblem($("train-error"), problem);
      });
  }
}

function render(job) {
  $("job-id").textContent = job.id;
  const state = $("job-state");
  state.textContent = job.state;
  state.className = `badge ${job.state.toLowerCase()}`;
  $("job-progress").value = job.progress;
  const parts = [`${Math.round(job.progress * 100)} %`, `model ${job.request.name}`];
  if (job.etaSeconds !== null && job.etaSeconds !== undefined && job.state === "RUNNING") {
    parts.push(`about ${formatDuration(job.etaSeconds)} left`);
  }
  if (job.iterations.length) {
    const last = job.iterations[job.iterations.length - 1];
    parts.push(`iteration ${last.iteration}: loss ${last.loss.toFixed(4)}` +
      (last.map !== null && last.map !== undefined ? `, mAP ${last.map.toFixed(3)}` : ""));
  }
  if (job.error) parts.push(job.error);
  $("job-detail").textContent = parts.join(" · ");
  $("job-cancel").disabled = !(job.state === "QUEUED" || job.state === "RUNNING");
  updateCharts(job.iterations);
}

async function cancel() {
  if (!followed) return;
  try {
    render(await api(`/v1/train-jobs/${encodeURIComponent(followed.id)}/cancel`, { method: "POST" }));
    await list();
  } catch (problem) {
    showProblem($("train-error"), problem);
  }
}

function chart(canvas, label, color) {
  return new Chart(canvas, {
    type: "line",
    data: { labels: [], datasets: [{ label, data: [], borderColor: color, backgroundColor: color, tension: 0.2 }] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: "outer iteration" } } },
    },
  });
}

function resetCharts() {
  if (!window.Chart) return; // the chart library failed to load: the text still shows progress
  if (!charts) {
    charts = {
      loss: chart($("loss-chart"), "loss", "#c2410c"),
      map: chart($("map-chart"), "mAP", "#1d4ed8"),
    };
  }
  for (const c of Object.values(charts)) {
    c.data.labels = [];
    c.data.datasets[0].data = [];
    c.update();
  }
}

function updateCharts(iterations) {
  if (!charts) return;
  const labels = iterations.map((i) => i.iteration);
  charts.loss.data.labels = labels;
  charts.loss.data.datasets[0].data = iterations.map((i) => i.loss);
  charts.map.data.labels = labels;
  charts.map.data.datasets[0].data = iterations.map((i) => i.map ?? null);
  charts.loss.update();
  charts.map.update();
}

