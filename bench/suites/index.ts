// The modules' benchmark suites, run after the kernel's own ("core") by bench/run.ts.
import type { BenchSuite } from '../lib/suite.js'
import { consultationsSuite } from './consultations.js'

export const suites: BenchSuite[] = [consultationsSuite]
