// Passkeys (issue 17 §1): completes the passkey forms with the browser's authenticator.
//
// A form marked data-passkey="create" or "get" posts as any form does. First this script fetches
// the ceremony's options from the form's data-options address, asks navigator.credentials, and
// writes the ceremony id and the response (JSON, binary fields in base64url, as WebAuthn Level 3
// §5.1.8 toJSON() writes them) into the form's hidden fields. Whatever fails (no WebAuthn,
// cancelled, options refused) submits the form without a response: the page that answers says
// why, in the citizen's language. So this file holds no words, and the CSP needs no inline script.

const fromBase64url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};

const toBase64url = (buffer) => {
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const descriptors = (list) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

const creationOptions = (publicKey) => ({
  ...publicKey,
  challenge: fromBase64url(publicKey.challenge),
  user: { ...publicKey.user, id: fromBase64url(publicKey.user.id) },
  excludeCredentials: descriptors(publicKey.excludeCredentials),
});

const requestOptions = (publicKey) => ({
  ...publicKey,
  challenge: fromBase64url(publicKey.challenge),
  allowCredentials: descriptors(publicKey.allowCredentials),
});

const registrationJSON = (credential) => ({
  id: credential.id,
  rawId: toBase64url(credential.rawId),
  type: credential.type,
  response: {
    attestationObject: toBase64url(credential.response.attestationObject),
    clientDataJSON: toBase64url(credential.response.clientDataJSON),
  },
  extensions: {},
});

const assertionJSON = (credential) => ({
  id: credential.id,
  rawId: toBase64url(credential.rawId),
  type: credential.type,
  response: {
    authenticatorData: toBase64url(credential.response.authenticatorData),
    clientDataJSON: toBase64url(credential.response.clientDataJSON),
    signature: toBase64url(credential.response.signature),
    userHandle: credential.response.userHandle ? toBase64url(credential.response.userHandle) : null,
  },
  extensions: {},
});

async function ceremony(form) {
  const body = new URLSearchParams({ csrf_token: form.elements.csrf_token.value });
  const answer = await fetch(form.dataset.options, { method: 'POST', body, credentials: 'same-origin' });
  if (!answer.ok) throw new Error(`options: ${answer.status}`);
  const { ceremony: id, options } = await answer.json();
  form.elements.ceremony.value = id;
  if (form.dataset.passkey === 'create') {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
    return registrationJSON(credential);
  }
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
  return assertionJSON(credential);
}

for (const form of document.querySelectorAll('form[data-passkey]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.elements.name;
    // A passkey without a name is refused before any ceremony: the page says so.
    if (window.PublicKeyCredential && !(name && !name.value.trim())) {
      try {
        form.elements.credential.value = JSON.stringify(await ceremony(form));
      } catch {
        form.elements.credential.value = '';
      }
    }
    // submit() fires no submit event: this listener does not run again.
    form.submit();
  });
}
