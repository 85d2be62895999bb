// Vocabulo Quiz try-it page: pick a learner, see the recommended words, play a quiz, watch progress.
import { ApiError, api, explain, externalLink, getToken, h, say, setToken } from "../common/vocabulo.js";

const QUIZ_WORDS = 5;
const CHOICES = 4;
const FEELINGS = ["Trop dur", "Bien", "Trop facile"];
const LEVELS = { 1: "facile", 2: "moyen", 3: "difficile" };

const $ = (id) => document.getElementById(id);
const status = $("status");
const state = { learner: null, words: [], snapshots: [], quiz: null };

// ---- access token (JWT): asked for when the API answers 401, kept in this tab only ----

function showTokenForm(message) {
  $("token-form").hidden = false;
  if (message) say(status, message, "error");
  $("token").focus();
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token").value.trim().replace(/^Bearer\s+/i, "");
  setToken(token);
  $("token").value = "";
  say(status, token ? "Jeton enregistré pour cet onglet." : "Jeton effacé.", "ok");
  loadDemoLearners();
  if (state.learner) selectLearner(state.learner);
});

$("token-forget").addEventListener("click", () => {
  setToken("");
  say(status, "Jeton oublié.", "ok");
});

/** Explain an error; a 401 also opens the token field. */
function fail(error, special = {}) {
  if (error instanceof ApiError && error.status === 401) {
    showTokenForm(getToken()
      ? "Ce jeton d'accès a été refusé (expiré ou invalide). Collez-en un nouveau."
      : "Ce service demande un jeton d'accès : collez-le ci-dessus.");
    return;
  }
  say(status, explain(error, special), "error");
}

const waiting = (left) => say(status, `Le service est occupé : nouvel essai dans ${left} s…`);

// ---- learners ----

async function loadDemoLearners() {
  try {
    const { learners } = await api("v1/demo-learners", { onWait: waiting });
    if (!learners.length) return;
    $("demo").replaceChildren(...learners.map((l) =>
      h("option", { value: l.user_id }, `${l.pseudo} — ${l.quizzes} quiz déjà joué(s)`)));
    $("demo-block").hidden = false;
    const current = $("learner-id").value.trim();
    if (learners.some((l) => l.user_id === current)) $("demo").value = current;
    else if (!current) $("learner-id").value = learners[0].user_id;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return; // not listed on this deployment
    fail(error);
  }
}

$("demo").addEventListener("change", () => {
  $("learner-id").value = $("demo").value;
});

$("learner-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("learner-id").value.trim();
  if (!id) {
    say(status, "Choisissez un apprenant ou collez son identifiant.", "error");
    return;
  }
  selectLearner(id);
});

const LEARNER_ERRORS = {
  400: "Cet identifiant n'a pas la bonne forme (il ressemble à 001b6789-96de-448c-9ede-5c787514be27).",
  404: "Aucun apprenant n'a cet identifiant.",
};

async function selectLearner(id) {
  say(status, "Chargement…");
  try {
    const progress = await api(`v1/learners/${encodeURIComponent(id)}/progress`, { onWait: waiting });
    if (state.learner !== id) state.snapshots = [];
    state.learner = id;
    addSnapshot(progress, state.snapshots.length ? "maintenant" : "au début");
    await loadWords();
    say(status, `Apprenant chargé : niveau ${progress.level} sur 5.`, "ok");
  } catch (error) {
    fail(error, LEARNER_ERRORS);
  }
}

async function loadWords() {
  const { recommendations } = await api("get_recommendations", {
    method: "POST", json: { user_id: state.learner, n: 10 }, onWait: waiting,
  });
  state.words = recommendations;
  $("words").replaceChildren(...recommendations.map((w) => h("tr", {},
    h("th", { scope: "row" }, w.mot),
    h("td", {}, [w.category, w.subcategory].filter(Boolean).join(" · ").replaceAll(",", ", ") || "—"),
    h("td", {}, `${w.niv_diff_id} (${LEVELS[w.niv_diff_id] || "?"})`),
    h("td", {}, externalLink(w.url_sign, ["Voir", h("span", { class: "visually-hidden" }, ` le signe de « ${w.mot} »`)]) || "—"),
  )));
  $("words-section").hidden = false;
}

// ---- progress: numbers and a small SVG chart of this visit's snapshots ----

function percent(x) {
  return `${Math.round(x * 100)} %`;
}

function addSnapshot(progress, label) {
  state.snapshots.push({ label, progress });
  const p = progress;
  $("progress").replaceChildren(h("dl", { class: "facts" },
    h("dt", {}, "Niveau"), h("dd", { id: "progress-level" }, `${p.level} sur 5`),
    h("dt", {}, "Mots vus"), h("dd", { id: "progress-seen" }, p.words_seen),
    h("dt", {}, "Mots maîtrisés"), h("dd", { id: "progress-mastered" }, p.words_mastered),
    h("dt", {}, "Bonnes réponses"), h("dd", {}, p.answers ? percent(p.accuracy) : "pas encore"),
    h("dt", {}, "Mots de base maîtrisés"), h("dd", {}, `${percent(p.basique_mastery)} de ${p.basique_total}`),
    h("dt", {}, "Quiz joués"), h("dd", { id: "progress-quizzes" }, p.quizzes),
  ));
  drawChart();
}

const SVG_NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The smallest whole 1, 2 or 5 × 10^k at least `raw`: readable axis ticks. */
function niceStep(raw) {
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
}

function drawChart() {
  const snaps = state.snapshots;
  const W = 360, H = 220, left = 40, right = 44, top = 12, bottom = 52;
  const max = Math.max(4, ...snaps.map((x) => x.progress.words_seen));
  const step = niceStep(max / 4);
  const yMax = Math.ceil(max / step) * step;
  const x = (i) => snaps.length === 1 ? (left + W - right) / 2 : left + (i * (W - left - right)) / (snaps.length - 1);
  const y = (v) => top + (H - top - bottom) * (1 - v / yMax);
  const summary = snaps.map((x) => `${x.label} : ${x.progress.words_seen} mots vus, ${x.progress.words_mastered} maîtrisés`).join(" ; ");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title chart-desc" });
  svg.append(s("title", { id: "chart-title" }, "Mots vus et mots maîtrisés pendant cette visite"));
  svg.append(s("desc", { id: "chart-desc" }, summary));
  for (let v = 0; v <= yMax; v += step) {
    svg.append(s("line", { class: "grid", x1: left, x2: W - right, y1: y(v), y2: y(v) }));
    svg.append(s("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, v));
  }
  svg.append(s("line", { class: "axis", x1: left, x2: left, y1: top, y2: H - bottom }));
  svg.append(s("line", { class: "axis", x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }));
  for (const [key, cls] of [["words_seen", "seen"], ["words_mastered", "mastered"]]) {
    const points = snaps.map((snap, i) => `${x(i)},${y(snap.progress[key])}`).join(" ");
    svg.append(s("polyline", { class: cls, points }));
    snaps.forEach((snap, i) => svg.append(s("circle", { class: `dot-${cls}`, cx: x(i), cy: y(snap.progress[key]), r: 4.5 })));
  }
  snaps.forEach((snap, i) => svg.append(s("text", { x: x(i), y: H - bottom + 18, "text-anchor": "middle" }, snap.label)));
  svg.append(s("line", { class: "seen", x1: left, x2: left + 24, y1: H - 12, y2: H - 12 }));
  svg.append(s("text", { x: left + 30, y: H - 8 }, "mots vus"));
  svg.append(s("line", { class: "mastered", x1: left + 110, x2: left + 134, y1: H - 12, y2: H - 12 }));
  svg.append(s("text", { x: left + 140, y: H - 8 }, "mots maîtrisés"));
  $("chart").replaceChildren(svg);
}

// ---- the quiz: find the word for its sign, then say how hard it felt ----

function shuffle(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function buildQuiz(words) {
  return words.slice(0, QUIZ_WORDS).map((word) => {
    const others = [...new Map(words
      .filter((w) => w.mot.toLowerCase() !== word.mot.toLowerCase())
      .map((w) => [w.mot.toLowerCase(), w.mot])).values()];
    return { word, choices: shuffle([word.mot, ...shuffle(others).slice(0, CHOICES - 1)]), answer: null };
  });
}

$("quiz-start").addEventListener("click", () => {
  if (state.words.length < 2) {
    say(status, "Pas assez de mots conseillés pour un quiz.", "error");
    return;
  }
  state.quiz = { items: buildQuiz(state.words), index: 0 };
  $("quiz-section").hidden = false;
  showQuestion();
});

function showQuestion() {
  const { items, index } = state.quiz;
  const item = items[index];
  item.answer = { mot_id: item.word.mot_id, correct: false, used_sign: false, feeling: null };
  const title = h("h3", { id: "question", tabindex: "-1" }, `Question ${index + 1} sur ${items.length} : quel mot correspond à ce signe ?`);
  const sign = externalLink(item.word.url_sign, "Voir le signe en LSF");
  if (sign) sign.addEventListener("click", () => { item.answer.used_sign = true; });
  const definition = externalLink(item.word.url_def, "Voir la définition");
  const feedback = h("p", { class: "feedback", "aria-live": "polite" });
  const feelings = h("div", { class: "row", role: "group", "aria-label": "Ce mot était…", hidden: true },
    ...FEELINGS.map((feeling) => h("button", {
      type: "button", class: "secondary", onclick: () => nextQuestion(feeling),
    }, feeling)));
  const choices = h("div", { class: "choices", role: "group", "aria-labelledby": "question" },
    ...item.choices.map((mot) => h("button", {
      type: "button",
      onclick: (event) => {
        item.answer.correct = mot === item.word.mot;
        for (const b of choices.querySelectorAll("button")) {
          b.disabled = true;
          if (b.textContent === item.word.mot) b.classList.add("right");
        }
        if (!item.answer.correct) event.currentTarget.classList.add("wrong");
        feedback.className = `feedback ${item.answer.correct ? "right" : "wrong"}`;
        feedback.textContent = item.answer.correct
          ? `Bravo, c'est « ${item.word.mot} » ! Ce mot était-il trop dur, bien ou trop facile ?`
          : `Ce n'est pas ça : c'était « ${item.word.mot} ». Ce mot était-il trop dur, bien ou trop facile ?`;
        feelings.hidden = false;
        feelings.querySelector("button:nth-child(2)").focus();
      },
    }, mot)));
  const hint = [item.word.category && `catégorie « ${item.word.category} »`, `niveau ${item.word.niv_diff_id}`]
    .filter(Boolean).join(", ");
  $("quiz").replaceChildren(
    title,
    h("p", {}, `Indice : ${hint}. `, sign, sign && definition ? " · " : "", definition),
    choices, feedback, feelings,
  );
  title.focus();
}

function nextQuestion(feeling) {
  const quiz = state.quiz;
  quiz.items[quiz.index].answer.feeling = feeling;
  quiz.index += 1;
  if (quiz.index < quiz.items.length) showQuestion();
  else sendQuiz();
}

async function sendQuiz() {
  const answers = state.quiz.items.map((item) => item.answer);
  const right = answers.filter((a) => a.correct).length;
  const done = h("p", { id: "quiz-done", tabindex: "-1" }, `Quiz terminé : ${right} bonne(s) réponse(s) sur ${answers.length}. Enregistrement…`);
  $("quiz").replaceChildren(done);
  done.focus();
  try {
    await api("v1/quizzes", { method: "POST", json: { user_id: state.learner, answers }, onWait: waiting });
    const progress = await api(`v1/learners/${encodeURIComponent(state.learner)}/progress`, { onWait: waiting });
    addSnapshot(progress, `après ${state.snapshots.length} quiz`);
    await loadWords();
    loadDemoLearners(); // the quiz counts in the list
    done.textContent = `Quiz enregistré : ${right} bonne(s) réponse(s) sur ${answers.length}. La progression et les mots conseillés sont à jour.`;
    say(status, "Quiz enregistré.", "ok");
  } catch (error) {
    done.textContent = "Le quiz n'a pas pu être enregistré.";
    fail(error);
  }
  $("quiz").append(h("div", { class: "row" }, h("button", {
    type: "button", onclick: () => $("quiz-start").click(),
  }, "Rejouer un quiz")));
}

if (getToken()) $("token-form").hidden = false;
loadDemoLearners();
