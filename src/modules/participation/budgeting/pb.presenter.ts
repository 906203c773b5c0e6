// Domain → API bodies, CSV rows and view models: a whitelist of fields, never raw rows.
import type { Translate } from '../../../platform/i18n/i18n.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { formatDate, formatDateTime } from '../../../shared/dates.js'
import { formatPounds } from './pb.rules.js'
import type { WithPhase } from './pb.service.js'
import type { AreaResult, PbArea, PbProcess, PbProject, Phase, ProjectResult } from './pb.types.js'

const organisationName = (o: Organisation, locale: string) => (locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn)

export const phaseColour: Record<Phase, string> = {
  draft: 'grey',
  upcoming: 'grey',
  ideas: 'blue',
  review: 'purple',
  vote: 'green',
  counting: 'orange',
  results: 'teal',
}

export function processView(w: WithPhase, t: Translate, locale: string) {
  const p = w.process
  return {
    id: p.id,
    title: p.title,
    summary: p.summary,
    description: p.description,
    phase: w.phase,
    phaseText: t(`participation.pb.phase.${w.phase}`),
    phaseColour: phaseColour[w.phase],
    organisationName: organisationName(w.organisation, locale),
    ruleText: ruleText(p, t),
    ideasOpen: formatDate(p.ideasOpenAt, locale),
    reviewOpens: formatDate(p.reviewOpensAt, locale),
    voteOpens: formatDateTime(p.voteOpensAt, locale),
    voteCloses: formatDateTime(p.voteClosesAt, locale),
    allowChanges: p.allowChanges,
    equalShares: p.equalShares,
    published: p.publishedAt !== null,
    resultsComputed: p.resultsComputedAt !== null,
    resultsPublished: p.resultsPublishedAt !== null,
    eligibilityText: t(`participation.pb.eligibility.${p.eligibility}`),
    minAge: p.minAge,
  }
}

export function ruleText(
  p: Pick<PbProcess, 'votingRule' | 'maxChoices' | 'pointsTotal' | 'minSpendPercent'>,
  t: Translate,
) {
  if (p.votingRule === 'approval') return t('participation.pb.rule.approvalText', { max: p.maxChoices ?? 1 })
  if (p.votingRule === 'points') return t('participation.pb.rule.pointsText', { points: p.pointsTotal ?? 1 })
  return p.minSpendPercent > 0
    ? t('participation.pb.rule.knapsackMinText', { percent: p.minSpendPercent })
    : t('participation.pb.rule.knapsackText')
}

/** A project on its own page, with the date it was proposed. */
export function projectDetailView(p: PbProject, areas: PbArea[], t: Translate, locale: string) {
  return { ...projectView(p, areas, t), proposed: formatDate(p.createdAt, locale) }
}

export function areaView(a: PbArea, t: Translate) {
  return {
    ...a,
    budgetText: formatPounds(a.budget),
    label: a.areaWide ? `${a.name} (${t('participation.pb.area.wide')})` : a.name,
  }
}

/** A project for lists: no dates, which are costly to format fifty times a page. */
export function projectView(p: PbProject, areas: PbArea[], t: Translate) {
  return {
    ...p,
    costText: formatPounds(p.cost),
    areaName: areas.find((a) => a.id === p.areaId)?.name ?? '',
    statusText: t(`participation.pb.status.${p.status}`),
    statusColour:
      p.status === 'feasible' ? 'green' : p.status === 'not-feasible' ? 'red' : p.status === 'merged' ? 'grey' : 'blue',
  }
}

// --- the API ---

export function processToApi(w: WithPhase, baseUrl: string) {
  const p = w.process
  return {
    id: p.id,
    title: p.title,
    summary: p.summary,
    phase: w.phase,
    votingRule: p.votingRule,
    maxChoices: p.maxChoices,
    pointsTotal: p.pointsTotal,
    minSpendPercent: p.minSpendPercent,
    allowChanges: p.allowChanges,
    eligibility: p.eligibility,
    minAge: p.minAge,
    equalShares: p.equalShares,
    organisation: {
      id: w.organisation.id,
      slug: w.organisation.slug,
      nameEn: w.organisation.nameEn,
      nameGd: w.organisation.nameGd,
    },
    ideasOpenAt: p.ideasOpenAt.toISOString(),
    reviewOpensAt: p.reviewOpensAt.toISOString(),
    voteOpensAt: p.voteOpensAt.toISOString(),
    voteClosesAt: p.voteClosesAt.toISOString(),
    resultsPublishedAt: p.resultsPublishedAt ? p.resultsPublishedAt.toISOString() : null,
    url: `${baseUrl}/budgeting/${p.id}`,
  }
}

export const areaToApi = (a: PbArea) => ({ id: a.id, name: a.name, budget: a.budget, areaWide: a.areaWide })

export function projectToApi(p: PbProject, areas: PbArea[], baseUrl: string) {
  return {
    id: p.id,
    processId: p.processId,
    areaId: p.areaId,
    areaName: areas.find((a) => a.id === p.areaId)?.name ?? '',
    title: p.title,
    description: p.description,
    cost: p.cost,
    status: p.status,
    publicReason: p.publicReason,
    mergedInto: p.mergedInto,
    commentCount: p.commentCount,
    imageUrl: p.imageFileId ? `${baseUrl}/budgeting/${p.processId}/projects/${p.id}/image` : null,
    imageAlt: p.imageAlt,
    proposedAt: p.createdAt.toISOString(),
    url: `${baseUrl}/budgeting/${p.processId}/projects/${p.id}`,
  }
}

export const PROCESS_CSV_COLUMNS = [
  'id',
  'title',
  'organisation',
  'phase',
  'voting_rule',
  'ideas_open_at',
  'review_opens_at',
  'vote_opens_at',
  'vote_closes_at',
  'url',
]
export const processCsvRow = (w: WithPhase, baseUrl: string) => [
  w.process.id,
  w.process.title,
  w.organisation.nameEn,
  w.phase,
  w.process.votingRule,
  w.process.ideasOpenAt.toISOString(),
  w.process.reviewOpensAt.toISOString(),
  w.process.voteOpensAt.toISOString(),
  w.process.voteClosesAt.toISOString(),
  `${baseUrl}/budgeting/${w.process.id}`,
]

export const PROJECT_CSV_COLUMNS = [
  'id',
  'area',
  'title',
  'description',
  'cost',
  'status',
  'public_reason',
  'merged_into',
  'comments',
  'url',
]
export const projectCsvRow = (p: PbProject, areas: PbArea[], baseUrl: string) => [
  p.id,
  areas.find((a) => a.id === p.areaId)?.name ?? '',
  p.title,
  p.description,
  String(p.cost),
  p.status,
  p.publicReason,
  p.mergedInto ?? '',
  String(p.commentCount),
  `${baseUrl}/budgeting/${p.processId}/projects/${p.id}`,
]

export const RESULT_CSV_COLUMNS = [
  'area',
  'area_budget',
  'area_ballots',
  'rank',
  'project_id',
  'project',
  'cost',
  'votes',
  'points',
  'selected_by_votes',
  'selected_by_equal_shares',
]

export function resultRows(areas: PbArea[], areaResults: AreaResult[], projects: ProjectResult[]) {
  return areas.map((area) => {
    const r = areaResults.find((x) => x.areaId === area.id)
    return {
      area,
      ballots: r?.ballots ?? 0,
      greedySpent: r?.greedySpent ?? 0,
      equalSharesSpent: r?.equalSharesSpent ?? null,
      projects: projects.filter((p) => p.areaId === area.id),
    }
  })
}

export function resultCsvRows(areas: PbArea[], areaResults: AreaResult[], projects: ProjectResult[]): string[][] {
  return resultRows(areas, areaResults, projects).flatMap((a) =>
    a.projects.map((p) => [
      a.area.name,
      String(a.area.budget),
      String(a.ballots),
      String(p.rank),
      p.projectId,
      p.title,
      String(p.cost),
      String(p.votes),
      String(p.points),
      p.greedySelected ? 'yes' : 'no',
      p.equalSharesSelected === null ? '' : p.equalSharesSelected ? 'yes' : 'no',
    ]),
  )
}

/** Bars for the results chart: widths in percent of the most supported project. */
export function chartBars(projects: ProjectResult[], byPoints: boolean) {
  const score = (p: ProjectResult) => (byPoints ? p.points : p.votes)
  const max = Math.max(1, ...projects.map(score))
  return projects.map((p, i) => ({
    ...p,
    score: score(p),
    costText: formatPounds(p.cost),
    y: i * 36,
    width: Math.round((score(p) / max) * 1000) / 10,
  }))
}
