#!/usr/bin/env node
// Regenerates spec/*.schema.json from the TypeBox source (run after `npm run build`).
import { writeSchemas } from '../dist/language/schema/publish.js';

console.log(`wrote spec/${writeSchemas().join(', spec/')}`);
