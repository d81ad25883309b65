#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx's loader, so `lojal` works from a clone without a build
// step and without starting a second Node.js for every command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
