// Vocabulo try-it pages: what both pages share (API calls, token, messages, DOM helpers).
// Every URL is relative to the page, so it works at /, behind an Ingress prefix or a port-forward.

const TOKEN_KEY = "vocabulo.token";
const MAX_WAIT_S = 60; // a longer Retry-After is told to the user rather than waited for

/** An HTTP error with the API's `detail` and the Retry-After delay (seconds) when given. */
export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

/** The access token kept for this tab only (sessionStorage), or "". */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage refused (private mode): the token is simply not kept */
  }
}

/** Seconds from a Retry-After header (delay or HTTP date), or null. */
export function parseRetryAfter(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

function detailOf(data) {
  if (!data) return "";
  if (typeof data === "string") return data;
  const d = data.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((e) => e.msg || JSON.stringify(e)).join(" ; ");
  return d ? JSON.stringify(d) : "";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function countdown(seconds, onWait) {
  for (let left = seconds; left > 0; left--) {
    if (onWait) onWait(left);
    await sleep(1000);
  }
}

/**
 * Call the API at a path relative to the page. `json` is sent as JSON, `form` as multipart.
 * A 503 with Retry-After is waited for and retried (`retries` times, `onWait(secondsLeft)` is
 * called each second); any other failure throws an ApiError.
 */
export async function api(path, { method = "GET", json, form, retries = 2, onWait } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: "application/json" };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, { method, headers, body });
    } catch {
      throw new ApiError(0, "", null);
    }
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json().catch(() => null) : null;
    if (response.ok) return data;
    const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
    if (response.status === 503 && retryAfter !== null && retryAfter <= MAX_WAIT_S && attempt < retries) {
      await countdown(Math.max(retryAfter, 1), onWait);
      continue;
    }
    throw new ApiError(response.status, detailOf(data), retryAfter);
  }
}

/** A sentence a parent can read for an ApiError; `special` overrides per status (text or function). */
export function explain(error, special = {}) {
  if (!(error instanceof ApiError)) return `Erreur inattendue : ${error}`;
  const own = special[error.status];
  const text = typeof own === "function" ? own(error) : own;
  if (text) return text; // a function may return null to keep the general message
  switch (error.status) {
    case 0:
      return "Le serveur ne répond pas. Vérifiez la connexion, puis réessayez.";
    case 400:
      return `La demande n'a pas été comprise : ${error.detail}`;
    case 401:
      return "Il faut un jeton d'accès : collez-le dans le champ « Jeton d'accès ».";
    case 403:
      return "Ce jeton d'accès ne permet pas de voir ce compte.";
    case 404:
      return `Introuvable : ${error.detail}`;
    case 413:
      return "C'est trop lourd pour le serveur. Essayez avec un fichier plus petit.";
    case 422:
      return `Les informations envoyées ne sont pas valides : ${error.detail}`;
    case 503:
      return error.retryAfter !== null
        ? `Le service est occupé ou en train de démarrer. Réessayez dans ${error.retryAfter} secondes.`
        : "Le service est momentanément indisponible. Réessayez dans un instant.";
    default:
      return `Le serveur a rencontré un problème (erreur ${error.status}). Réessayez plus tard.`;
  }
}

/** Show a message in a live region; kind is "", "ok" or "error". */
export function say(region, message, kind = "") {
  region.className = `status ${kind}`.trim();
  region.textContent = message;
}

/** Build an element: h("a", {href: "x", class: "y"}, "text", child…). Never parses HTML. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link opening in a new tab, said so for screen readers, only for http(s) URLs. */
export function externalLink(url, label) {
  if (!/^https?:\/\//i.test(url || "")) return null;
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label,
    h("span", { class: "visually-hidden" }, " (nouvel onglet)"));
}
