// Vocabulo Junior try-it page: a photo or a text → sentences with words coloured by part of speech.
import { api, explain, externalLink, h, say } from "../common/vocabulo.js";

const POS_NAMES = { NOUN: "nom", VERB: "verbe", ADJ: "adjectif", ADV: "adverbe", COMPOUND: "expression" };
const PLACEHOLDERS = new Set(["Non trouvé dans la BDD", "Mot de contexte", "Mot grammatical"]);
const LEVELS = { 1: "débutant", 2: "moyen", 3: "avancé" };

const $ = (id) => document.getElementById(id);
const status = $("status");
let chosenFile = null;
let previewUrl = null;

/** A word the app shows as tappable: one of the coloured parts of speech with a real sense. */
export function isTappable(word) {
  return word.pos in POS_NAMES && !PLACEHOLDERS.has(word.definition);
}

function messages(fromPhoto) {
  return {
    0: fromPhoto && chosenFile && chosenFile.size > 10 * 1024 * 1024
      ? "Le serveur n'a pas répondu. La photo est peut-être trop lourde : essayez-la en plus petite taille."
      : null,
    503: (e) => (e.detail.includes("JUNIOR_OCR")
      ? "Ce service lit seulement des textes, pas des photos : collez le texte de la page ci-dessous."
      : null),
    400: (e) => `Ce fichier n'a pas pu être lu comme une image (${e.detail}). Essayez une photo JPEG ou PNG.`,
    413: "La photo est trop grande. Prenez-la en plus petite taille ou recadrez-la, puis réessayez.",
    422: (e) => `Le texte n'est pas valide : ${e.detail}`,
  };
}

function waiting() {
  return (left) => say(status, `Le service est occupé ou démarre : nouvel essai dans ${left} s…`);
}

function setBusy(busy) {
  for (const id of ["photo-submit", "text-submit"]) $(id).disabled = busy;
}

function choose(file) {
  chosenFile = file || null;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = chosenFile ? URL.createObjectURL(chosenFile) : null;
  if (previewUrl) {
    $("photo-preview").src = previewUrl;
    $("photo-figure").hidden = false;
    $("result").hidden = false;
    $("sentences").replaceChildren();
    $("ocr-block").hidden = true;
    say(status, `Photo choisie : ${chosenFile.name}. Appuyez sur « Lire la photo ».`);
  }
}

function showWord(word, button) {
  for (const pressed of document.querySelectorAll('button.word[aria-pressed="true"]')) {
    pressed.setAttribute("aria-pressed", "false");
  }
  button.setAttribute("aria-pressed", "true");
  const confidence = Math.round(word.confidence * 100);
  const sign = externalLink(word.url, "Voir le signe en LSF (dictionnaire Elix)");
  $("word-details").replaceChildren(
    h("p", { class: "word-title" }, h("span", { class: `word pos-${word.pos}` }, word.word)),
    h("dl", { class: "facts" },
      h("dt", {}, "Nature"), h("dd", {}, POS_NAMES[word.pos] || word.pos),
      h("dt", {}, "Forme de base"), h("dd", { id: "word-lemma" }, word.lemma),
      h("dt", {}, "Définition"), h("dd", { id: "word-definition" }, word.definition),
      h("dt", {}, "Confiance"),
      h("dd", { class: "nowrap" }, h("meter", { min: 0, max: 100, value: confidence, "aria-hidden": "true" }), ` ${confidence} %`),
      word.difficulty ? [h("dt", {}, "Niveau du sens"), h("dd", {}, `${word.difficulty} (${LEVELS[word.difficulty] || "?"})`)] : null,
    ),
    sign ? h("p", {}, sign) : h("p", { class: "hint" }, "Pas de signe LSF pour ce mot."),
  );
  if (window.matchMedia("(max-width: 60rem)").matches) {
    $("word-details").scrollIntoView({ block: "nearest" });
  }
}

/** The sentence as text; words with a sense (nouns, verbs, adjectives, adverbs, expressions) are coloured buttons. */
function renderSentence(sentence) {
  const p = h("p");
  let cursor = 0;
  for (const word of sentence.words) {
    const at = sentence.sentence.indexOf(word.word, cursor);
    if (at < 0) continue; // a token the sentence text does not hold verbatim
    if (at > cursor) p.append(sentence.sentence.slice(cursor, at));
    cursor = at + word.word.length;
    if (isTappable(word)) {
      const button = h("button", {
        type: "button",
        class: `word pos-${word.pos}`,
        "aria-pressed": "false",
        title: POS_NAMES[word.pos],
      }, word.word);
      button.addEventListener("click", () => showWord(word, button));
      p.append(button);
    } else {
      p.append(word.word);
    }
  }
  if (cursor < sentence.sentence.length) p.append(sentence.sentence.slice(cursor));
  return p;
}

function showResult(result, fromPhoto) {
  $("result").hidden = false;
  $("photo-figure").hidden = !fromPhoto;
  $("ocr-block").hidden = !fromPhoto;
  if (fromPhoto) {
    $("original-text").textContent = result.original_text || "(aucun texte trouvé)";
    $("ocr-block").open = true;
  }
  const sentences = result.processed_results || [];
  $("sentences").replaceChildren(...sentences.map(renderSentence));
  const count = document.querySelectorAll("#sentences button.word").length;
  if (!sentences.length) {
    say(status, "Aucun texte n'a été trouvé. Essayez une photo plus nette, bien éclairée et prise de face.", "error");
  } else {
    say(status, `${sentences.length} phrase(s) lue(s), ${count} mot(s) à découvrir. Touchez un mot coloré.`, "ok");
  }
}

async function run(call, fromPhoto) {
  setBusy(true);
  say(status, fromPhoto ? "Lecture de la photo… (quelques secondes)" : "Analyse du texte…");
  try {
    showResult(await call(), fromPhoto);
  } catch (error) {
    say(status, explain(error, messages(fromPhoto)), "error");
  } finally {
    setBusy(false);
  }
}

function difficulty() {
  return Number($("difficulty").value);
}

$("photo-camera").addEventListener("change", (e) => choose(e.target.files[0]));
$("photo-file").addEventListener("change", (e) => choose(e.target.files[0]));

$("photo-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!chosenFile) {
    say(status, "Choisissez ou prenez d'abord une photo.", "error");
    return;
  }
  const form = new FormData();
  form.append("file", chosenFile, chosenFile.name);
  run(() => api(`process-image/?target_difficulty=${difficulty()}`, {
    method: "POST", form, onWait: waiting(),
  }), true);
});

$("text-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) {
    say(status, "Écrivez ou collez d'abord un texte.", "error");
    return;
  }
  run(() => api("v1/process-text", {
    method: "POST", json: { text, target_difficulty: difficulty() }, onWait: waiting(),
  }), false);
});
