#!/usr/bin/env node
// Runs the CLI from the server's JavaScript build (build/, made by `npm install` and `npm start`) when that build
// is current for src/, and from the TypeScript sources through tsx's loader otherwise (a clone being edited, or
// LOJAL_FROM_SOURCE=1). Either way in this process: no second Node.js per command. scripts/server-build.mjs says
// why the build: a server without tsx's loader holds about 95 MB less.
import { currentServerBuild } from '../scripts/server-build.mjs';

const built = process.env.LOJAL_FROM_SOURCE ? undefined : currentServerBuild();
if (built) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
