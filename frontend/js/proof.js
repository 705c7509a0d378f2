// The proof of work behind the arithmetic captcha (ALTCHA v2, SHA-256; the server's
// `Captcha.proofChallenge`). It is solved in the background, in Web Workers running the vendored
// ALTCHA solver (frontend/vendor/altcha/), while the customer types; the form sends the solution as
// `captchaProof`. Worker scripts and the solver come from this server, so the strict CSP
// (script-src 'self', which workers follow) needs nothing more. Without workers the same solver
// runs on the page.
import { useEffect, useRef, useState } from '../vendor/preact-htm.js';

const LIB = '../vendor/altcha/altcha-lib.min.js';
const WORKER = new URL('../vendor/altcha/sha-worker.js', import.meta.url);
const MAX_WORKERS = 4;

/** Base64 of `{"challenge": {parameters, signature}, "solution": {counter, derivedKey, time}}`
 * (ASCII JSON), as the server (and the ALTCHA widget) expect. */
function encode(challenge, solution) {
  return btoa(JSON.stringify({ challenge, solution }));
}

/** Starts solving `challengeJson`; returns `{ promise, abort }`, the promise giving the payload
 * (a string) or '' when it could not be solved (the server then asks to reload the page). */
export function startProof(challengeJson) {
  const controller = new AbortController();
  const promise = (async () => {
    const challenge = JSON.parse(challengeJson);
    const lib = await import(LIB);
    const concurrency = Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency || 1));
    let solution;
    try {
      solution = await lib.solveChallengeWorkers({
        challenge, concurrency, controller, createWorker: () => new Worker(WORKER),
      });
    } catch {
      if (controller.signal.aborted) return '';
      solution = await lib.solveChallenge({ challenge, controller, deriveKey: lib.sha.deriveKey });
    }
    return solution ? encode(challenge, solution) : '';
  })().catch(() => '');
  return { promise, abort: () => controller.abort() };
}

/**
 * The proof of the form's current captcha. `start(challengeJson)` (a new task) drops the previous
 * one; `wait()` gives the payload, and while it is still being computed `waiting` is true (the
 * form shows "checking..."), so a submit waits for it instead of failing.
 */
export function useProof() {
  const current = useRef(null);
  const [waiting, setWaiting] = useState(false);
  useEffect(() => () => current.current && current.current.abort(), []);
  const start = (challengeJson) => {
    if (current.current) current.current.abort();
    const proof = startProof(challengeJson);
    proof.done = false;
    proof.promise.then(() => { proof.done = true; });
    current.current = proof;
  };
  const wait = async () => {
    let proof = current.current;
    if (!proof) return '';
    if (!proof.done) setWaiting(true);
    try {
      let payload = await proof.promise;
      // A new task was asked for meanwhile: its proof is the one that counts.
      while (current.current !== proof) {
        proof = current.current;
        payload = await proof.promise;
      }
      return payload;
    } finally {
      setWaiting(false);
    }
  };
  return { start, wait, waiting };
}
