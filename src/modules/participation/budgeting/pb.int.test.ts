import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { systemContext } from '../../../platform/auth/principal.js'
import type { BudgetingTables } from './pb.tables.js'
import { PbService } from './pb.service.js'
import type { PbError } from './pb.errors.js'
import { londonParts } from './pb.dates.js'

const DAY = 86_400_000
const day = (offset: number) => londonParts(new Date(Date.now() + offset * DAY)).date

function processForm(organisationId: string, title: string, extra: Record<string, string> = {}) {
  return {
    organisationId,
    title,
    summary: `How we spend part of the budget: ${title}`,
    description: 'Ideas in spring.\n\nVoting in summer.',
    votingRule: 'knapsack',
    maxChoices: '',
    pointsTotal: '',
    minSpendPercent: '',
    allowChanges: 'yes',
    eligibility: 'either',
    minAge: '',
    equalShares: 'yes',
    ideasDate: day(-1),
    reviewDate: day(5),
    voteDate: day(10),
    closeDate: day(20),
    closeTime: '23:59',
    ...extra,
  }
}

describe('participatory budgeting', () => {
  let t: TestApp
  let manager: TestClient
  let resident: TestClient
  let orgId: string
  let processId: string
  const areas: Record<string, string> = {}
  const projects: Record<string, string> = {}
  const db = () => t.app.kernel.db.withTables<BudgetingTables>()

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    const { kernel } = t.app
    const staff = await makeStaff(kernel, 'fife-council', ['participation-manager'], { name: 'Petra Manager' })
    orgId = staff.organisation.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, staff.account.email, PASSWORD)
    const person = await makeAccount(kernel, { name: 'Rhona Resident' })
    resident = new TestClient(t.app)
    await signIn(resident, kernel, person.email, PASSWORD)
  })
  after(async () => {
    await t.close()
  })

  it('lets a manager set up a process, refusing bad details and keeping what was typed', async () => {
    const bad = await manager.submit(
      '/manage/budgeting/new',
      processForm(orgId, '', { votingRule: 'approval', maxChoices: '', closeDate: day(5) }),
    )
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    const links = bad
      .$('.ds_error-summary a')
      .map((_, a) => bad.$(a).attr('href'))
      .get()
      .sort()
    assert.deepEqual(links, ['#closeDate', '#maxChoices', '#title'])
    assert.match(bad.$('#description').text(), /Voting in summer/)

    const created = await manager.submit('/manage/budgeting/new', processForm(orgId, 'Fife Decides'))
    assert.equal(created.status, 303)
    processId = /\/manage\/budgeting\/([0-9a-f-]{36})$/.exec(created.location!)![1]!

    const publishEarly = await manager.submit(
      `/manage/budgeting/${processId}`,
      {},
      { formSelector: `form[action="/manage/budgeting/${processId}/publish"]` },
    )
    assert.equal(publishEarly.status, 409)
    assert.match(text(publishEarly.$, 'main'), /Add at least one area/)

    const badArea = await manager.submit(`/manage/budgeting/${processId}/areas/new`, { name: '', budget: 'lots' })
    assert.equal(badArea.status, 422)
    assert.match(text(badArea.$, '#budget-error'), /whole pounds/)
    for (const [name, budget, wide] of [
      ['Kirkcaldy', '10000', ''],
      ['Dunfermline', '8000', ''],
      ['All of Fife', '5000', 'yes'],
    ] as const) {
      const r = await manager.submit(`/manage/budgeting/${processId}/areas/new`, { name, budget, areaWide: wide })
      assert.equal(r.status, 303, name)
    }
    for (const a of await db().selectFrom('participation.pb_area').selectAll().execute()) areas[a.name] = a.id

    const badCsv = await manager.submit(`/manage/budgeting/${processId}/postcodes`, {
      csv: 'postcode,area\nKY1 1AA,Kirkcaldy\nnonsense,Kirkcaldy\nKY12 7AB,Nowhere',
    })
    assert.equal(badCsv.status, 422)
    assert.match(text(badCsv.$, 'main'), /Line 3 \(nonsense\): not a postcode/)
    assert.match(text(badCsv.$, 'main'), /Line 4 \(Nowhere\): no area has this name/)
    assert.equal(
      Number(
        (
          await db()
            .selectFrom('participation.pb_postcode')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
    )
    const csv = await manager.submit(`/manage/budgeting/${processId}/postcodes`, {
      csv: 'postcode,area\nKY1 1AA,Kirkcaldy\nky11ab,kirkcaldy\nKY12 7AB,Dunfermline',
    })
    assert.equal(csv.status, 303)

    const published = await manager.submit(
      `/manage/budgeting/${processId}`,
      {},
      { formSelector: `form[action="/manage/budgeting/${processId}/publish"]` },
    )
    assert.equal(published.status, 303)
    const page = await resident.get(`/budgeting/${processId}`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /Ideas/)
    assert.match(text(page.$, 'main'), /Kirkcaldy£10,000/)
  })

  it('takes ideas from residents, with comments a page at a time', async () => {
    const bad = await resident.submit(`/budgeting/${processId}/ideas/new`, {
      title: 'Benches',
      description: '',
      areaId: '',
      cost: 'cheap',
    })
    assert.equal(bad.status, 422)
    assert.equal(bad.$('#title').attr('value'), 'Benches')
    assert.match(text(bad.$, '.ds_error-summary'), /Enter a description/)
    assert.match(text(bad.$, '.ds_error-summary'), /Enter the estimated cost/)
    for (const [title, area, cost] of [
      ['Benches on the prom', 'Kirkcaldy', '6000'],
      ['Play park', 'Kirkcaldy', '5000'],
      ['Bulb planting', 'Kirkcaldy', '1000'],
      ['Seats by the prom', 'Kirkcaldy', '900'],
      ['Library books', 'Dunfermline', '3000'],
      ['Cycle racks', 'All of Fife', '2000'],
    ] as const) {
      const r = await resident.submit(`/budgeting/${processId}/ideas/new`, {
        title,
        description: `${title} would help.`,
        areaId: areas[area]!,
        cost,
      })
      assert.equal(r.status, 303, title)
      projects[title] = r.location!.split('/').pop()!
    }
    for (let i = 1; i <= 23; i++) {
      const r = await resident.submit(`/budgeting/${processId}/projects/${projects['Play park']}`, {
        comment: `Comment number ${i}`,
      })
      assert.equal(r.status, 303)
    }
    const empty = await resident.submit(`/budgeting/${processId}/projects/${projects['Play park']}`, { comment: ' ' })
    assert.equal(empty.status, 422)
    const first = await resident.get(`/budgeting/${processId}/projects/${projects['Play park']}`)
    assert.match(text(first.$, '#comments'), /23 comments/)
    assert.equal(first.$('.comhla-pb-comment').length, 20)
    const second = await resident.get(`/budgeting/${processId}/projects/${projects['Play park']}?page=2`)
    assert.equal(second.$('.comhla-pb-comment').length, 3)
    assert.match(text(second.$, 'main'), /Comment number 23/)
  })

  it('keeps an image with an idea, with its text alternative, and serves it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pb-image-'))
    const file = path.join(dir, 'swings.png')
    await writeFile(
      file,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]),
    )
    const upload = { filename: 'swings.png', mimetype: 'image/png', path: file, size: 72 }
    const person = await makeAccount(t.app.kernel, { name: 'Fiona Photographer' })
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, person.id, 'session', null)
    const ctx = { ...systemContext('test'), principal }
    const service = new PbService(t.app.kernel)
    const idea = {
      title: 'New swings',
      description: 'The old ones are broken.',
      areaId: areas.Kirkcaldy!,
      cost: '4000',
    }
    await assert.rejects(service.proposeIdea(ctx, processId, { ...idea, imageAlt: '' }, upload), (e: PbError) => {
      assert.deepEqual(e.fields, { imageAlt: 'participation.pb.idea.error.imageAlt' })
      return true
    })
    await writeFile(path.join(dir, 'not.png'), 'plain text')
    await assert.rejects(
      service.proposeIdea(
        ctx,
        processId,
        { ...idea, imageAlt: 'Swings' },
        { ...upload, path: path.join(dir, 'not.png') },
      ),
      (e: PbError) => e.fields?.image === 'validation.file.type',
    )
    const project = await service.proposeIdea(
      ctx,
      processId,
      { ...idea, imageAlt: 'Broken swings at the Links' },
      upload,
    )
    const page = await resident.get(`/budgeting/${processId}/projects/${project.id}`)
    assert.equal(page.$('main img').attr('alt'), 'Broken swings at the Links')
    const image = await resident.get(page.$('main img').attr('src')!)
    assert.equal(image.status, 200)
    assert.equal(image.headers['content-type'], 'image/png')
    const form = await resident.get(`/budgeting/${processId}/ideas/new`)
    assert.equal(form.$('main form').attr('enctype'), 'multipart/form-data')
    projects['New swings'] = project.id
  })

  it('lets staff review ideas: cost, feasible or not with a public reason, merged', async () => {
    const next = await manager.submit(
      `/manage/budgeting/${processId}`,
      {},
      { formSelector: `form[action="/manage/budgeting/${processId}/next-phase"]` },
    )
    assert.equal(next.status, 303)
    const review = async (title: string, fields: Record<string, string>) => {
      const p = await db()
        .selectFrom('participation.pb_project')
        .selectAll()
        .where('id', '=', projects[title]!)
        .executeTakeFirstOrThrow()
      return manager.submit(`/manage/budgeting/${processId}/projects/${projects[title]}/review`, {
        title: p.title,
        description: p.description,
        areaId: p.area_id,
        cost: String(p.cost),
        publicReason: '',
        mergedInto: '',
        ...fields,
      })
    }
    const noReason = await review('Bulb planting', { status: 'not-feasible', publicReason: '' })
    assert.equal(noReason.status, 422)
    assert.match(text(noReason.$, '#publicReason-error'), /Give a public reason/)
    assert.equal(
      (await review('Bulb planting', { status: 'not-feasible', publicReason: 'Already funded' })).status,
      303,
    )
    assert.equal(
      (
        await review('Seats by the prom', {
          status: 'merged',
          publicReason: 'Same as the benches',
          mergedInto: projects['Benches on the prom']!,
        })
      ).status,
      303,
    )
    for (const title of ['Benches on the prom', 'Play park', 'Library books', 'Cycle racks'])
      assert.equal((await review(title, { status: 'feasible' })).status, 303, title)
    const costed = await review('Play park', { status: 'feasible', cost: '5500' })
    assert.equal(costed.status, 303)

    const bulbs = await resident.get(`/budgeting/${processId}/projects/${projects['Bulb planting']}`)
    assert.match(text(bulbs.$, 'main'), /Not feasible/)
    assert.match(text(bulbs.$, 'main'), /Why: Already funded/)
    const list = await resident.get(`/api/v1/budgeting/processes/${processId}/projects?status=feasible`)
    assert.equal(list.status, 200)
    const body = JSON.parse(list.body) as { total: number; items: { title: string; cost: number }[] }
    assert.equal(body.total, 4)
    assert.equal(body.items.find((i) => i.title === 'Play park')?.cost, 5500)
    const csv = await resident.get(`/api/v1/budgeting/processes/${processId}/projects.csv`)
    assert.match(csv.body, /Seats by the prom,.*merged,Same as the benches/)
  })

  it('refuses votes before voting opens, then checks eligibility by postcode', async () => {
    const early = await resident.get(`/budgeting/${processId}/vote`)
    assert.equal(early.status, 409)
    assert.match(text(early.$, 'main'), /Voting is not open/)
    await manager.submit(`/manage/budgeting/${processId}`, {}, { formSelector: `form[action$="/next-phase"]` })

    const outside = await resident.submit(`/budgeting/${processId}/vote/resident`, { postcode: 'EH1 1YZ' })
    assert.equal(outside.status, 403)
    assert.match(text(outside.$, '#postcode-error'), /not in any of the areas/)
    assert.equal(outside.$('#postcode').attr('value'), 'EH1 1YZ')
    const ok = await resident.submit(`/budgeting/${processId}/vote/resident`, { postcode: 'ky1 1ab' })
    assert.equal(ok.status, 303)
    const ballots = await resident.get(`/budgeting/${processId}/vote/ballots`)
    assert.match(text(ballots.$, 'main'), /Vote in Kirkcaldy/)
    assert.match(text(ballots.$, 'main'), /Vote in All of Fife/)
    assert.doesNotMatch(text(ballots.$, 'main'), /Dunfermline/)
    const other = await resident.get(`/budgeting/${processId}/vote/${areas.Dunfermline}`)
    assert.equal(other.status, 403)
  })

  it('shows a running total without JavaScript, refuses a ballot over budget, and lets the voter change it', async () => {
    const url = `/budgeting/${processId}/vote/${areas.Kirkcaldy}`
    const check = await resident.submit(url, {
      project: [projects['Benches on the prom']!, projects['Play park']!],
      action: 'check',
    })
    assert.equal(check.status, 200)
    assert.match(text(check.$, '#running-total'), /costing £11,500 of £10,000/)
    assert.match(text(check.$, '.ds_error-summary'), /£1,500 over the budget of £10,000/)
    assert.equal(check.$('input[name="project"]:checked').length, 2)

    const over = await resident.submit(url, {
      project: [projects['Benches on the prom']!, projects['Play park']!],
      action: 'cast',
    })
    assert.equal(over.status, 422)
    assert.equal(
      Number(
        (
          await db()
            .selectFrom('participation.pb_ballot')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
    )

    const cast = await resident.submit(url, { project: [projects['Benches on the prom']!], action: 'cast' })
    assert.equal(cast.status, 303)
    const done = await resident.follow(cast)
    assert.match(text(done.$, 'h1'), /Your vote has been cast/)
    assert.match(text(done.$, 'main'), /Vote in All of Fife/)

    const again = await resident.get(url)
    assert.match(text(again.$, 'main'), /You can change your vote/)
    assert.equal(again.$('input[name="project"]:checked').val(), projects['Benches on the prom'])
    const changed = await resident.submit(url, { project: [projects['Play park']!], action: 'cast' })
    assert.equal(changed.status, 303)
    const stored = await db().selectFrom('participation.pb_ballot_choice').select('project_id').execute()
    assert.deepEqual(
      stored.map((s) => s.project_id),
      [projects['Play park']],
    )
    // The ballot carries nothing that names the voter.
    const ballot = await db().selectFrom('participation.pb_ballot').selectAll().executeTakeFirstOrThrow()
    assert.doesNotMatch(JSON.stringify(ballot), new RegExp(resident.cookie('comhla_session') ?? 'no-session'))
    assert.equal(Object.keys(ballot).includes('account_id'), false)
  })

  it('issues voting codes that work once, and records paper ballots with their code', async () => {
    const bad = await manager.submit(`/manage/budgeting/${processId}/codes`, { label: '', areaId: '', count: '5000' })
    assert.equal(bad.status, 422)
    assert.equal(bad.$('.ds_error-summary a').length, 3)
    const issued = await manager.submit(`/manage/budgeting/${processId}/codes`, {
      label: 'Balwearie High School',
      areaId: areas.Kirkcaldy!,
      count: '3',
    })
    assert.equal(issued.status, 303)
    const sheet = await manager.follow(issued)
    const codes = sheet
      .$('.comhla-pb-code-card__code')
      .map((_, e) => sheet.$(e).text().trim())
      .get()
    assert.equal(codes.length, 3)

    const pupil = new TestClient(t.app)
    const wrong = await pupil.submit(`/budgeting/${processId}/vote/code`, { code: 'AAAA-AAAA' })
    assert.equal(wrong.status, 422)
    assert.match(text(wrong.$, '#code-error'), /exactly as it is printed/)
    const entered = await pupil.submit(`/budgeting/${processId}/vote/code`, { code: codes[0]!.toLowerCase() })
    assert.equal(entered.status, 303)
    const cast = await pupil.submit(`/budgeting/${processId}/vote/${areas.Kirkcaldy}`, {
      project: [projects['Play park']!],
      action: 'cast',
    })
    assert.equal(cast.status, 303)
    const wide = await pupil.submit(`/budgeting/${processId}/vote/${areas['All of Fife']}`, {
      project: [projects['Cycle racks']!],
      action: 'cast',
    })
    assert.equal(wide.status, 303)
    await pupil.submit(`/budgeting/${processId}/vote/ballots`, {}, { formSelector: 'form[action$="/vote/finish"]' })
    const reuse = await pupil.submit(`/budgeting/${processId}/vote/code`, { code: codes[0]! })
    assert.equal(reuse.status, 409)
    assert.match(text(reuse.$, '#code-error'), /already been used/)

    const paperUrl = `/manage/budgeting/${processId}/paper/${areas.Kirkcaldy}`
    const paperReuse = await manager.submit(paperUrl, {
      code: codes[0]!,
      project: [projects['Play park']!],
      action: 'cast',
    })
    assert.equal(paperReuse.status, 409)
    assert.match(text(paperReuse.$, '#code-error'), /already been used/)
    const paper = await manager.submit(paperUrl, {
      code: codes[1]!,
      project: [projects['Benches on the prom']!, projects['Play park']!],
      action: 'cast',
    })
    assert.equal(paper.status, 422)
    assert.match(text(paper.$, '.ds_error-summary'), /over the budget/)
    assert.equal(paper.$('#code').attr('value'), codes[1])
    const ok = await manager.submit(paperUrl, {
      code: codes[1]!,
      project: [projects['Benches on the prom']!],
      action: 'cast',
    })
    assert.equal(ok.status, 303)
    const channels = await db().selectFrom('participation.pb_ballot').select('channel').orderBy('channel').execute()
    assert.deepEqual(
      channels.map((c) => c.channel),
      ['code', 'code', 'online', 'paper'],
    )
  })

  it('counts when the vote closes, publishes results with a chart and table, and never reveals who chose what', async () => {
    const early = await resident.get(`/budgeting/${processId}/results`)
    assert.equal(early.status, 409)
    const ballotUrl = `/budgeting/${processId}/vote/${areas.Kirkcaldy}`
    const form = await resident.get(ballotUrl)
    const csrf = form.$('input[name="_csrf"]').first().attr('value')!
    await manager.submit(`/manage/budgeting/${processId}`, {}, { formSelector: `form[action$="/next-phase"]` })
    const late = await resident.request('POST', ballotUrl, {
      form: { _csrf: csrf, project: [projects['Benches on the prom']!], action: 'cast' },
    })
    assert.equal(late.status, 409)
    assert.match(text(late.$, 'main'), /Voting is not open/)
    const hidden = await resident.get(`/budgeting/${processId}/results`)
    assert.equal(hidden.status, 409)
    const preview = await manager.get(`/budgeting/${processId}/results`)
    assert.equal(preview.status, 200)
    assert.match(text(preview.$, 'main'), /not published yet/)

    const published = await manager.submit(
      `/manage/budgeting/${processId}`,
      {},
      { formSelector: `form[action$="/publish-results"]` },
    )
    assert.equal(published.status, 303)
    const page = await resident.get(`/budgeting/${processId}/results`)
    assert.equal(page.status, 200)
    assert.equal(page.$('svg[role="img"] title').length, 3)
    const kirkcaldy = page.$('section').filter((_, el) => page.$(el).find('h2').text().trim() === 'Kirkcaldy')
    assert.match(kirkcaldy.find('p').first().text(), /3 ballots/)
    const rows = kirkcaldy
      .find('tbody tr')
      .map((_, tr) => page.$(tr).text().replace(/\s+/g, ' ').trim())
      .get()
    assert.match(rows[0]!, /^1 Play park £5,500 2 Funded/)
    assert.match(rows[1]!, /^2 Benches on the prom £6,000 1 Not funded/)
    const json = JSON.parse((await resident.get(`/api/v1/budgeting/processes/${processId}/results`)).body) as {
      areas: { name: string; ballots: number; projects: { title: string; votes: number }[] }[]
    }
    assert.equal(json.areas.find((a) => a.name === 'Kirkcaldy')?.ballots, 3)
    const csv = (await resident.get(`/api/v1/budgeting/processes/${processId}/results.csv`)).body
    assert.match(csv.split('\n')[0]!, /^area,area_budget,area_ballots,rank,project_id,project/)
    assert.doesNotMatch(csv + JSON.stringify(json), /Rhona|@example|voter|code:/)
  })

  it('serves every public list as JSON and CSV', async () => {
    const list = JSON.parse((await resident.get('/api/v1/budgeting/processes')).body) as {
      items: { title: string; phase: string }[]
    }
    assert.deepEqual(
      list.items.map((i) => [i.title, i.phase]),
      [['Fife Decides', 'results']],
    )
    const csv = await resident.get('/api/v1/budgeting/processes.csv')
    assert.match(csv.body, /Fife Decides/)
    const detail = JSON.parse((await resident.get(`/api/v1/budgeting/processes/${processId}`)).body) as {
      areas: unknown[]
    }
    assert.equal(detail.areas.length, 3)
    const bad = await resident.get('/api/v1/budgeting/processes/not-an-id')
    assert.equal(bad.status, 404)
    assert.match(bad.body, /PB_PROCESS_NOT_FOUND/)
  })

  it('refuses people without the role', async () => {
    const page = await resident.get(`/manage/budgeting/${processId}`)
    assert.equal(page.status, 403)
  })
})
