// The official @cloudbase/js-sdk against the local emulator (driven by test_js_sdk.py).
// Usage: node sdk_flow.js '{"host":"127.0.0.1:PORT","env":"test-env","username":"alice",
//                           "password":"...","expiry_wait_ms":1200,"scenario":"flow"|"errors"}'
// Prints one line 'SDK_FLOW_RESULT <json>' on stdout (the SDK logs hints on stdout too): the
// outcome of every step, tokens included (emulator test data only).
'use strict';

const cloudbase = require('@cloudbase/js-sdk');

const config = JSON.parse(process.argv[2]);
const steps = [];

function describeError(error) {
  if (!error) return null;
  return { name: error.name || null, code: error.code || error.error || null, message: String(error.message || error) };
}

async function step(name, fn) {
  try {
    const value = await fn();
    steps.push({ step: name, ok: true, value });
    return value;
  } catch (error) {
    steps.push({ step: name, ok: false, error: describeError(error) });
    return undefined;
  }
}

function userSummary(user) {
  if (!user) return null;
  return { id: user.id || null, is_anonymous: Boolean(user.is_anonymous), email: user.email || null };
}

async function signInResult(promise) {
  const { data, error } = await promise;
  return {
    error: describeError(error),
    user: userSummary(data && data.user),
    access_token: data && data.session ? data.session.access_token : null,
    refresh_token: data && data.session ? data.session.refresh_token : null,
  };
}

async function getUser(auth) {
  const { data, error } = await auth.getUser();
  return { error: describeError(error), user: userSummary(data && data.user) };
}

async function errors(auth) {
  await step('anonymous_disabled', () => signInResult(auth.signInAnonymously()));
  await step('unknown_user', () =>
    signInResult(auth.signInWithPassword({ username: 'nobody', password: 'Passw0rd!' })),
  );
  await step('no_session_user', () => getUser(auth));
}

async function flow(auth) {
  await step('anonymous', () => signInResult(auth.signInAnonymously()));
  await step('anonymous_user', () => getUser(auth));
  await step('anonymous_signout', () => auth.signOut());
  await step('password', () =>
    signInResult(auth.signInWithPassword({ username: config.username, password: config.password })),
  );
  await step('password_user', () => getUser(auth));
  await step('refresh_session', () => signInResult(auth.refreshSession()));
  if (config.expiry_wait_ms) {
    await new Promise((resolve) => setTimeout(resolve, config.expiry_wait_ms));
    await step('after_expiry_user', () => getUser(auth));
  }
  await step('access_token', async () => (await auth.getAccessToken()).accessToken);
  await step('bad_password', () =>
    signInResult(auth.signInWithPassword({ username: config.username, password: 'wrong' })),
  );
  await step('signout', () => auth.signOut());
  await step('signed_out_user', () => getUser(auth));
}

async function main() {
  const app = cloudbase.init({ env: config.env });
  app.registerHost(config.host, 'http');
  const auth = app.auth();
  await (config.scenario === 'errors' ? errors(auth) : flow(auth));
  process.stdout.write('SDK_FLOW_RESULT ' + JSON.stringify({ steps }) + '\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stdout.write('SDK_FLOW_RESULT ' + JSON.stringify({ steps, fatal: describeError(error) }) + '\n');
    process.exit(1);
  },
);
