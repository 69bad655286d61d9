// The registration form's proof of work (see RegistrationChallenge): before the form goes, find the number
// whose SHA-256 with the page's salt is the page's challenge, and send it along. Without this script, or
// without Web Crypto (a plain-http page that is not on this machine), the form goes as it is and the server
// takes it under a smaller cap.
'use strict';
(function () {
  const form = document.getElementById('register');
  if (!form || !form.elements.challenge_salt || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  const status = document.getElementById('challenge-status');
  const encoder = new TextEncoder();
  let solved = false;

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  async function solve(salt, target, max) {
    // Hashes in rounds of 500 at once: one await per hash would spend its time in the event loop.
    for (let start = 0; start <= max; start += 500) {
      const numbers = [];
      for (let n = start; n < Math.min(start + 500, max + 1); n++) numbers.push(n);
      const digests = await Promise.all(numbers.map(function (n) {
        return crypto.subtle.digest('SHA-256', encoder.encode(salt + n));
      }));
      for (let i = 0; i < digests.length; i++) {
        if (hex(digests[i]) === target) return numbers[i];
      }
    }
    return null;
  }

  form.addEventListener('submit', async function (event) {
    if (solved) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    status.textContent = 'One moment: your browser is checking that this is not an automated registration…';
    try {
      const number = await solve(form.elements.challenge_salt.value, form.dataset.challenge, Number(form.dataset.max));
      if (number !== null) form.elements.challenge_number.value = String(number);
    } catch (error) {
      // The server takes the form without a solution too.
    }
    solved = true;
    status.textContent = '';
    button.disabled = false;
    form.submit();
  });
})();
