#!/usr/bin/env node
// Runs the TypeScript CLI straight from src/ (no build step): tsx's loader is registered first, then
// the CLI is imported dynamically (a static import would be resolved before the loader exists).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv);
