#!/usr/bin/env node
import { cli } from '../dist/main.js';
cli(process.argv.slice(2));
