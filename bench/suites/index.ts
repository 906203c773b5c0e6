// The modules' benchmark suites, run after the kernel's own ("core") by bench/run.ts.
import type { BenchSuite } from '../lib/suite.js'
import { consultationsSuite } from './consultations.js'
import { consultationsDiscovery } from './consultations-discovery.js'
import { consultationsPublication } from './consultations-publication.js'
import { participation } from './participation.js'
import { participationCommunity } from './participation-community.js'
import { openData } from './open-data.js'

export const suites: BenchSuite[] = [
  consultationsSuite,
  consultationsDiscovery,
  consultationsPublication,
  participation,
  participationCommunity,
  openData,
]
